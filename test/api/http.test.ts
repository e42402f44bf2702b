import { gzipSync } from "node:zlib";
import { type RunningServer } from "../../src/server";
import type { TestDatabase } from "../helpers/database";
import { startHttpServer, type HttpTestServer } from "../helpers/servers";

const BOOTSTRAP = "px_http_test_bootstrap_secret";

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
        ["/app", {}],
        ["/app/keys", {}],
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

  test("/app answers the dashboard's page for every address under it, never cached; its hashed files are cached for a year", async () => {
    const pages = await Promise.all(
      ["/app", "/app/", "/app/keys", "/app/experiences/01a2-anything?window=7"].map((path) =>
        fetch(`${server.url}${path}`),
      ),
    );
    const bodies = await Promise.all(pages.map((page) => page.text()));
    for (const [index, page] of pages.entries()) {
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.headers.get("cache-control")).toBe("no-cache");
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(bodies[index]).toBe(bodies[0]);
    }
    const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(bodies[0])?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    // React's production build: its development build (what a build under NODE_ENV=test makes) warns
    // about list keys, and is half as large again.
    expect(await asset.text()).not.toContain('unique "key" prop');
    // A file that is not there is a 404, not the page (a stale page asking for an old file must see it).
    expect((await fetch(`${server.url}/app/assets/gone-123.js`)).status).toBe(404);
  });
});
