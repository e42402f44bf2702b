import type { EntityManager, ObjectLiteral } from "typeorm";

/** " FOR UPDATE" where the engine has row locks (PostgreSQL); SQLite runs one writer at a time anyway. */
export function forUpdate(manager: EntityManager): string {
  return manager.connection.driver.options.type === "postgres" ? " FOR UPDATE" : "";
}

/**
 * " FOR UPDATE OF <table> SKIP LOCKED" on PostgreSQL: rows another transaction holds are passed
 * over instead of waited for, so several processes claiming work from one queue each take other
 * rows. SQLite runs one writer at a time anyway.
 */
export function forUpdateSkipLocked(manager: EntityManager, of: string): string {
  return manager.connection.driver.options.type === "postgres" ? ` FOR UPDATE OF ${of} SKIP LOCKED` : "";
}

/**
 * " FOR SHARE": readers of a row that hold it until commit, while FOR UPDATE waits for them
 * (PostgreSQL). `of`: only that table's rows, e.g. beside an outer join, whose nullable side cannot be locked.
 */
export function forShare(manager: EntityManager, of?: string): string {
  if (manager.connection.driver.options.type !== "postgres") return "";
  return of ? ` FOR SHARE OF ${of}` : " FOR SHARE";
}

/**
 * Runs hand-written SQL with `:name` parameters on either engine (TypeORM rewrites them to `?` or
 * `$n`; `(:...ids)` expands a list). Used where the query builder would hide what the query does.
 */
export async function sql<Row = ObjectLiteral>(
  manager: EntityManager,
  text: string,
  parameters: ObjectLiteral = {},
): Promise<Row[]> {
  const [query, values] = withParameters(manager, text, parameters);
  return manager.query(query, values);
}

/**
 * The statement and its values for the engine. On SQLite every value is bound (TypeORM's SQLite
 * driver would write numbers into the text). node-sqlite3 binds a number as an integer only within
 * 32 bits and any other as floating point, which is exact but makes integer arithmetic (a division
 * into days) floating point: a safe integer beyond 32 bits is bound as `CAST(? AS INTEGER)`, exact
 * for it. Any other number (1e20, 0.5) stays floating point: a cast would clamp it to 2^63.
 */
function withParameters(
  manager: EntityManager,
  text: string,
  parameters: ObjectLiteral,
): [string, unknown[]] {
  if (manager.connection.driver.options.type === "postgres")
    return manager.connection.driver.escapeQueryWithParameters(text, parameters, {});
  const values: unknown[] = [];
  const query = withValues(text, parameters, (value) => {
    if (typeof value === "boolean") value = value ? 1 : 0;
    values.push(value);
    return typeof value === "number" && Number.isSafeInteger(value) && (value | 0) !== value
      ? "CAST(? AS INTEGER)"
      : "?";
  });
  return [query, values];
}

