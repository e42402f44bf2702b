import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { gunzipSync, brotliDecompressSync } from "node:zlib";
import { request as httpRequest } from "node:http";
import { startHttpServer, type HttpTestServer } from "../helpers/servers";
import { ofrepProject } from "../helpers/ofrep-project";

/*
 * What an operator and a dashboard on another origin rely on, over real HTTP: CORS on both APIs,
 * compression, Prometheus metrics that move when their event happens (read with a Prometheus text
 * parser), and per-token rate limits.
 */

const ADMIN = "px_ops_test_admin_secret_000";
const METRICS_TOKEN = "px_ops_metrics_token_0000";
const DASHBOARD = "https://dashboard.example.com";

async function graphql(url: string, query: string, token = ADMIN, headers: Record<string, string> = {}) {
  return fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query }),
  });
}

/** A raw request, so the test sees the bytes on the wire (fetch would decompress them). */
function raw(url: string, path: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const request = httpRequest(`${url}${path}`, { method: "POST", headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
        );
      });
      request.on("error", reject);
      request.end(body);
    },
  );
}

describe("CORS", () => {
  let open: HttpTestServer;
  let restricted: HttpTestServer;
  beforeAll(async () => {
    open = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } });
    restricted = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN, CORS_ORIGINS: DASHBOARD } });
  });
  afterAll(async () => {
    await open.close();
    await restricted.close();
  });

  const preflight = (url: string, path: string, origin: string) =>
    fetch(`${url}${path}`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, apollo-require-preflight",
      },
    });

  test.each(["/graphql", "/ofrep/v1/evaluate/flags"])(
    "a preflight to %s is 204 with the methods, headers and max-age a browser needs",
    async (path) => {
      const response = await preflight(open.url, path, "http://localhost:5173");
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-allow-methods")).toContain("POST");
      const allowed = response.headers.get("access-control-allow-headers")!.split(",");
      for (const header of ["authorization", "content-type", "x-api-key", "apollo-require-preflight"])
        expect(allowed).toContain(header);
      expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0);
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    },
  );

  test("answers carry the origin header, and OFREP's ETag is readable by the page", async () => {
    const response = await graphql(open.url, "{ viewer { role } }", ADMIN, { origin: DASHBOARD });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-expose-headers")).toContain("etag");
  });

  test("with CORS_ORIGINS, only the listed origin is allowed", async () => {
    const allowed = await preflight(restricted.url, "/graphql", DASHBOARD);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(DASHBOARD);
    expect(allowed.headers.get("vary")).toContain("Origin");
    const other = await preflight(restricted.url, "/graphql", "https://evil.example.net");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("compression", () => {
  let on: HttpTestServer;
  let off: HttpTestServer;
  beforeAll(async () => {
    on = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } });
    off = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN, COMPRESSION: "off" } });
    for (const server of [on, off])
      for (let i = 0; i < 40; i++)
        await graphql(
          server.url,
          `mutation { createKey(input: { name: "key_${i}", type: STRING, defaultValue: "${"a value long enough to matter ".repeat(2)}" }) { key { id } } }`,
        );
  });
  afterAll(async () => {
    await on.close();
    await off.close();
  });

  const evaluate = JSON.stringify({
    query: '{ evaluate(user: { id: "amy" }) { values { key value source } } }',
  });
  const headers = (encoding: string) => ({
    "content-type": "application/json",
    authorization: `Bearer ${ADMIN}`,
    "accept-encoding": encoding,
  });

  test("gzip and brotli when the client accepts them, the same JSON inside", async () => {
    const plain = await raw(off.url, "/graphql", headers("gzip, br"), evaluate);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const gzipped = await raw(on.url, "/graphql", headers("gzip"), evaluate);
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 4);
    expect(JSON.parse(gunzipSync(gzipped.body).toString())).toEqual(JSON.parse(plain.body.toString()));
    const brotli = await raw(on.url, "/graphql", headers("br"), evaluate);
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(JSON.parse(brotliDecompressSync(brotli.body).toString())).toEqual(
      JSON.parse(plain.body.toString()),
    );
  });

  test("small answers, and clients that do not ask, get plain JSON", async () => {
    const small = await raw(
      on.url,
      "/graphql",
      headers("gzip"),
      JSON.stringify({ query: "{ viewer { role } }" }),
    );
    expect(small.headers["content-encoding"]).toBeUndefined();
    const identity = await raw(on.url, "/graphql", headers("identity"), evaluate);
    expect(identity.headers["content-encoding"]).toBeUndefined();
    const { "accept-encoding": _, ...withoutEncodings } = headers("");
    const unasked = await raw(on.url, "/graphql", withoutEncodings, evaluate);
    expect(unasked.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(unasked.body.toString())).toEqual(JSON.parse(identity.body.toString()));
    // Caches learn that another request could get another encoding, whether or not this one did.
    for (const answer of [unasked, identity, await raw(on.url, "/graphql", headers("gzip"), evaluate)])
      expect(answer.headers.vary).toMatch(/Accept-Encoding/);
  });

  test("OFREP's bulk answer is compressed too", async () => {
    const answer = await raw(
      on.url,
      "/ofrep/v1/evaluate/flags",
      headers("gzip"),
      JSON.stringify({ context: { targetingKey: "amy" } }),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(answer.body).toString()).flags).toHaveLength(40);
  });
});

