import { useState, type FormEvent } from "react";
import { createClient, GraphQLRequestError, ViewerDocument } from "../../client";
import { TextField } from "./components/fields";
import { API_URL } from "./session";
import type { Viewer } from "./viewer";

/** Asks the server who a token is; an SDK token is for apps, not for this dashboard. */
export async function viewerOf(token: string): Promise<{ viewer: Viewer } | { refused: string }> {
  try {
    const { viewer } = await createClient({ url: API_URL, token }).request(ViewerDocument);
    if (viewer.role === "SDK")
      return {
        refused:
          "This is an SDK token: it is for apps (evaluate, trackEvents). Sign in with an ADMIN, EDITOR or VIEWER token.",
      };
    return { viewer };
  } catch (error) {
    if (error instanceof GraphQLRequestError && error.code === "UNAUTHENTICATED")
      return { refused: "The server does not know that token, or it was revoked." };
    return { refused: `The server could not be reached: ${(error as Error).message}` };
  }
}

export function SignIn(props: { refused: string | null; onSignIn(token: string): void }) {
  const [token, setToken] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) props.onSignIn(token.trim());
  };
  return (
    <main className="sign-in">
      <h1>Product Experiences</h1>
      <form onSubmit={submit}>
        <p>Sign in with an API token of your project (the first start printed an ADMIN token).</p>
        <TextField label="API token" type="password" value={token} onChange={setToken} required autoFocus />
        {props.refused && (
          <div role="alert" className="alert">
            <p>{props.refused}</p>
          </div>
        )}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
