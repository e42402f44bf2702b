// A list page's parts: filters kept in the address (reload and back keep them), a table sorted by a
// column header's button, paging, and archiving several rows at once.
import { useState, type ReactNode } from "react";
import { ErrorAlerts, Loading, RequestError } from "./alerts";
import { Link, useSearchParams } from "react-router";
import type { ListOrderField, OrderDirection, PageInfoFieldsFragment } from "../../../client";
import type { UserErrorLike } from "../user-errors";

export const PAGE_SIZE = 100;

/**
 * Filters change the address at once (flushSync), not in a transition: a controlled field bound to
 * the address would otherwise show its old value until the transition lands, and lose keystrokes.
 */
export const AT_ONCE = { flushSync: true } as const;

/** One value kept in the address (typing replaces the history entry rather than adding one). */
export function useSearchParam(name: string): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const set = (value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true, ...AT_ONCE },
    );
  return [params.get(name) ?? "", set];
}

/** The list's state as the address holds it. */
export function useListParams() {
  const [params, setParams] = useSearchParams();
  const set = (changes: Record<string, string | null>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [name, value] of Object.entries(changes)) {
          if (value === null || value === "") next.delete(name);
          else next.set(name, value);
        }
        // A new filter or order starts again on the first page.
        if (!("after" in changes) && !("before" in changes)) {
          next.delete("after");
          next.delete("before");
        }
        return next;
      },
      { replace: "q" in changes, ...AT_ONCE },
    );
  const sort = (params.get("sort") ?? "NAME") as ListOrderField;
  const direction = (params.get("dir") ?? "ASC") as OrderDirection;
  const after = params.get("after");
  const before = params.get("before");
  return {
    params,
    set,
    search: params.get("q") ?? "",
    showArchived: params.get("archived") === "1",
    /** The setup lists' filter: by name, and archived ones too when asked. */
    filter: { search: params.get("q") || undefined, archived: params.get("archived") === "1" ? null : false },
    sort,
    direction,
    /** The connection arguments of the list query. */
    variables: {
      orderBy: { field: sort, direction },
      ...(before ? { last: PAGE_SIZE, before } : { first: PAGE_SIZE, after: after ?? undefined }),
    },
  };
}
export type ListParams = ReturnType<typeof useListParams>;

/** The searchbox of a list; `hint` says what it searches. */
export function SearchBox(props: { value: string; onChange(value: string): void; hint?: string }) {
  return (
    <input
      type="search"
      aria-label="Search"
      placeholder={props.hint ?? "Search by name"}
      value={props.value}
      onChange={(event) => props.onChange(event.target.value)}
    />
  );
}

export function SearchAndArchived({ list }: { list: ListParams }) {
  return (
    <div className="filters">
      <SearchBox value={list.search} onChange={(q) => list.set({ q })} />
      <label className="checkbox">
        <input
          type="checkbox"
          checked={list.showArchived}
          onChange={(event) => list.set({ archived: event.target.checked ? "1" : null })}
        />
        Show archived
      </label>
    </div>
  );
}

export interface Column<Row> {
  header: string;
  /** Sorting by this column's header button. */
  sortBy?: ListOrderField;
  cell(row: Row): ReactNode;
}

export interface BulkArchive {
  run(ids: string[]): Promise<{ archived: readonly string[]; userErrors: readonly UserErrorLike[] }>;
}

