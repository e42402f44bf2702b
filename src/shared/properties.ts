import { isFiniteJson, isJsonObject, jsonBytes, nestsDeeperThan } from "./json";
import { textProblem } from "./text";

/**
 * Properties by name (a profile, an event's properties, a request's overrides), held in a Map so a
 * name is only data: "constructor", "toString" or "__proto__" name properties like any other and
 * never reach what JavaScript objects inherit or how they are built.
 */
export type Properties = ReadonlyMap<string, unknown>;

/** The own properties of a parsed JSON object (JSON.parse makes even "__proto__" an own property). */
export function propertiesOf(object: object | null | undefined): Map<string, unknown> {
  return new Map(object ? Object.entries(object) : []);
}

/** Properties nest objects and lists at most this deep (the properties object is level 1). */
export const MAX_PROPERTIES_DEPTH = 32;

/** Properties sent with one evaluation (GraphQL's user.properties, an OFREP context) are at most this large. */
export const MAX_REQUEST_PROPERTIES_BYTES = 64 * 1024;

/**
 * What is wrong with `value` as properties, as a predicate ("must be a JSON object") for the caller
 * to put its subject before, or null: a JSON object, nested at most MAX_PROPERTIES_DEPTH levels, whose
 * property names are valid text (segments match them by name; a name with a NUL or an unpaired
 * surrogate could be neither matched nor stored alike on every engine), with finite numbers, at most
 * `maxBytes` serialized. The depth is checked first: every other check walks the value.
 */
export function propertiesProblem(value: unknown, maxBytes: number): string | null {
  if (!isJsonObject(value)) return "must be a JSON object";
  if (nestsDeeperThan(value, MAX_PROPERTIES_DEPTH))
    return `must nest objects and lists at most ${MAX_PROPERTIES_DEPTH} levels deep`;
  for (const name of Object.keys(value)) {
    const problem = textProblem(name);
    if (problem) return `must have property names that are text: a name ${problem}`;
  }
  if (!isFiniteJson(value)) return "must hold JSON values: numbers must be finite";
  if (jsonBytes(value) > maxBytes) return `must be at most ${maxBytes / 1024} KiB serialized`;
  return null;
}
