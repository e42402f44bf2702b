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

/**
 * Whether `value` nests objects and lists more than `max` levels deep (the value itself, when an
 * object or a list, is level 1). Walked without recursion: a client may send any depth, and
 * JSON.stringify or a recursive check would overflow the stack on 5,000 levels.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, level] = next;
    if (current === null || typeof current !== "object") continue;
    if (level > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current))
      pending.push([child, level + 1]);
  }
  return false;
}
