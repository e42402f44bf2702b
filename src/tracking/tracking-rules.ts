import { normalizeEventName } from "../shared/event-names";
import { isFiniteJson, isJsonObject, jsonBytes } from "../shared/json";
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

/** Properties sent with an event or to identify: a JSON object of finite values, at most `maxBytes`. */
export function propertiesError(properties: unknown, field: string[], maxBytes: number): UserError | null {
  if (!isJsonObject(properties)) return UserErrors.invalid(field, "Properties are a JSON object");
  if (!isFiniteJson(properties))
    return UserErrors.invalid(field, "Property values must be JSON: numbers must be finite");
  if (jsonBytes(properties) > maxBytes)
    return UserErrors.invalid(field, `Properties are at most ${maxBytes / 1024} KiB serialized`);
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
