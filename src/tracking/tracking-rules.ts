import { normalizeEventName } from "../shared/event-names";
import { propertiesProblem } from "../shared/properties";
import { characterCount } from "../shared/names";
import { fail, ok, type Result } from "../shared/result";
import { textProblem } from "../shared/text";
import { at, UserErrors, type UserError } from "../shared/user-error";
import { userIdError } from "../shared/user-ids";

export const MAX_EVENTS_PER_CALL = 1000;
export const MAX_CLIENT_EVENT_ID_LENGTH = 128;
export const MAX_EVENT_PROPERTIES_BYTES = 8 * 1024;
export const MAX_PROFILE_BYTES = 64 * 1024;
/** Device clocks drift; an event further ahead than this is a bug, not a clock. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

export interface EventDraft {
  id?: string | null;
  userId: string;
  name: string;
  properties?: unknown;
  timestamp?: Date | null;
}

export interface ValidEvent {
  clientId: string | null;
  userId: string;
  name: string;
  properties: Record<string, unknown>;
  at: number;
}

/** Properties sent with an event or to identify (shared/properties.ts says what they may hold). */
export function propertiesError(properties: unknown, field: string[], maxBytes: number): UserError | null {
  const problem = propertiesProblem(properties, maxBytes);
  return problem ? UserErrors.invalid(field, `Properties ${problem}`) : null;
}

/**
 * The largest magnitude of a number an event's property may have: a goal's value is any of them
 * (its valueProperty), and results add values up and square them per user. At 10^15 (a thousand
 * trillion) the sums of a test stay finite and exact to the cent for any number of events, so the
 * same figures come out on every engine; beyond it a number is refused, not clamped.
 */
export const MAX_EVENT_NUMBER = 1e15;

/** The first property whose number is beyond ±MAX_EVENT_NUMBER, or null. */
function outsizedNumber(properties: Record<string, unknown>): string | null {
  for (const [name, value] of Object.entries(properties))
    if (typeof value === "number" && Math.abs(value) > MAX_EVENT_NUMBER) return name;
  return null;
}

/** One event, judged alone; its errors carry its index: ["events", "3", "name"]. */
export function checkEvent(draft: EventDraft, index: number, now: number): Result<ValidEvent> {
  const path = at(["events"], index);
  const name = normalizeEventName(draft.name, at(path, "name"));
  const errors: UserError[] = name.ok ? [] : [...name.errors];
  const userError = userIdError(draft.userId, at(path, "userId"));
  if (userError) errors.push(userError);
  const clientId = draft.id ?? null;
  if (
    clientId !== null &&
    (clientId.trim() === "" || characterCount(clientId) > MAX_CLIENT_EVENT_ID_LENGTH || textProblem(clientId))
  ) {
    errors.push(
      UserErrors.invalid(
        at(path, "id"),
        `An event id is 1 to ${MAX_CLIENT_EVENT_ID_LENGTH} characters of valid text, without NUL`,
      ),
    );
  }
  const properties = draft.properties ?? {};
  const propertyError = propertiesError(properties, at(path, "properties"), MAX_EVENT_PROPERTIES_BYTES);
  if (propertyError) errors.push(propertyError);
  const outsized = propertyError ? null : outsizedNumber(properties as Record<string, unknown>);
  if (outsized !== null)
    errors.push(
      UserErrors.invalid(
        at(path, "properties", outsized),
        `A number in an event's properties is at most 10^15 in magnitude (results add them up)`,
      ),
    );
  const when = draft.timestamp?.getTime() ?? now;
  if (when > now + MAX_FUTURE_MS)
    errors.push(UserErrors.invalid(at(path, "timestamp"), "A timestamp is at most 24 hours in the future"));
  if (errors.length || !name.ok) return fail(...errors);
  return ok({
    clientId,
    userId: draft.userId,
    name: name.value,
    properties: properties as Record<string, unknown>,
    at: when,
  });
}
