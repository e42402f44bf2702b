import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import type { Engine } from "./database";
import { sql } from "./sql";

/** A page of a list ordered by id; ids are UUIDv7, so that is creation order (shared/ids.ts). */
export interface PageRequest {
  first: number;
  /** Id of the last row of the previous page. */
  after: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  /** Exact for lists paged in memory; for SQL pages, whether the page started from a cursor (as Relay allows). */
  hasPreviousPage: boolean;
  /** The order the page is in, which its cursors encode (creation order when absent). */
  order?: ListOrder;
  /** Counted only if asked for: a list that does not show its total does not pay for it. */
  totalCount: () => Promise<number>;
}

/** A page of a log, newest first (ids are creation order), after the cursor's row. */
export async function newestFirstPageOf<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  page: PageRequest,
): Promise<Page<T>> {
  const rows = query.clone();
  if (page.after !== null) rows.andWhere(`${alias}.id < :pageAfter`, { pageAfter: page.after });
  const nodes = await rows
    .orderBy(`${alias}.id`, "DESC")
    .take(page.first + 1)
    .getMany();
  const hasNextPage = nodes.length > page.first;
  return {
    nodes: hasNextPage ? nodes.slice(0, page.first) : nodes,
    hasNextPage,
    hasPreviousPage: page.after !== null,
    totalCount: countOf(query),
  };
}

/**
 * A page of each owner's log, newest first (`table`'s rows whose `ownerColumn` is one of `owners`,
 * in one project), in one statement however many owners a list shows: a window function numbers
 * each owner's rows. Counts come in one more statement, and only if asked for. `toNode` makes a
 * node of a raw row (snake_case columns, bigints maybe as strings).
 */
export async function newestFirstPagesOf<Row extends { id: string }, T>(
  reader: EntityManager,
  log: { table: string; ownerColumn: string; toNode: (row: Row) => T },
  projectId: string,
  owners: readonly string[],
  page: PageRequest,
): Promise<Map<string, Page<T>>> {
  const { table, ownerColumn } = log;
  const rows = await sql<Row & Record<string, unknown>>(
    reader,
    `SELECT * FROM (
       SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.${ownerColumn} ORDER BY t.id DESC) AS position
         FROM ${table} t
        WHERE t.project_id = :projectId AND t.${ownerColumn} IN (:...owners)${page.after === null ? "" : " AND t.id < :after"}
     ) ranked WHERE position <= :limit ORDER BY ${ownerColumn}, id DESC`,
    { projectId, owners, after: page.after, limit: page.first + 1 },
  );
  let counts: Promise<Map<string, number>> | null = null;
  const countOf = async (owner: string) => {
    counts ??= sql<{ owner: string; n: number | string }>(
      reader,
      `SELECT ${ownerColumn} AS owner, COUNT(*) AS n FROM ${table} WHERE project_id = :projectId AND ${ownerColumn} IN (:...owners) GROUP BY ${ownerColumn}`,
      { projectId, owners },
    ).then((found) => new Map(found.map((row) => [row.owner, Number(row.n)])));
    return (await counts).get(owner) ?? 0;
  };
  const pages = new Map<string, Page<T>>();
  for (const owner of owners) {
    const nodes = rows.filter((row) => row[ownerColumn] === owner).map(log.toNode);
    const hasNextPage = nodes.length > page.first;
    pages.set(owner, {
      nodes: nodes.slice(0, page.first),
      hasNextPage,
      hasPreviousPage: page.after !== null,
      totalCount: () => countOf(owner),
    });
  }
  return pages;
}

function countOf<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): () => Promise<number> {
  let counted: Promise<number> | null = null;
  return () => (counted ??= query.clone().getCount());
}

/** What a dashboard's list can be sorted by; ties are broken by id, so every order is total. */
export type OrderField = "name" | "createdAt" | "updatedAt";

export interface ListOrder {
  field: OrderField;
  descending: boolean;
}

export const CREATION_ORDER: ListOrder = { field: "createdAt", descending: false };

/** The rows a sortable list holds: named, with their times. */
export interface OrderedRow {
  id: string;
  nameKey: string;
  updatedAt: Date;
}

/**
 * Where a cursor points: the row's sort value and its id. Creation order needs no value (ids are
 * creation order), names sort by their lower-cased form, times by milliseconds.
 */
export interface Position {
  value: string | number | null;
  id: string;
}

