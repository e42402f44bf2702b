import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { type RunningServer } from "../../src/server";
import { databaseUrl, freshDatabase, type TestDatabase } from "../helpers/database";
import { startHttpServer, type HttpTestServer } from "../helpers/http-server";
import { startServerProcess, stopServerProcesses } from "../helpers/server-process";

const BOOTSTRAP = "px_http_test_bootstrap_secret";
const ROOT = path.join(__dirname, "..", "..");

let running: HttpTestServer;
let server: RunningServer;
let database: TestDatabase;

beforeAll(async () => {
  running = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: BOOTSTRAP } });
  ({ server, database } = running);
});
afterAll(() => running.close());

/** A GraphQL response body as JSON, errors included. */
interface Body {
  data?: unknown;
  errors?: { message: string; extensions: { code: string; stacktrace?: unknown } }[];
}

async function json(response: Response): Promise<Body> {
  return (await response.json()) as Body;
}

function post(body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${BOOTSTRAP}`, ...headers },
    body,
  });
}

describe("HTTP", () => {
  test("GET /healthz answers 200 while the database answers", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: database.config.engine });
  });

  test("GET /healthz answers 503 once the database no longer answers, and the server keeps running", async () => {
    const broken = await startHttpServer();
    try {
      await broken.server.services.db.close();
      const response = await fetch(`${broken.url}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: "unavailable",
        database: broken.database.config.engine,
        reason: "the database does not answer",
      });
      expect((await fetch(`${broken.url}/healthz`)).status).toBe(503);
    } finally {
      await broken.close();
    }
  });

  test("POST /graphql with the bootstrap token answers as its ADMIN", async () => {
    const response = await post(JSON.stringify({ query: "{ viewer { role tokenName } }" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { viewer: { role: "ADMIN", tokenName: "bootstrap" } } });
  });

  test.each([
    ["no Authorization header", {}],
    ["a wrong token", { authorization: "Bearer px_wrong" }],
    ["a malformed header", { authorization: "Basic abc" }],
  ])("%s is UNAUTHENTICATED (401), introspection included", async (_what, headers) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query: "{ __schema { queryType { name } } }" }),
    });
    expect(response.status).toBe(401);
    const body = await json(response);
    expect(body.errors![0].extensions.code).toBe("UNAUTHENTICATED");
    expect(body.errors![0].extensions.stacktrace).toBeUndefined();
  });

  test("a body over 1 MiB is refused with 413, and the server keeps serving", async () => {
    const response = await post(
      JSON.stringify({ query: "{ viewer { role } }", variables: { pad: "x".repeat(1024 * 1024) } }),
    );
    expect(response.status).toBe(413);
    expect((await json(response)).errors![0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await post(JSON.stringify({ query: "{ viewer { role } }" }))).status).toBe(200);
  });

  test("malformed JSON is a 400", async () => {
    const response = await post('{"query": "{ viewer');
    expect(response.status).toBe(400);
    expect((await json(response)).errors![0].extensions.code).toBe("BAD_REQUEST");
  });

  test("a JSON value that is not an object or a list is a 400, as malformed JSON is", async () => {
    const response = await post('"{ viewer { role } }"');
    expect(response.status).toBe(400);
    expect((await json(response)).errors![0].extensions.code).toBe("BAD_REQUEST");
  });

  // POST with a plain JSON body is served before Express (src/http/graphql-endpoint.ts); the rest
  // goes through Express. A client sees one server either way.
  test.each([
    ["plain JSON (served before Express)", () => post(JSON.stringify({ query: "{ viewer { role } }" }))],
    [
      "JSON with a charset",
      () =>
        post(JSON.stringify({ query: "{ viewer { role } }" }), {
          "content-type": "application/json; charset=UTF-8",
        }),
    ],
    [
      "a gzip-compressed body (through Express)",
      () =>
        fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-encoding": "gzip",
            authorization: `Bearer ${BOOTSTRAP}`,
          },
          body: gzipSync(JSON.stringify({ query: "{ viewer { role } }" })),
        }),
    ],
    [
      "GET with the query in the URL (through Express)",
      () =>
        fetch(`${server.url}/graphql?query=${encodeURIComponent("{ viewer { role } }")}`, {
          headers: {
            accept: "application/json",
            "apollo-require-preflight": "true",
            authorization: `Bearer ${BOOTSTRAP}`,
          },
        }),
    ],
  ])("a query sent as %s gets the same answer", async (_how, send) => {
    const response = await send();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ data: { viewer: { role: "ADMIN" } } });
  });

  test("malformed GraphQL is a top-level error with a code", async () => {
    const response = await post(JSON.stringify({ query: "{ viewer { role }" }));
    expect(response.status).toBe(400);
    expect((await json(response)).errors![0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  test("an operationName the document lacks, or several operations without one, is a 400 naming the problem, every time (compiled or not)", async () => {
    const two = "query A { viewer { role } } query B { viewer { role } }";
    for (const [body, message] of [
      [{ query: "query A { viewer { role } }", operationName: "B" }, 'Unknown operation named "B".'],
      [{ query: two }, "Must provide operation name if query contains multiple operations."],
    ] as const) {
      // Repeated past the point where a hot query is compiled (graphql/compiled-execution.ts).
      for (let attempt = 0; attempt < 4; attempt++) {
        const response = await post(JSON.stringify(body));
        expect(response.status).toBe(400);
        expect((await json(response)).errors).toEqual([
          { message, extensions: { code: "OPERATION_RESOLUTION_FAILURE" } },
        ]);
      }
    }
    const chosen = await post(JSON.stringify({ query: two, operationName: "B" }));
    expect(await chosen.json()).toEqual({ data: { viewer: { role: "ADMIN" } } });
  });
});

describe("the GraphiQL playground", () => {
  test("GET /graphql from a browser serves GraphiQL from this server only, no token needed", async () => {
    const response = await fetch(`${server.url}/graphql`, {
      headers: { accept: "text/html,application/xhtml+xml" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain('<script src="/graphiql/graphiql.js">');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of [
      "graphiql.js",
      "graphiql.css",
      "editor.worker.js",
      "json.worker.js",
      "graphql.worker.js",
    ]) {
      expect((await fetch(`${server.url}/graphiql/${asset}`)).status).toBe(200);
    }
  });

  test("no response to a request without a token holds a secret: not the first start's, not the bootstrap one", async () => {
    const firstStart = await startHttpServer();
    try {
      const made = firstStart.server.bootstrapped!.secret;
      expect(firstStart.server.bootstrapped!.created).toBe(true);
      const html = { accept: "text/html,application/xhtml+xml" };
      const requests: [string, RequestInit][] = [
        ["/graphql", { headers: html }],
        ["/graphql#token=x", { headers: html }],
        ["/graphql", {}],
        [
          "/graphql",
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: '{"query":"{ viewer { role } }"}',
          },
        ],
        [
          "/graphql",
          {
            method: "POST",
            headers: { "content-type": "application/json", authorization: "Bearer px_wrong" },
            body: '{"query":"{ viewer { role } }"}',
          },
        ],
        ["/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" }],
        ["/graphql", { method: "OPTIONS" }],
        ["/healthz", {}],
        ["/", {}],
        ["/graphiql/graphiql.js", {}],
        ["/graphiql/graphiql.css", {}],
        ["/graphiql/editor.worker.js", {}],
        ["/graphiql/nothing-here", {}],
      ];
      for (const target of [firstStart, server]) {
        for (const [path, init] of requests) {
          const response = await fetch(`${target.url}${path}`, init);
          const everything = JSON.stringify([...response.headers]) + (await response.text());
          expect(everything).not.toContain(made);
          expect(everything).not.toContain(BOOTSTRAP);
        }
      }
    } finally {
      await firstStart.close();
    }
  });
});

describe("a server process", () => {
  afterEach(stopServerProcesses);

  test("a first start with no token creates an ADMIN token and prints it once; SIGTERM stops it cleanly", async () => {
    const fresh = await freshDatabase();
    // On SQLite, also that the database's folder is made.
    const env = {
      DATABASE_URL:
        fresh.config.engine === "sqlite"
          ? `sqlite:${path.join(path.dirname(fresh.config.file), "nested", "px.sqlite")}`
          : databaseUrl(fresh.config),
    };
    try {
      const first = await startServerProcess(env);
      const secret = /px_[A-Za-z0-9_-]{43}/.exec(await first.printed("/graphql#token="))?.[0];
      expect(secret).toBeDefined();
      // The playground address carries it in the #fragment: the browser never sends that part.
      expect(first.output()).toContain(`${first.url}/graphql#token=${secret}`);
      const viewer = await fetch(`${first.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: "{ viewer { role project { name } } }" }),
      });
      expect(await viewer.json()).toEqual({
        data: { viewer: { role: "ADMIN", project: { name: "Default project" } } },
      });
      first.child.kill("SIGTERM");
      expect(await first.exited).toEqual({ code: 0, signal: null });
      expect(first.output()).not.toMatch(/"level":50/);

      const second = await startServerProcess(env);
      expect(second.output()).not.toMatch(/px_[A-Za-z0-9_-]{43}/);
      second.child.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);
    } finally {
      await stopServerProcesses();
      await fresh.drop();
    }
  });

  test("a start with BOOTSTRAP_ADMIN_TOKEN says it installed it, without printing it back", async () => {
    const fresh = await freshDatabase();
    const secret = "px_operator_chosen_secret_1234";
    try {
      const started = await startServerProcess({
        DATABASE_URL: databaseUrl(fresh.config),
        BOOTSTRAP_ADMIN_TOKEN: secret,
      });
      const installed = 'Installed BOOTSTRAP_ADMIN_TOKEN as the ADMIN token "bootstrap"';
      expect(await started.printed(installed)).toContain(installed);
      expect(started.output()).not.toContain(secret);
      expect(started.output()).not.toMatch(/px_[A-Za-z0-9_-]{43}/);
    } finally {
      await stopServerProcesses();
      await fresh.drop();
    }
  });

  test.each([
    [
      { DATABASE_URL: "mysql://nope" },
      /Configuration error: DATABASE_URL must start with sqlite: or postgres:\/\//,
    ],
    [{ PORT: "abc" }, /Configuration error: PORT must be a whole number from 0 to 65535, got "abc"/],
    [
      { BOOTSTRAP_ADMIN_TOKEN: "short" },
      /Configuration error: BOOTSTRAP_ADMIN_TOKEN must be at least 16 characters/,
    ],
    [{ LOG_LEVEL: "loud" }, /Configuration error: LOG_LEVEL must be one of/],
  ])("%j stops the start with a message naming the variable, and no stack trace", async (env, message) => {
    const failure = await startServerProcess(env).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(message);
    expect(failure).not.toMatch(/\n\s+at /);
  });

  test("SIGTERM to `npm start` stops the server: the start command's process is the server", async () => {
    // A scratch copy of the project (node_modules linked), so that its build does not rewrite files other suites read.
    const scratch = mkdtempSync(path.join(tmpdir(), "px-npm-start-"));
    const fresh = await freshDatabase();
    try {
      for (const entry of [
        "package.json",
        "tsconfig.json",
        "tsconfig.build.json",
        "ormconfig.ts",
        ".swcrc",
        "src",
        "scripts",
      ]) {
        cpSync(path.join(ROOT, entry), path.join(scratch, entry), { recursive: true });
      }
      symlinkSync(path.join(ROOT, "node_modules"), path.join(scratch, "node_modules"));
      const npm = spawn("npm", ["start"], {
        cwd: scratch,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? scratch,
          PORT: "0",
          DATABASE_URL: databaseUrl(fresh.config),
          LOG_LEVEL: "info",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      npm.stdout.on("data", (chunk) => (output += chunk));
      npm.stderr.on("data", (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
      const deadline = Date.now() + 80_000;
      let url: string | undefined;
      while (!(url = /"url":"(http:[^"]+)".*is listening/.exec(output)?.[1])) {
        if (Date.now() > deadline || npm.exitCode !== null)
          throw new Error(`npm start did not listen:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      npm.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toContain("shutting down");
      // Nothing listens any more: the server went with the process that was signalled.
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      await fresh.drop();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
