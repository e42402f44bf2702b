import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { ApolloServer } from "@apollo/server";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";
import { print, type GraphQLFormattedError } from "graphql";
import pino, { type Logger } from "pino";
import { Role } from "../../src/access/role";
import { DEFAULT_WEBHOOK_POLICY, loadConfig, type WebhookPolicy } from "../../src/config";
import { openDatabase } from "../../src/db/database";
import { createApollo } from "../../src/graphql/apollo";
import { authenticate } from "../../src/graphql/authenticate";
import type { RequestContext } from "../../src/graphql/context";
import { buildAppSchema } from "../../src/graphql/schema";
import { startServer, type RunningServer } from "../../src/server";
import { createServices, type Services } from "../../src/services";
import type { Signals } from "../../src/shared/signals";
import type { Clock } from "../../src/shared/clock";
import type { Resolve } from "../../src/webhooks/webhook-sender";
import { databaseUrl, freshDatabase, type TestDatabase } from "./database";
import { fixtures, unique } from "./fixtures";

/*
 * The one place tests reach a server from. Pick the nearest to what the test is about; each speaks
 * GraphQL as a client does (a bearer token, authentication included) on a fresh database of the
 * pass's engine:
 * - startTestApp: services and Apollo in this process, operations through executeOperation. The
 *   default for API behaviour: fastest, and it exposes the services, the database and SQL counts.
 * - startHttpServer: the whole server (src/server.ts) in this process, listening on a free port,
 *   for what only HTTP has: OFREP, CORS, compression, body limits, the playground, /healthz.
 * - startServerProcess: src/main.ts in a child process, as `npm start` runs it, for signals, kill -9
 *   and restarts, configuration errors, and several processes on one PostgreSQL.
 * httpClient gives the listening ones the same execute/query as the in-process app, so fixtures
 * (fixtures.ts) work on all three.
 */

// ------------------------------------------------------------------ in process

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
    /** How webhooks are checked (no dispatcher runs in process: deliveries stay PENDING). */
    webhookPolicy?: Partial<WebhookPolicy> & { resolve?: Resolve };
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
  const services = createServices(db, logger, options.clock, options.signals, {
    ...DEFAULT_WEBHOOK_POLICY,
    ...options.webhookPolicy,
  });
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
    async newProject(name = unique("Project")) {
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

// ------------------------------------------------------------------ in this process, over HTTP

/** The whole server in this process, listening on a free port, on a fresh database of the pass's engine. */
export interface HttpTestServer {
  url: string;
  server: RunningServer;
  database: TestDatabase;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

export async function startHttpServer(
  options: { env?: Record<string, string>; logger?: Logger } = {},
): Promise<HttpTestServer> {
  const database = await freshDatabase();
  const config = loadConfig({ PORT: "0", DATABASE_URL: databaseUrl(database.config), ...options.env });
  const server = await startServer(config, options.logger ?? pino({ level: "silent" }));
  return {
    url: server.url,
    server,
    database,
    async close() {
      await server.close();
      await database.drop();
    },
  };
}

// ------------------------------------------------------------------ a child process

const ROOT = path.join(__dirname, "..", "..");

/** A real server process (`src/main.ts`), as `npm start` runs it, on the given environment. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the output once it contains `text` (what a process prints after it listens comes a moment later). */
  printed(text: string): Promise<string>;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** Kills every server process a test started and left running (call in afterEach). */
export async function stopServerProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ["-r", path.join(ROOT, "scripts", "register-ts.js"), path.join(ROOT, "src", "main.ts")],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", PORT: "0", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    // Compiling the sources on start takes a few seconds, more while other test workers run.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const poll = setInterval(() => {
      const listening = /"url":"(http:[^"]+)".*is listening/.exec(output);
      if (listening) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(listening[1]);
      }
    }, 20);
    void exited.then(() => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${output}`));
    });
  });
  const printed = async (text: string) => {
    for (let waited = 0; !output.includes(text) && waited < 10_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return output;
  };
  return { url, child, output: () => output, printed, exited };
}

/** A port nothing listens on now: one the system just handed out and took back. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const listener = createServer().listen(0, "127.0.0.1", () => {
      const { port } = listener.address() as AddressInfo;
      listener.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------ GraphQL over HTTP

/**
 * GraphQL over HTTP to a server at `url` (a child process, or one listening in this process), with
 * the same execute/query as the in-process TestApp, so fixtures and checks work on either.
 */
export function httpClient(url: string, adminToken: string): GraphqlClient {
  const execute = async <TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
    token: string = adminToken,
  ): Promise<Response<TData>> => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: typeof document === "string" ? document : print(document), variables }),
    });
    const text = await response.text();
    try {
      return JSON.parse(text) as Response<TData>;
    } catch {
      throw new Error(`HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  };
  return {
    adminToken,
    execute,
    async query(document, variables, token) {
      const response = await execute(document, variables, token);
      if (response.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`);
      return response.data!;
    },
  };
}
