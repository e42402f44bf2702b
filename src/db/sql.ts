import type { EntityManager, ObjectLiteral } from "typeorm";

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
