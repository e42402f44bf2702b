import { Column, type ColumnOptions, type ValueTransformer } from "typeorm";

/**
 * Instants are stored as Unix milliseconds in a bigint column on both engines: SQLite has no time
 * type, and integers bind, compare and index the same way everywhere (windows, cursors, results).
 */
const millis: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  // pg returns bigint as a string; sqlite3 as a number.
  from: (value: string | number | null) =>
    value === null || value === undefined ? null : new Date(Number(value)),
};

/** JSON documents are stored as text: portable, and never queried inside by SQL. */
const json: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? undefined : value === null ? null : JSON.stringify(value)),
  from: (value: string | null) => (value === null || value === undefined ? null : JSON.parse(value)),
};

export function InstantColumn(options: Omit<ColumnOptions, "type" | "transformer"> = {}): PropertyDecorator {
  return Column({ ...options, type: "bigint", transformer: millis });
}

export function JsonColumn(options: Omit<ColumnOptions, "type" | "transformer"> = {}): PropertyDecorator {
  return Column({ ...options, type: "text", transformer: json });
}
