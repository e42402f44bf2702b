import type { TableColumnOptions } from "typeorm";

/**
 * Column shapes for migrations, in types both engines accept alike (docs/DESIGN.md): ids are
 * varchar(36) UUIDs, instants bigint milliseconds, JSON text. Migrations stay portable by using only these.
 */
export const column = {
  id: (name = "id"): TableColumnOptions => ({ name, type: "varchar", length: "36", isPrimary: true }),
  ref: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: "varchar",
    length: "36",
    isNullable: nullable,
  }),
  varchar: (name: string, length: number, nullable = false): TableColumnOptions => ({
    name,
    type: "varchar",
    length: String(length),
    isNullable: nullable,
  }),
  text: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: "text",
    isNullable: nullable,
  }),
  instant: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: "bigint",
    isNullable: nullable,
  }),
  integer: (name: string, defaultValue?: number): TableColumnOptions => ({
    name,
    type: "integer",
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  }),
  boolean: (name: string): TableColumnOptions => ({ name, type: "boolean" }),
  double: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: "double precision",
    isNullable: nullable,
  }),
};

/** The columns keys, segments and goals share (SetupItemEntity), around each one's own columns. */
export function setupItemColumns(...own: TableColumnOptions[]): TableColumnOptions[] {
  return [
    column.id(),
    column.ref("project_id"),
    column.varchar("name", 200),
    column.varchar("name_key", 200),
    column.text("search_text"),
    column.text("description", true),
    ...own,
    column.instant("archived_at", true),
    column.instant("created_at"),
    column.instant("updated_at"),
  ];
}
