import type { ObjectLiteral, SelectQueryBuilder } from "typeorm";

/** A page of a list ordered by id; ids are UUIDv7, so that is creation order (shared/ids.ts). */
export interface PageRequest {
  first: number;
  /** Id of the last row of the previous page. */
  after: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  /** Counted only if asked for: a list that does not show its total does not pay for it. */
  totalCount: () => Promise<number>;
}

export async function pageOf<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  page: PageRequest,
  order: "oldest-first" | "newest-first" = "oldest-first",
): Promise<Page<T>> {
  let counted: Promise<number> | null = null;
  const totalCount = () => (counted ??= query.clone().getCount());
  const newestFirst = order === "newest-first";
  const rows = query.clone();
  if (page.after !== null) {
    rows.andWhere(`${alias}.id ${newestFirst ? "<" : ">"} :pageAfter`, { pageAfter: page.after });
  }
  const nodes = await rows
    .orderBy(`${alias}.id`, newestFirst ? "DESC" : "ASC")
    .take(page.first + 1)
    .getMany();
  const hasNextPage = nodes.length > page.first;
  return { nodes: hasNextPage ? nodes.slice(0, page.first) : nodes, hasNextPage, totalCount };
}

/** The same paging over rows already in memory, ordered by id (oldest first). */
export function pageOfRows<T extends { id: string }>(rows: readonly T[], page: PageRequest): Page<T> {
  let start = 0;
  if (page.after !== null) {
    while (start < rows.length && rows[start].id <= page.after) start++;
  }
  const nodes = rows.slice(start, start + page.first);
  return {
    nodes,
    hasNextPage: start + page.first < rows.length,
    totalCount: () => Promise.resolve(rows.length),
  };
}
