import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { ApolloServer } from "@apollo/server";
import { print, type GraphQLFormattedError } from "graphql";
import pino from "pino";
import { Role } from "../../src/access/role";
import { openDatabase } from "../../src/db/database";
import { createApollo } from "../../src/graphql/apollo";
import { authenticate } from "../../src/graphql/authenticate";
import type { RequestContext } from "../../src/graphql/context";
import { buildAppSchema } from "../../src/graphql/schema";
import { createServices, type Services } from "../../src/services";
import type { Signals } from "../../src/shared/signals";
import type { Clock } from "../../src/shared/clock";
import { freshDatabase, type TestDatabase } from "./database";
import { fixtures } from "./fixtures";

export interface Response<TData> {
  data?: TData | null;
  errors?: readonly GraphQLFormattedError[];
}

type Document<TData, TVariables> = TypedDocumentNode<TData, TVariables> | string;

/** What a test needs to speak GraphQL to a server as a token's holder, in this process or over HTTP. */
export interface GraphqlClient {
  /** Secret of the first project's ADMIN token: the default for execute and query. */
  adminToken: string;
  /** Runs an operation as the token's holder; returns data and errors as the client would see them. */
  execute<TData, TVariables>(
    document: Document<TData, TVariables>,
    variables?: TVariables,
    token?: string,
  ): Promise<Response<TData>>;
  /** Like execute, but fails the test on any top-level error. */
  query<TData, TVariables>(
    document: Document<TData, TVariables>,
    variables?: TVariables,
    token?: string,
  ): Promise<TData>;
}

/**
 * The whole server but the HTTP listener, on a fresh real database: tests speak GraphQL to it with
 * a bearer token, exactly as a client does (authentication included).
 */
export interface TestApp extends GraphqlClient {
  services: Services;
  /** The database under this app; pass it to startTestApp again to "restart" on the same data. */
  database: TestDatabase;
  apollo: ApolloServer<RequestContext>;
  /** A new token of the first project (or of the project behind `adminOf`). */
  tokenFor(role: Role, adminOf?: string): Promise<string>;
  /** Counts the SQL statements `work` causes (every connection, every engine). */
  countQueries(work: () => Promise<unknown>): Promise<number>;
  /** Counts the SQL statements `work` causes that match `pattern`, e.g. /^COMMIT/i for the transactions it commits. */
  countStatements(pattern: RegExp, work: () => Promise<unknown>): Promise<number>;
  /** A second, separate project; returns its ADMIN secret. */
  newProject(name?: string): Promise<string>;
  close(): Promise<void>;
}

export const ADMIN_SECRET = "px_test_admin_secret_0123456789";

export async function startTestApp(
  options: {
    production?: boolean;
    database?: TestDatabase;
    clock?: Clock;
    /** What the services tell an operator (the server passes its metrics); nothing unless given. */
    signals?: Signals;
    /**
     * When a repeated query is compiled (graphql/compiled-execution.ts). 1 unless told: every query of
     * the suite runs compiled; Infinity runs graphql-js alone.
     */
    compileAt?: number;
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await freshDatabase());
  /** The counts running (they may nest): which statements each counts, and how many it has seen. */
  const counters = new Set<{ counts: (statement: string) => boolean; count: number }>();
  const db = await openDatabase(database.config, (query) => {
    for (const counter of counters) if (counter.counts(query.trim())) counter.count++;
  });
  const countWhile = async (counts: (statement: string) => boolean, work: () => Promise<unknown>) => {
    const counter = { counts, count: 0 };
    counters.add(counter);
    try {
      await work();
      return counter.count;
    } finally {
      counters.delete(counter);
    }
  };
  const logger = pino({ level: "silent" });
  const services = createServices(db, logger, options.clock, options.signals);
  await services.projects.bootstrap(ADMIN_SECRET);
  const apollo = createApollo(await buildAppSchema(), {
    logger,
    production: options.production ?? false,
    compileAt: options.compileAt ?? 1,
  });
  await apollo.start();

  const execute = async <TData, TVariables>(
    document: Document<TData, TVariables>,
    variables?: TVariables,
    token: string = ADMIN_SECRET,
  ): Promise<Response<TData>> => {
    const contextValue = await authenticate(services, `Bearer ${token}`);
    const query = typeof document === "string" ? document : print(document);
    const response = await apollo.executeOperation<TData>(
      { query, variables: variables as Record<string, unknown> | undefined },
      { contextValue },
    );
    if (response.body.kind !== "single") throw new Error("expected a single result");
    // Through JSON, as a client receives it (dates become strings).
    return JSON.parse(JSON.stringify(response.body.singleResult)) as Response<TData>;
  };

  const app: TestApp = {
    services,
    database,
    apollo,
    adminToken: ADMIN_SECRET,
    execute,
    async query(document, variables, token) {
      const response = await execute(document, variables, token);
      if (response.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`);
      return response.data!;
    },
    // Transaction control is not a query the code asked for.
    countQueries: (work) =>
      countWhile(
        (statement) => !/^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE)/i.test(statement),
        work,
      ),
    countStatements: (pattern, work) => countWhile((statement) => pattern.test(statement), work),
    tokenFor: (role, adminOf = ADMIN_SECRET) =>
      fixtures(app, adminOf).token(role, `${role.toLowerCase()}-token`),
    async newProject(name = "Other project") {
      const created = await app.query(
        `mutation ($name: String!) { createProject(name: $name) { adminSecret } }`,
        { name },
      );
      return (created as { createProject: { adminSecret: string } }).createProject.adminSecret;
    },
    async close() {
      await apollo.stop();
      await db.close();
      // A database handed in belongs to the caller, who may start another app on it.
      if (!options.database) await database.drop();
    },
  };
  return app;
}