describe("metrics", () => {
  let server: HttpTestServer;
  let project: Awaited<ReturnType<typeof ofrepProject>>;
  beforeAll(async () => {
    server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN, METRICS_TOKEN } });
    project = await ofrepProject(server.url, ADMIN);
  });
  afterAll(() => server.close());

  /** The text, and its families as a Prometheus text parser reads them (it throws on a malformed line). */
  async function scrape() {
    const response = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    return { text, families: parsePrometheusTextFormat(text) };
  }

  /** A counter's or gauge's value in a scrape, 0 when the series does not exist yet. */
  function valueOf({ families }: Awaited<ReturnType<typeof scrape>>, name: string, labels = {}) {
    const family = families.find((candidate) => candidate.name === name);
    if (!family) throw new Error(`no metric family ${name}`);
    const sample = family.metrics.find((metric) =>
      Object.entries(labels).every(([label, value]) => metric.labels?.[label] === value),
    );
    return Number(sample?.value ?? 0);
  }

  /**
   * A histogram's observation count. Read from its `_count` line: the parser keeps the buckets of
   * labelled histograms but drops their labels and count.
   */
  function countOf({ text, families }: Awaited<ReturnType<typeof scrape>>, name: string, labels = "") {
    expect(families.find((family) => family.name === name)?.type).toBe("HISTOGRAM");
    const series = `${name}_count${labels ? `{${labels}}` : ""} `;
    const line = text.split("\n").find((candidate) => candidate.startsWith(series));
    return Number(line?.split(" ")[1] ?? 0);
  }

  test("is refused without the metrics token, and off without METRICS_TOKEN", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).status,
    ).toBe(401);
    const off = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } });
    try {
      expect(
        (await fetch(`${off.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status,
      ).toBe(404);
    } finally {
      await off.close();
    }
  });

  test("each family moves when its event happens", async () => {
    const before = await scrape();
    // A first visit: an evaluation that places the user in the A/B test.
    await graphql(
      server.url,
      'query Homepage { evaluate(user: { id: "metrics-user" }) { segmentIds } }',
      project.sdkSecret,
    );
    await graphql(
      server.url,
      'mutation Purchase { trackEvents(events: [{ userId: "metrics-user", name: "Charged" }, { userId: "", name: "Charged" }]) { accepted } }',
      project.sdkSecret,
    );
    await fetch(`${server.url}/ofrep/v1/evaluate/flags`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${project.sdkSecret}` },
      body: JSON.stringify({ context: { targetingKey: "metrics-user" } }),
    });
    // A configuration change: the next evaluation rebuilds the ruleset.
    await graphql(
      server.url,
      'mutation { createKey(input: { name: "metrics_key", type: STRING, defaultValue: "x" }) { key { id } } }',
    );
    await graphql(
      server.url,
      'query Homepage { evaluate(user: { id: "metrics-user" }) { segmentIds } }',
      project.sdkSecret,
    );
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);
    const observed = (name: string, labels = "") =>
      countOf(after, name, labels) - countOf(before, name, labels);

    expect(moved("px_requests_total", { api: "graphql", operation: "Homepage", outcome: "ok" })).toBe(2);
    expect(moved("px_requests_total", { api: "ofrep", operation: "flags", outcome: "200" })).toBe(1);
    expect(observed("px_request_duration_seconds", 'api="graphql",operation="Purchase"')).toBe(1);
    expect(moved("px_evaluations_total")).toBe(3);
    expect(
      moved("px_evaluated_values_total", { source: "AB_TEST" }) +
        moved("px_evaluated_values_total", { source: "DEFAULT" }),
    ).toBeGreaterThan(0);
    expect(moved("px_evaluated_values_total", { source: "PRODUCT_CONFIG" })).toBe(3);
    expect(moved("px_first_time_placements_total")).toBe(1);
    expect(moved("px_events_total", { outcome: "accepted" })).toBe(1);
    expect(moved("px_events_total", { outcome: "refused" })).toBe(1);
    expect(observed("px_ruleset_build_duration_seconds")).toBeGreaterThanOrEqual(1);
    expect(observed("px_write_wait_seconds")).toBeGreaterThanOrEqual(3);
    expect(valueOf(after, "px_db_connections", { state: "total" })).toBeGreaterThan(0);
    expect(after.families.find((family) => family.name === "px_write_queue_depth")?.type).toBe("GAUGE");
    expect(valueOf(after, "px_process_resident_memory_bytes")).toBeGreaterThan(0);
  });
});

