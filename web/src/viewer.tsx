// Who is signed in: the token's project and role, and what that role may do.
import { createContext, useContext } from "react";
import type { Role, ViewerQuery } from "../../client";

export type Viewer = ViewerQuery["viewer"];

export interface SignedIn {
  viewer: Viewer;
  signOut(): void;
  /** Another token, e.g. of another project. */
  signIn(token: string): void;
}

export const ViewerContext = createContext<SignedIn | null>(null);

export function useViewer(): SignedIn {
  const signedIn = useContext(ViewerContext);
  if (!signedIn) throw new Error("useViewer outside a signed-in page");
  return signedIn;
}

/** What a role may change (README "Roles"): offered only where it is allowed. */
export const mayEdit = (role: Role): boolean => role === "ADMIN" || role === "EDITOR";
export const mayAdminister = (role: Role): boolean => role === "ADMIN";
