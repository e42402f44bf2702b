import { characterCount } from "./names";
import { textProblem } from "./text";
import { UserErrors, type FieldPath, type UserError } from "./user-error";

export const MAX_USER_ID_LENGTH = 256;

/**
 * The one rule for the app's user ids, wherever one arrives (evaluate, trackEvents, identify, test
 * users, OpenFeature's targetingKey): ids are opaque, so they are not trimmed (" u1" and "u1" are two
 * users), but they are 1 to 256 characters (code points), not blank, and valid text.
 */
export function userIdProblem(userId: string): string | null {
  if (userId.trim() === "" || characterCount(userId) > MAX_USER_ID_LENGTH)
    return `is 1 to ${MAX_USER_ID_LENGTH} characters, not blank`;
  return textProblem(userId);
}

export function userIdError(userId: string, field: FieldPath): UserError | null {
  const problem = userIdProblem(userId);
  return problem ? UserErrors.invalid(field, `A user id ${problem}`) : null;
}