describe("rate limits", () => {
  let server: HttpTestServer;
  let project: Awaited<ReturnType<typeof ofrepProject>>;
  beforeAll(async () => {
    server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN, RATE_LIMIT_PER_MINUTE: "30" } });
    project = await ofrepProject(server.url, ADMIN);
  });
  afterAll(() => server.close());

  test("a token over its limit gets 429 RATE_LIMITED with retryAfter, on GraphQL and OFREP; other tokens go on", async () => {
    let refused: Response | null = null;
    let passed = 0;
    const started = Date.now();
    for (let i = 0; i < 60 && !refused; i++) {
      const response = await graphql(
        server.url,
        '{ evaluate(user: { id: "busy" }) { segmentIds } }',
        project.sdkSecret,
      );
      if (response.status !== 200) refused = response;
      else passed++;
    }
    expect(refused?.status).toBe(429);
    // A minute's allowance (30) at once, plus what refilled meanwhile (one every 2 s), and no more.
    expect(passed).toBeGreaterThanOrEqual(30);
    expect(passed).toBeLessThanOrEqual(30 + Math.floor((Date.now() - started) / 2000));
    const retryAfter = Number(refused!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    const body = (await refused!.json()) as {
      errors: { extensions: { code: string; retryAfter: number } }[];
    };
    expect(body.errors[0].extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter });
    const ofrep = await fetch(`${server.url}/ofrep/v1/evaluate/flags`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${project.sdkSecret}` },
      body: JSON.stringify({ context: { targetingKey: "busy" } }),
    });
    expect(ofrep.status).toBe(429);
    expect(Number(ofrep.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The ADMIN token has its own allowance.
    expect((await graphql(server.url, "{ viewer { role } }")).status).toBe(200);
  });
});
