import { ok, fail, type Result } from "./result";
import { textProblem } from "./text";
import { UserErrors, type FieldPath } from "./user-error";

export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 1000;

export interface NormalizedName {
  /** As the user wrote it, trimmed. */
  name: string;
  /** What uniqueness compares: `Dark_Mode` and `dark_mode` clash. */
  nameKey: string;
}

/**
 * Lower-casing can lengthen a name ("İ" becomes "i" plus a combining dot: two code points), so the
 * name_key columns hold twice MAX_NAME_LENGTH (the 1764600000000 migration).
 */
export function nameKeyOf(name: string): string {
  return name.trim().toLowerCase();
}

/** Lengths count characters as people see them (code points), not UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Names are trimmed; empty after trimming, too long, or not valid text (shared/text.ts) is INVALID. */
export function normalizeName(
  raw: string,
  field: FieldPath,
  maxLength = MAX_NAME_LENGTH,
): Result<NormalizedName> {
  const name = raw.trim();
  if (name === "") return fail(UserErrors.invalid(field, "Name must not be empty"));
  if (characterCount(name) > maxLength) {
    return fail(UserErrors.invalid(field, `Name must be at most ${maxLength} characters`));
  }
  const problem = textProblem(name);
  if (problem) return fail(UserErrors.invalid(field, `Name ${problem}`));
  return ok({ name, nameKey: nameKeyOf(name) });
}

/** A description is optional: blank clears it. */
export function normalizeDescription(
  raw: string | null | undefined,
  field: FieldPath,
): Result<string | null> {
  const description = raw?.trim() ?? "";
  if (description === "") return ok(null);
  if (characterCount(description) > MAX_DESCRIPTION_LENGTH) {
    return fail(
      UserErrors.invalid(field, `Description must be at most ${MAX_DESCRIPTION_LENGTH} characters`),
    );
  }
  const problem = textProblem(description);
  if (problem) return fail(UserErrors.invalid(field, `Description ${problem}`));
  return ok(description);
}

/** Lower-cased name and description, so "search" is the same case-insensitive match on every engine. */
export function searchTextOf(name: string, description: string | null): string {
  return `${name}\n${description ?? ""}`.toLowerCase();
}
