import { UserErrors, type FieldPath, type UserError } from "./user-error";

/**
 * Optimistic concurrency: CONFLICT when the caller edits from another version than the current one,
 * so two editors who both read version 3 cannot both write. Checked inside the change's transaction,
 * which holds the row against every other writer until it commits.
 */
export function versionConflict(
  what: string,
  current: number,
  expected: number | null | undefined,
  field: FieldPath,
): UserError | null {
  if (expected === null || expected === undefined || expected === current) return null;
  return UserErrors.conflict(
    field,
    `This ${what} is at version ${current}, not ${expected}: it changed since you read it. Read it again, then retry`,
  );
}

/** The result of an archive of many ids, each judged alone. */
export interface BulkArchived {
  archived: string[];
  userErrors: UserError[];
}

export const MAX_BULK_IDS = 100;

/** 1 to 100 ids per bulk archive. */
export function bulkIdsError(ids: readonly string[]): UserError | null {
  return ids.length === 0 || ids.length > MAX_BULK_IDS
    ? UserErrors.invalid(["ids"], `Send 1 to ${MAX_BULK_IDS} ids; got ${ids.length}`)
    : null;
}
