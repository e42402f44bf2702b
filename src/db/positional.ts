/** Texts converted at most, kept: the callers' texts are constants of the code, a few dozen. */
const KEPT = 1_000;
const converted = { "?": new Map<string, Positional>(), $: new Map<string, Positional>() };

export interface Positional {
  positional: string;
  /** The parameter for each placeholder, in order. */
  names: string[];
}

/**
 * `:name` parameters as positional ones: `?` for SQLite, `$1`, `$2`, ... for PostgreSQL (a name used
 * twice is passed twice). Casts (`::text`) are not parameters.
 */
export function positionalOf(text: string, style: "?" | "$"): Positional {
  const kept = converted[style];
  let result = kept.get(text);
  if (!result) {
    const names: string[] = [];
    const positional = text.replace(/(?<!:):([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
      names.push(name);
      return style === "?" ? "?" : `$${names.length}`;
    });
    result = { positional, names };
    if (kept.size >= KEPT) kept.clear();
    kept.set(text, result);
  }
  return result;
}
