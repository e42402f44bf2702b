import { normalizeEventName } from "../shared/event-names";
import { fail, ok, type Result } from "../shared/result";
import { at, UserErrors, type UserError } from "../shared/user-error";

export const MAX_GOAL_EVENTS = 20;

/** A goal's events: 1 to 20 distinct event names. */
export function normalizeGoalEvents(events: string[], path: string[]): Result<string[]> {
  if (events.length === 0 || events.length > MAX_GOAL_EVENTS) {
    return fail(UserErrors.invalid(path, `A goal has 1 to ${MAX_GOAL_EVENTS} events; got ${events.length}`));
  }
  const errors: UserError[] = [];
  const seen = new Set<string>();
  events.forEach((raw, index) => {
    const name = normalizeEventName(raw, at(path, index));
    if (!name.ok) errors.push(...name.errors);
    else if (seen.has(name.value)) {
      errors.push(
        UserErrors.invalid(at(path, index), `"${name.value}" is listed twice: a goal's events are distinct`),
      );
    } else seen.add(name.value);
  });
  return errors.length ? fail(...errors) : ok([...seen]);
}
