/** Checks on JSON a client sends, shared by key values, event properties and profiles. */

/** JSON.stringify would turn Infinity and NaN into null: such values are refused, not silently changed. */
export function isFiniteJson(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isFiniteJson);
  if (value !== null && typeof value === "object") return Object.values(value).every(isFiniteJson);
  return true;
}

/** A JSON object: not null, not a list, not a scalar. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Whether two values serialize to the same JSON (absent and null alike). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Size of the value serialized as JSON, in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}