export function DataTable<Row extends { id: string; name: string; archived?: boolean }>(props: {
  caption: string;
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  linkTo(row: Row): string;
  list?: ListParams;
  totalCount?: number;
  pageInfo?: PageInfoFieldsFragment;
  bulkArchive?: BulkArchive;
  empty: string;
}) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkErrors, setBulkErrors] = useState<readonly UserErrorLike[]>([]);
  const [bulkDone, setBulkDone] = useState<string | null>(null);
  const { list, bulkArchive } = props;
  const toggle = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const archiveSelected = async () => {
    if (!bulkArchive) return;
    const names = new Map(props.rows.map((row) => [row.id, row.name]));
    const ids = [...selected];
    const result = await bulkArchive.run(ids);
    setBulkDone(
      result.archived.length
        ? `Archived ${result.archived.map((id) => names.get(id) ?? id).join(", ")}.`
        : null,
    );
    // Each refusal is at ["ids", index]: say which object it is about.
    setBulkErrors(
      result.userErrors.map((error) => {
        const id = error.field?.[0] === "ids" ? ids[Number(error.field[1])] : undefined;
        return id === undefined ? error : { ...error, message: `${names.get(id) ?? id}: ${error.message}` };
      }),
    );
    setSelected(new Set());
  };
  const sortButton = (column: Column<Row>) => {
    if (!list || !column.sortBy) return column.header;
    const active = list.sort === column.sortBy;
    return (
      <button
        type="button"
        className="sort"
        onClick={() =>
          list.set({ sort: column.sortBy!, dir: active && list.direction === "ASC" ? "DESC" : "ASC" })
        }
      >
        {column.header}
        <span aria-hidden="true">{active ? (list.direction === "ASC" ? " ▲" : " ▼") : ""}</span>
      </button>
    );
  };
  return (
    <>
      {bulkArchive && (
        <div className="toolbar">
          <button type="button" disabled={selected.size === 0} onClick={() => void archiveSelected()}>
            Archive selected
          </button>
          {bulkDone && <p role="status">{bulkDone}</p>}
        </div>
      )}
      <ErrorAlerts errors={bulkErrors} />
      {props.rows.length === 0 ? (
        <p className="status">{props.empty}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption>
              {props.caption}
              {props.totalCount !== undefined && ` (${props.totalCount})`}
            </caption>
            <thead>
              <tr>
                {bulkArchive && (
                  <th scope="col">
                    <span className="visually-hidden">Select</span>
                  </th>
                )}
                <th
                  scope="col"
                  aria-sort={
                    list?.sort === "NAME"
                      ? list.direction === "ASC"
                        ? "ascending"
                        : "descending"
                      : undefined
                  }
                >
                  {sortButton({ header: "Name", sortBy: "NAME", cell: () => null })}
                </th>
                {props.columns.map((column) => (
                  <th
                    scope="col"
                    key={column.header}
                    aria-sort={
                      column.sortBy && list?.sort === column.sortBy
                        ? list.direction === "ASC"
                          ? "ascending"
                          : "descending"
                        : undefined
                    }
                  >
                    {sortButton(column)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.rows.map((row) => (
                <tr key={row.id}>
                  {bulkArchive && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${row.name}`}
                        disabled={row.archived}
                        checked={selected.has(row.id)}
                        onChange={(event) => toggle(row.id, event.target.checked)}
                      />
                    </td>
                  )}
                  <th scope="row">
                    <Link to={props.linkTo(row)}>{row.name}</Link>
                    {row.archived && <span className="badge">archived</span>}
                  </th>
                  {props.columns.map((column) => (
                    <td key={column.header}>{column.cell(row)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list && props.pageInfo && (
        <div className="pager">
          <button
            type="button"
            disabled={!props.pageInfo.hasPreviousPage}
            onClick={() => list.set({ before: props.pageInfo!.startCursor ?? null, after: null })}
          >
            Previous page
          </button>
          <button
            type="button"
            disabled={!props.pageInfo.hasNextPage}
            onClick={() => list.set({ after: props.pageInfo!.endCursor ?? null, before: null })}
          >
            Next page
          </button>
        </div>
      )}
    </>
  );
}

export interface Connection<Row> {
  nodes: readonly Row[];
  totalCount: number;
  pageInfo: PageInfoFieldsFragment;
}

/**
 * A list page of keys, segments, goals or experiences: its heading, what may be made (`create`,
 * given only to roles that may), the filters, and the table, or what is happening instead.
 */
export function ListPage<Row extends { id: string; name: string; archived?: boolean }>(props: {
  title: string;
  /** One of them, for the empty state: "key". */
  noun: string;
  list: ListParams;
  connection: Connection<Row> | undefined;
  error: unknown;
  loading: boolean;
  create?: ReactNode;
  moreFilters?: ReactNode;
  archive?: BulkArchive["run"];
  columns: readonly Column<Row>[];
  linkTo(row: Row): string;
}) {
  const { list, connection } = props;
  return (
    <>
      <h1>{props.title}</h1>
      {props.create}
      <SearchAndArchived list={list} />
      {props.moreFilters}
      {props.error !== undefined && <RequestError error={props.error} />}
      {props.loading && !connection ? (
        <Loading what={props.title.toLowerCase()} />
      ) : (
        <DataTable<Row>
          caption={props.title}
          rows={connection?.nodes ?? []}
          totalCount={connection?.totalCount}
          pageInfo={connection?.pageInfo}
          list={list}
          linkTo={props.linkTo}
          empty={
            list.search || props.moreFilters
              ? `No ${props.noun} matches these filters.`
              : `No ${props.noun}s yet.`
          }
          bulkArchive={props.archive && { run: props.archive }}
          columns={props.columns}
        />
      )}
    </>
  );
}

/** A table's column headers. */
export function HeaderRow({ headers }: { headers: readonly string[] }) {
  return (
    <thead>
      <tr>
        {headers.map((header) => (
          <th scope="col" key={header}>
            {header}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/**
 * A page only an ADMIN uses (tokens, webhooks): its heading, and for other roles why there is
 * nothing; for an ADMIN what may be made, a search kept in the address, and the rest.
 */
export function AdminPage(props: {
  title: string;
  allowed: boolean;
  create: ReactNode;
  searchHint: string;
  search: [string, (value: string) => void];
  children: ReactNode;
}) {
  const [search, setSearch] = props.search;
  return (
    <>
      <h1>{props.title}</h1>
      {!props.allowed ? (
        <p>Only an ADMIN token sees and makes {props.title.toLowerCase()}.</p>
      ) : (
        <>
          {props.create}
          <div className="filters">
            <SearchBox value={search} onChange={setSearch} hint={props.searchHint} />
          </div>
          {props.children}
        </>
      )}
    </>
  );
}
