import type { EntityManager, ObjectLiteral } from "typeorm";

/** " FOR UPDATE" where the engine has row locks (PostgreSQL); SQLite runs one writer at a time anyway. */
export function forUpdate(manager: EntityManager): string {
  return manager.connection.driver.options.type === "postgres" ? " FOR UPDATE" : "";
}

/** " FOR SHARE": readers of a row that hold it until commit, while FOR UPDATE waits for them (PostgreSQL). */
export function forShare(manager: EntityManager): string {
  return manager.connection.driver.options.type === "postgres" ? " FOR SHARE" : "";
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
  const [query, values] = manager.connection.driver.escapeQueryWithParameters(text, parameters, {});
  return manager.query(query, values);
}

/** A LIKE pattern for a substring search: `%`, `_` and `\` in it are literal characters, not wildcards. */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
