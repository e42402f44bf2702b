import {
  MAX_PROPERTY_NAME_LENGTH,
  parseEventFilters,
  type PropertyCondition,
  type PropertyConditionDraft,
} from "../segments/segment-rule";
import { normalizeEventName } from "../shared/event-names";
import { characterCount } from "../shared/names";
import { textProblem } from "../shared/text";
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

/** A goal's filters on its events' properties, like a segment's property conditions. */
export const MAX_GOAL_FILTERS = 3;

export function parseGoalFilters(
  drafts: PropertyConditionDraft[],
  path: string[],
): Result<PropertyCondition[]> {
  return parseEventFilters(drafts, path, MAX_GOAL_FILTERS);
}

/** The numeric event property a goal totals (trimmed), or null for none (an empty string clears it). */
export function normalizeValueProperty(raw: string, path: string[]): Result<string | null> {
  const name = raw.trim();
  if (name === "") return ok(null);
  if (characterCount(name) > MAX_PROPERTY_NAME_LENGTH)
    return fail(UserErrors.invalid(path, `A property name is 1 to ${MAX_PROPERTY_NAME_LENGTH} characters`));
  const problem = textProblem(name);
  return problem ? fail(UserErrors.invalid(path, `A property name ${problem}`)) : ok(name);
}
