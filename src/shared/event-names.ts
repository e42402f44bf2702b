import { characterCount } from "./names";
import { fail, ok, type Result } from "./result";
import { textProblem } from "./text";
import { UserErrors, type FieldPath } from "./user-error";

export const MAX_EVENT_NAME_LENGTH = 128;

/**
 * An event name wherever one appears (goal events, segment event conditions, tracked events):
 * trimmed, 1 to 128 characters, compared exactly (SDKs send exact names).
 */
export function normalizeEventName(raw: string, field: FieldPath): Result<string> {
  const name = raw.trim();
  if (name === "" || characterCount(name) > MAX_EVENT_NAME_LENGTH) {
    return fail(UserErrors.invalid(field, `An event name is 1 to ${MAX_EVENT_NAME_LENGTH} characters`));
  }
  const problem = textProblem(name);
  if (problem) return fail(UserErrors.invalid(field, `An event name ${problem}`));
  return ok(name);
}
