import type { ExperienceKind, ExperienceStatus } from "../experiences/experience-kind";

/** Why a mutation was not done: the codes of the API contract. */
export enum ErrorCode {
  INVALID = "INVALID",
  NAME_TAKEN = "NAME_TAKEN",
  LIMIT_REACHED = "LIMIT_REACHED",
  IN_USE = "IN_USE",
  NOT_FOUND = "NOT_FOUND",
  ARCHIVED = "ARCHIVED",
  INVALID_STATE = "INVALID_STATE",
  CONFLICT = "CONFLICT",
}

/** An experience that references a key, segment or goal. */
export interface Usage {
  kind: ExperienceKind;
  id: string;
  name: string;
  status: ExperienceStatus;
  archived: boolean;
}

/** Path of the input field at fault, e.g. ["input", "variants", "1", "weight"]. */
export type FieldPath = string[] | null;

export interface UserError {
  field: FieldPath;
  message: string;
  code: ErrorCode;
  usages: Usage[];
}

/** Extends a field path; list indexes become strings, as the contract's paths show them. */
export function at(path: string[], ...more: (string | number)[]): string[] {
  return [...path, ...more.map(String)];
}

function userError(code: ErrorCode, field: FieldPath, message: string, usages: Usage[] = []): UserError {
  return { field, message, code, usages };
}

/**
 * Every business failure the API reports, with its message, in one place. `what` is the kind of
 * object in words ("key", "segment", ...), so messages read the same across the API.
 */
export const UserErrors = {
  invalid: (field: FieldPath, message: string) => userError(ErrorCode.INVALID, field, message),

  /** Names the object that holds the name as it is stored (the case may differ from what was typed). */
  nameTaken: (field: FieldPath, what: string, holder: { name: string; archivedAt: Date | null }) =>
    userError(
      ErrorCode.NAME_TAKEN,
      field,
      holder.archivedAt
        ? `An archived ${what} is named "${holder.name}": unarchive it, or choose another name (names are compared ignoring case)`
        : `A ${what} named "${holder.name}" already exists (names are compared ignoring case)`,
    ),

  limitReached: (field: FieldPath, message: string) => userError(ErrorCode.LIMIT_REACHED, field, message),

  inUse: (field: FieldPath, what: string, usages: Usage[]) =>
    userError(
      ErrorCode.IN_USE,
      field,
      `This ${what} is used by ${usages.length === 1 ? "an unarchived experience" : `${usages.length} unarchived experiences`}` +
        ` (${usages.map((u) => `"${u.name}"`).join(", ")}); archive ${usages.length === 1 ? "it" : "them"} first`,
      usages,
    ),

  notFound: (field: FieldPath, what: string) =>
    userError(ErrorCode.NOT_FOUND, field, `No ${what} with this id`),

  /** A reference by name (setup documents) to nothing of that kind in the project or the document. */
  notFoundByName: (field: FieldPath, kind: string, name: string) =>
    userError(
      ErrorCode.NOT_FOUND,
      field,
      `No ${kind} named ${JSON.stringify(name)} in the project or the document`,
    ),

  archived: (field: FieldPath, what: string, action: string) =>
    userError(ErrorCode.ARCHIVED, field, `This ${what} is archived: unarchive it before you ${action}`),

  invalidState: (field: FieldPath, message: string) => userError(ErrorCode.INVALID_STATE, field, message),

  conflict: (field: FieldPath, message: string) => userError(ErrorCode.CONFLICT, field, message),
};
