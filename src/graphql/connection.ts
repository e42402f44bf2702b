import { IsInt, IsOptional, Max, Min, validateSync } from "class-validator";
import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType, type ClassType } from "type-graphql";
import {
  CREATION_ORDER,
  positionOf,
  type ListOrder,
  type ListRequest,
  type OrderedRow,
  type Page,
  type PageRequest,
  type Position,
} from "../db/pagination";
import { isId } from "../shared/ids";
import { badUserInput } from "./errors";

export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 50;

@ObjectType({ description: "Where this page is in the whole list." })
export class PageInfo {
  @Field({ description: "Whether more items follow this page." })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: "Pass as `after` to get the next page." })
  endCursor!: string | null;

  @Field({
    description:
      "Whether items come before this page. Exact for keys, segments and goals; elsewhere, whether the page started from a cursor.",
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "Pass as `before` to get the previous page." })
  startCursor!: string | null;
}

export enum ListOrderField {
  NAME = "name",
  CREATED_AT = "createdAt",
  UPDATED_AT = "updatedAt",
}
registerEnumType(ListOrderField, {
  name: "ListOrderField",
  description: "What a list is sorted by; items that tie are in creation order.",
  valuesConfig: {
    NAME: { description: "The name, ignoring case, in code point order." },
    CREATED_AT: { description: "Creation (the default)." },
    UPDATED_AT: { description: "The last change." },
  },
});

export enum OrderDirection {
  ASC = "ASC",
  DESC = "DESC",
}
registerEnumType(OrderDirection, {
  name: "OrderDirection",
  description: "Ascending or descending.",
  valuesConfig: {
    ASC: { description: "Smallest first: A to Z, oldest first." },
    DESC: { description: "Largest first: Z to A, newest first." },
  },
});

