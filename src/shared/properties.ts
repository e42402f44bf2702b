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
