/**
 * What free text from a client may contain, the same on every engine. PostgreSQL refuses the NUL
 * character (U+0000) in text columns, so one NUL in a name failed the whole write there while
 * SQLite stored it; and both drivers silently replace an unpaired UTF-16 surrogate with U+FFFD, so
 * what was stored would differ from what was sent. Both are refused up front, at the field.
 */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored as sent, or null. */
export function textProblem(text: string): string | null {
  if (text.includes("\u0000")) return "must not contain the NUL character (U+0000)";
  if (UNPAIRED_SURROGATE.test(text)) return "must be valid Unicode (it holds an unpaired surrogate)";
  return null;
}