/** `text` with each `:name` replaced by what `place` makes of its value (`(:...list)`: of each, comma-separated). */
function withValues(text: string, parameters: ObjectLiteral, place: (value: unknown) => string): string {
  return text.replace(
    /(?<!:):(\.\.\.)?([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, list: string | undefined, name: string) => {
      if (!Object.prototype.hasOwnProperty.call(parameters, name)) return match;
      const value: unknown = parameters[name];
      return list ? (value as unknown[]).map(place).join(", ") : place(value);
    },
  );
}

/** Runs a write inside a transaction and answers how many rows it changed. */
export async function changedRows(
  manager: EntityManager,
  text: string,
  parameters: ObjectLiteral = {},
): Promise<number> {
  const [query, values] = withParameters(manager, text.trim(), parameters);
  // The structured result carries the count: SQLite's `changes`, PostgreSQL's rowCount.
  const result = await manager.queryRunner!.query(query, values, true);
  return result.affected ?? 0;
}

/** A LIKE pattern for a substring search: `%`, `_` and `\` in it are literal characters, not wildcards. */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Locks these names until the transaction ends (PostgreSQL advisory locks, taken in one order so
 * two transactions cannot each hold what the other waits for). SQLite runs one writer at a time.
 * Used where two kinds of write about one thing must see each other, e.g. a user's events and
 * their placement (src/results/rollups.ts).
 */
export async function lockNames(manager: EntityManager, names: string[]): Promise<void> {
  if (manager.connection.driver.options.type !== "postgres" || names.length === 0) return;
  const parameters: Record<string, string> = {};
  const values = names.map((name, i) => ((parameters[`n${i}`] = name), `(:n${i})`)).join(", ");
  await sql(
    manager,
    `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(n) AS h FROM (VALUES ${values}) AS t(n) ORDER BY h) AS ordered`,
    parameters,
  );
}

/** Rows per multi-row statement: 200 rows of up to 9 columns stay under every engine's parameter limit. */
const ROWS_PER_STATEMENT = 200;

/** Multi-row INSERTs, a chunk at a time. */
export async function insertRows(
  tx: EntityManager,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<void> {
  await inChunks(rows, async (values, parameters) => {
    await sql(tx, `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values}`, parameters);
  });
}

/**
 * Multi-row `INSERT ... ON CONFLICT DO NOTHING`, a chunk at a time, inside a transaction: answers how
 * many rows were new, so a caller that finds all of them new needs no read to learn who holds them.
 */
export async function insertNew(
  tx: EntityManager,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<number> {
  let inserted = 0;
  await inChunks(rows, async (values, parameters) => {
    inserted += await changedRows(
      tx,
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values} ON CONFLICT DO NOTHING`,
      parameters,
    );
  });
  return inserted;
}

/**
 * A condition true for rows whose columns equal one of the tuples: `(a = :x0_0 AND b = :x0_1) OR
 * ...`, its parameters added to `parameters` under `prefix` (row values are not portable). For a
 * bounded number of tuples: the callers' batches.
 */
export function matchesAny(
  columns: string[],
  tuples: unknown[][],
  parameters: Record<string, unknown>,
  prefix: string,
): string {
  return tuples
    .map(
      (tuple, t) =>
        `(${columns.map((column, c) => ((parameters[`${prefix}${t}_${c}`] = tuple[c]), `${column} = :${prefix}${t}_${c}`)).join(" AND ")})`,
    )
    .join(" OR ");
}

/**
 * Writes rows by their keys, creating the missing ones (both engines' upsert): "add" adds the
 * columns into what is there (rollups), "set" replaces it (a user's state).
 */
export async function upsert(
  tx: EntityManager,
  table: string,
  keys: string[],
  columns: string[],
  rows: unknown[][],
  mode: "add" | "set",
): Promise<void> {
  const assign = columns
    .map((column) => `${column} = ${mode === "add" ? `${table}.${column} + ` : ""}excluded.${column}`)
    .join(", ");
  await inChunks(rows, async (values, parameters) => {
    await sql(
      tx,
      `INSERT INTO ${table} (${[...keys, ...columns].join(", ")}) VALUES ${values}
       ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${assign}`,
      parameters,
    );
  });
}

/** Runs `statement` for each chunk of ROWS_PER_STATEMENT rows, given as a VALUES list and its parameters. */
async function inChunks(
  rows: unknown[][],
  statement: (values: string, parameters: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const { values, parameters } = valuesOf(rows.slice(start, start + ROWS_PER_STATEMENT));
    await statement(values, parameters);
  }
}

function valuesOf(rows: unknown[][]): { values: string; parameters: Record<string, unknown> } {
  const parameters: Record<string, unknown> = {};
  const values = rows
    .map(
      (row, r) =>
        `(${row.map((value, c) => ((parameters[`v${r}_${c}`] = value), `:v${r}_${c}`)).join(", ")})`,
    )
    .join(", ");
  return { values, parameters };
}