/** A page of a sortable list: `size` rows after the cursor, or (backward) the `size` rows before it. */
export interface ListRequest {
  size: number;
  backward: boolean;
  cursor: Position | null;
  order: ListOrder;
}

export function positionOf(row: OrderedRow, order: ListOrder): Position {
  const value =
    order.field === "name" ? row.nameKey : order.field === "updatedAt" ? row.updatedAt.getTime() : null;
  return { value, id: row.id };
}

/**
 * Strings in code point order, the order SQLite's BINARY and PostgreSQL's "C" collation give: `<`
 * compares UTF-16 units, which puts U+E000–U+FFFF after the astral planes' surrogates.
 */
export function compareText(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

function comparePositions(a: Position, b: Position): number {
  if (a.value !== null && b.value !== null && a.value !== b.value) {
    return typeof a.value === "number" && typeof b.value === "number"
      ? a.value - b.value
      : compareText(String(a.value), String(b.value));
  }
  return compareText(a.id, b.id);
}

function isSortedById(rows: readonly { id: string }[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i - 1].id >= rows[i].id) return false;
  return true;
}

/** The same paging over rows already in memory (in any order): sorted, then cut at the cursor. */
export function pageOfRows<T extends OrderedRow>(rows: readonly T[], request: ListRequest): Page<T> {
  const { order } = request;
  const sign = order.descending ? -1 : 1;
  const positioned = rows.map((row) => ({ row, position: positionOf(row, order) }));
  // Lists in memory are kept in creation order already (ids are creation order): no sort needed then.
  const sorted =
    order.field === "createdAt" && isSortedById(rows)
      ? order.descending
        ? positioned.reverse()
        : positioned
      : positioned.sort((a, b) => sign * comparePositions(a.position, b.position));
  // The first row past the cursor's position (the cursor's own row need not exist any more).
  const cursor = request.cursor;
  let past =
    cursor === null ? 0 : sorted.findIndex(({ position }) => sign * comparePositions(position, cursor) > 0);
  if (past === -1) past = sorted.length;
  // Backward: the rows before the cursor's row, which sits just before `past` when it still exists.
  const atOrPast =
    cursor === null
      ? sorted.length
      : sorted.findIndex(({ position }) => sign * comparePositions(position, cursor) >= 0);
  const end = request.backward
    ? atOrPast === -1
      ? sorted.length
      : atOrPast
    : Math.min(sorted.length, past + request.size);
  const start = request.backward ? Math.max(0, end - request.size) : past;
  return {
    nodes: sorted.slice(start, end).map(({ row }) => row),
    hasNextPage: end < sorted.length,
    hasPreviousPage: start > 0,
    order,
    totalCount: () => Promise.resolve(rows.length),
  };
}

/**
 * A page of a sortable list in SQL, by keyset (the cursor's value and id), so a cursor stays valid
 * and no row is skipped or repeated when rows are added. Names compare by code point on both
 * engines (PostgreSQL's "C" collation), as pageOfRows does.
 */
export async function listPageOf<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  request: ListRequest,
  engine: Engine,
): Promise<Page<T>> {
  const { order, cursor, backward } = request;
  const column =
    order.field === "name"
      ? `${alias}.nameKey${engine === "postgres" ? ' COLLATE "C"' : ""}`
      : order.field === "updatedAt"
        ? `${alias}.updatedAt`
        : null;
  // Reading backward is reading the reversed order forward, then turning the page around.
  const descending = order.descending !== backward;
  const direction = descending ? "DESC" : "ASC";
  const beyond = descending ? "<" : ">";
  const rows = query.clone();
  if (cursor !== null) {
    if (column === null) rows.andWhere(`${alias}.id ${beyond} :cursorId`, { cursorId: cursor.id });
    else
      rows.andWhere(
        `(${column} ${beyond} :cursorValue OR (${column} = :cursorValue AND ${alias}.id ${beyond} :cursorId))`,
        { cursorValue: cursor.value, cursorId: cursor.id },
      );
  }
  if (column !== null) rows.orderBy(column, direction).addOrderBy(`${alias}.id`, direction);
  else rows.orderBy(`${alias}.id`, direction);
  const found = await rows.take(request.size + 1).getMany();
  const more = found.length > request.size;
  const nodes = more ? found.slice(0, request.size) : found;
  if (backward) nodes.reverse();
  return {
    nodes,
    hasNextPage: backward ? cursor !== null : more,
    hasPreviousPage: backward ? more : cursor !== null,
    order,
    totalCount: countOf(query),
  };
}