@InputType({ description: "How to sort a list." })
export class ListOrderInput {
  @Field(() => ListOrderField, { description: "What to sort by." })
  field!: ListOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: "Which way." })
  direction!: OrderDirection;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_PAGE_SIZE,
    description: `Page size, 1 to ${MAX_PAGE_SIZE}.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1, { message: `first must be from 1 to ${MAX_PAGE_SIZE}` })
  @Max(MAX_PAGE_SIZE, { message: `first must be from 1 to ${MAX_PAGE_SIZE}` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "The endCursor of the previous page." })
  after?: string | null;
}

@ArgsType()
export class ListArgs extends PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page backward: this many items (1 to ${MAX_PAGE_SIZE}) before \`before\` (or the end); \`first\` is then ignored.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1, { message: `last must be from 1 to ${MAX_PAGE_SIZE}` })
  @Max(MAX_PAGE_SIZE, { message: `last must be from 1 to ${MAX_PAGE_SIZE}` })
  last?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "The startCursor of the next page: get the items before it.",
  })
  before?: string | null;

  @Field(() => ListOrderInput, {
    nullable: true,
    description:
      "The sort; null: creation order, oldest first. A cursor is valid only with the order it came from.",
  })
  orderBy?: ListOrderInput | null;
}

/** Creation-order cursors carry the id; cursors of other orders the sort value too. */
const CURSOR_PREFIX = "px1:";
const ORDERED_CURSOR_PREFIX = "px2:";

function encodeCursor(id: string): string {
  return Buffer.from(CURSOR_PREFIX + id, "utf8").toString("base64url");
}

function isCreationOrder(order: ListOrder): boolean {
  return order.field === CREATION_ORDER.field && order.descending === CREATION_ORDER.descending;
}

function encodeListCursor(position: Position, order: ListOrder): string {
  if (isCreationOrder(order)) return encodeCursor(position.id);
  const text = JSON.stringify([order.field, order.descending, position.value, position.id]);
  return Buffer.from(ORDERED_CURSOR_PREFIX + text, "utf8").toString("base64url");
}

/** The position a cursor of this order points at, or null when it is not one. */
function decodeListCursor(cursor: unknown, order: ListOrder): Position | null {
  const decoded = typeof cursor === "string" ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (isCreationOrder(order)) {
    const id = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : "";
    return isId(id) ? { value: null, id } : null;
  }
  if (!decoded.startsWith(ORDERED_CURSOR_PREFIX)) return null;
  let parts: unknown;
  try {
    parts = JSON.parse(decoded.slice(ORDERED_CURSOR_PREFIX.length));
  } catch {
    return null;
  }
  if (!Array.isArray(parts) || parts.length !== 4) return null;
  const [field, descending, value, id] = parts as unknown[];
  const valueFits =
    order.field === "name"
      ? typeof value === "string"
      : order.field === "updatedAt"
        ? Number.isSafeInteger(value)
        : value === null;
  if (field !== order.field || descending !== order.descending || !valueFits) return null;
  return typeof id === "string" && isId(id) ? { value: value as string | number, id } : null;
}

function problemsOf(args: object): string[] {
  const problems = validateSync(args).flatMap((error) => Object.values(error.constraints ?? {}));
  return [...new Set(problems)];
}

/**
 * A sortable list's arguments as a ListRequest, by ListArgs' rules: \`last\` or \`before\` pages
 * backward; a cursor of another list or order is refused. The request limits run it on every page
 * of an operation before any field does.
 */
export function listRequest(args: Partial<Record<keyof ListArgs, unknown>>): ListRequest {
  const problems = problemsOf(Object.assign(new ListArgs(), args));
  if (args.after != null && args.before != null) problems.push("give after or before, not both");
  if (problems.length) throw badUserInput(problems.join("; "));
  const orderBy = args.orderBy as ListOrderInput | null | undefined;
  const order: ListOrder = orderBy
    ? { field: orderBy.field, descending: orderBy.direction === OrderDirection.DESC }
    : CREATION_ORDER;
  const backward = args.last != null || args.before != null;
  const size = ((backward ? (args.last ?? args.first) : args.first) as number | null | undefined) ?? 50;
  const given = backward ? args.before : args.after;
  if (given === undefined || given === null) return { size, backward, cursor: null, order };
  const cursor = decodeListCursor(given, order);
  if (!cursor)
    throw badUserInput(
      `${backward ? "before" : "after"} is not a cursor of this list in this order: pass a cursor of a previous page with the same orderBy`,
    );
  return { size, backward, cursor, order };
}

/** How many items a page of a connection field can hold, for the request limits' cost. */
export function pageSizeOf(args: Record<string, unknown>): number {
  const size = args.last ?? args.first;
  return typeof size === "number" ? Math.min(Math.max(size, 0), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
}

/**
 * Turns the GraphQL page arguments into a PageRequest, by PageArgs' rules; a cursor we did not make
 * is refused. The request limits run it on every page of an operation before any field does.
 */
export function pageRequest(args: Partial<Record<keyof PageArgs, unknown>>): PageRequest {
  const problems = problemsOf(Object.assign(new PageArgs(), args));
  if (problems.length) throw badUserInput(problems.join("; "));
  const first = (args.first as number | null | undefined) ?? DEFAULT_PAGE_SIZE;
  if (args.after === undefined || args.after === null) return { first, after: null };
  const decoded = typeof args.after === "string" ? Buffer.from(args.after, "base64url").toString("utf8") : "";
  const id = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : "";
  if (!isId(id))
    throw badUserInput("after is not a cursor of this list: pass the endCursor of a previous page");
  return { first, after: id };
}

export interface ConnectionShape<T> {
  nodes: T[];
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  /** Read (and so counted) only when the field is selected. */
  readonly totalCount: Promise<number>;
}

export function toConnection<T extends { id: string }>(page: Page<T>): ConnectionShape<T> {
  const order = page.order;
  // A page has an order only when it was cut from OrderedRows (pageOfRows, listPageOf).
  const cursorOf = (node: T) =>
    order && !isCreationOrder(order)
      ? encodeListCursor(positionOf(node as unknown as OrderedRow, order), order)
      : encodeCursor(node.id);
  const edges = page.nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    nodes: page.nodes,
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges.length ? edges[0].cursor : null,
    },
    get totalCount() {
      return page.totalCount();
    },
  };
}

/** The `<Name>Connection` and `<Name>Edge` types of a list, as the GraphQL cursor-connection convention has them. */
export function connectionType<T extends object>(name: string, nodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`, { description: `A ${name} with its cursor.` })
  class Edge {
    @Field({ description: "Pass as `after` to get the items that follow this one." })
    cursor!: string;

    @Field(() => nodeType, { description: "The item." })
    node!: T;
  }

  @ObjectType(`${name}Connection`, {
    description: `A page of ${name} items, oldest first unless the query says otherwise.`,
    // totalCount is a promise made on demand: a field resolver, not a bare property read, is what
    // has every executor wait for it (graphql-jit reads plain properties as values).
    simpleResolvers: false,
  })
  class Connection implements ConnectionShape<T> {
    @Field(() => [nodeType], { description: "The page's items, in order." })
    nodes!: T[];

    @Field(() => [Edge], { description: "The same items with their cursors." })
    edges!: Edge[];

    @Field(() => PageInfo, { description: "Whether more items follow, and the cursor to get them." })
    pageInfo!: PageInfo;

    @Field(() => Int, {
      description: "Rows matching the filter, on all pages (counted only when asked for).",
    })
    totalCount!: Promise<number>;
  }
  return Connection;
}
