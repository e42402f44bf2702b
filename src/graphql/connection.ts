import { IsInt, IsOptional, Max, Min, validateSync } from "class-validator";
import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";
import type { Page, PageRequest } from "../db/pagination";
import { isId } from "../shared/ids";
import { badUserInput } from "./errors";

export const MAX_PAGE_SIZE = 100;

@ObjectType({ description: "Where this page is in the whole list." })
export class PageInfo {
  @Field({ description: "Whether more items follow this page." })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: "Pass as `after` to get the next page." })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, defaultValue: 50, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` })
  @IsOptional()
  @IsInt()
  @Min(1, { message: `first must be from 1 to ${MAX_PAGE_SIZE}` })
  @Max(MAX_PAGE_SIZE, { message: `first must be from 1 to ${MAX_PAGE_SIZE}` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "The endCursor of the previous page." })
  after?: string | null;
}

const CURSOR_PREFIX = "px1:";

function encodeCursor(id: string): string {
  return Buffer.from(CURSOR_PREFIX + id, "utf8").toString("base64url");
}

/**
 * Turns the GraphQL page arguments into a PageRequest, by PageArgs' rules; a cursor we did not make
 * is refused. The request limits run it on every page of an operation before any field does.
 */
export function pageRequest(args: Partial<Record<keyof PageArgs, unknown>>): PageRequest {
  const problems = validateSync(Object.assign(new PageArgs(), args)).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );
  if (problems.length) throw badUserInput([...new Set(problems)].join("; "));
  const first = (args.first as number | null | undefined) ?? 50;
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
  const edges = page.nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    nodes: page.nodes,
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
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
