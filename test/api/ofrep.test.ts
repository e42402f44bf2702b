import { OFREPProvider } from "@openfeature/ofrep-provider";
import { ErrorCode, OpenFeature, type Client } from "@openfeature/server-sdk";
import {
  CreateApiTokenDocument,
  CreateKeyDocument,
  RevokeApiTokenDocument,
  CreateProjectDocument,
  EvaluateDocument,
  IdentifyDocument,
  UpdateProductConfigDocument,
} from "../../client";
import { referenceInRollout, referenceVariant } from "../helpers/reference-bucketing";
import { httpClient, startHttpServer, type HttpTestServer } from "../helpers/servers";
import { ofrepProject } from "../helpers/ofrep-project";

/*
 * The OpenFeature Remote Evaluation Protocol over real HTTP: the wire format and errors as the
 * OFREP 0.3 spec has them, the same answers and assignments as `evaluate`, ETags, the change stream;
 * and the real server SDK (@openfeature/server-sdk with the generic @openfeature/ofrep-provider),
 * unchanged, against the running server.
 */

const ADMIN = "px_ofrep_test_admin_secret";
let server: HttpTestServer;
let project: Awaited<ReturnType<typeof ofrepProject>>;

beforeAll(async () => {
  server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } });
  project = await ofrepProject(server.url, ADMIN);
});
afterAll(async () => {
  await OpenFeature.close();
  await server.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/ofrep/v1/evaluate/flags${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${project.sdkSecret}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const context = (targetingKey: string, more: Record<string, unknown> = {}) => ({
  context: { targetingKey, ...more },
});

describe("the wire format", () => {
  test("one flag: value, reason, variant and the experience in the metadata, for every source", async () => {
    const oslo = await post("/theme", context("ofrep-1", { city: "Oslo" }));
    expect(oslo).toMatchObject({ status: 200 });
    expect(oslo.body).toEqual({
      key: "theme",
      value: { mode: "dark" },
      reason: "TARGETING_MATCH",
      variant: "PRODUCT_CONFIG",
      metadata: { source: "PRODUCT_CONFIG", experienceId: project.ids.themeConfig },
    });
    expect((await post("/theme", context("ofrep-1", { city: "Bergen" }))).body).toEqual({
      key: "theme",
      value: { mode: "light" },
      reason: "DEFAULT",
      variant: "DEFAULT",
      metadata: { source: "DEFAULT" },
    });
    expect((await post("/max_items", context("ofrep-1"))).body).toMatchObject({
      value: 20,
      reason: "STATIC",
    });
    const flag = (await post("/new_checkout", context("ofrep-1"))).body;
    expect(flag).toMatchObject({
      key: "new_checkout",
      reason: referenceInRollout(project.ids.flag, "ofrep-1", 50) ? "SPLIT" : "DEFAULT",
    });
    const variant = ["control", "friendly"][referenceVariant(project.ids.test, "ofrep-1", 100, [50, 50])!];
    expect((await post("/banner_text", context("ofrep-1"))).body).toEqual({
      key: "banner_text",
      value: variant === "friendly" ? "Hi there" : "Hello",
      // The control sets no value: the user is in the test, but the key falls through to its default.
      reason: variant === "friendly" ? "SPLIT" : "DEFAULT",
      variant: variant === "friendly" ? "friendly" : "DEFAULT",
      metadata:
        variant === "friendly"
          ? { source: "AB_TEST", experienceId: project.ids.test }
          : { source: "DEFAULT" },
    });
  });

  test("X-API-Key works like the bearer token; no token, or a wrong one, is 401", async () => {
    const byKey = await post("/max_items", context("u"), {
      authorization: "",
      "x-api-key": project.sdkSecret,
    });
    expect(byKey).toMatchObject({ status: 200, body: { value: 20 } });
    expect((await post("/max_items", context("u"), { authorization: "" })).status).toBe(401);
    expect((await post("/max_items", context("u"), { authorization: "Bearer px_wrong" })).status).toBe(401);
  });

  test("errors as OFREP says: FLAG_NOT_FOUND 404, TARGETING_KEY_MISSING / INVALID_CONTEXT / PARSE_ERROR 400, each with the key", async () => {
    expect(await post("/nope", context("u"))).toMatchObject({
      status: 404,
      body: { key: "nope", errorCode: "FLAG_NOT_FOUND", errorDetails: expect.any(String) },
    });
    expect(await post("/theme", { context: { city: "Oslo" } })).toMatchObject({
      status: 400,
      body: { key: "theme", errorCode: "TARGETING_KEY_MISSING" },
    });
    for (const bad of [
      {},
      { context: [1] },
      { context: "u" },
      { context: { targetingKey: 42 } },
      { context: { targetingKey: "x".repeat(300) } },
    ]) {
      expect(await post("/theme", bad)).toMatchObject({
        status: 400,
        body: { key: "theme", errorCode: "INVALID_CONTEXT" },
      });
    }
    const huge = context("u", { blob: "x".repeat(70 * 1024) });
    expect(await post("/theme", huge)).toMatchObject({ status: 400, body: { errorCode: "INVALID_CONTEXT" } });
    expect(await post("/theme", '{"context": {"targetingKey": "u"')).toMatchObject({
      status: 400,
      body: { key: "theme", errorCode: "PARSE_ERROR" },
    });
    expect(await post("", "not json")).toMatchObject({ status: 400, body: { errorCode: "PARSE_ERROR" } });
    const tooBig = await post("", context("u", { blob: "x".repeat(1024 * 1024) }));
    expect(tooBig.status).toBe(413);
  });

  test("a flag key that is not a valid percent-encoding is a 400 with the path's problem, and the server keeps serving", async () => {
    for (const bad of ["%E0%A4%A", "%", "%zz", "a%"]) {
      expect(await post(`/${bad}`, context("u"))).toMatchObject({
        status: 400,
        body: { errorCode: "PARSE_ERROR", errorDetails: expect.stringContaining("percent-encoded") },
      });
    }
    expect((await post("/theme", context("u"))).status).toBe(200);
    // A key that is percent-encoded properly is decoded.
    expect(await post("/%74heme", context("u"))).toMatchObject({ status: 200, body: { key: "theme" } });
  });

  test("a context nested deeper than 32 levels is INVALID_CONTEXT (400), on one flag and in bulk", async () => {
    // Written as text: JSON.stringify itself overflows the stack at this depth.
    const deep = `{"context": {"targetingKey": "u", "deep": ${'{"next": '.repeat(5000)}"bottom"${"}".repeat(5000)}}}`;
    for (const path of ["/theme", ""]) {
      expect(await post(path, deep)).toMatchObject({
        status: 400,
        body: { errorCode: "INVALID_CONTEXT", errorDetails: expect.stringContaining("32 levels") },
      });
    }
    let fine: unknown = "bottom";
    for (let level = 0; level < 30; level++) fine = { next: fine };
    expect((await post("", context("u", { fine }))).status).toBe(200);
  });

  test("If-None-Match: * on the bulk POST is not a match (RFC 9110 says nothing exists before a first answer): 200 with the flags", async () => {
    const answer = await post("", context("star-user"), { "if-none-match": "*" });
    expect(answer.status).toBe(200);
    expect(answer.body.flags.length).toBeGreaterThan(0);
    const tag = answer.headers.get("etag")!;
    expect((await post("", context("star-user"), { "if-none-match": `"other", ${tag}` })).status).toBe(304);
  });

  test("bulk: every active key, an ETag over the user's answer, 304 for the same answer, and the change stream announced", async () => {
    const first = await post("", context("bulk-user"));
    expect(first.status).toBe(200);
    expect(first.body.flags.map((flag: { key: string }) => flag.key)).toEqual([
      "banner_text",
      "max_items",
      "new_checkout",
      "theme",
      "untouched",
    ]);
    expect(first.body.eventStreams).toEqual([
      {
        type: "sse",
        endpoint: { requestUri: expect.stringMatching(/^\/ofrep\/v1\/events\?channel=/) },
        inactivityDelaySec: 120,
      },
    ]);
    const tag = first.headers.get("etag")!;
    expect(tag).toMatch(/^"[\w-]+"$/);
    const again = await post("", context("bulk-user"), { "if-none-match": tag });
    expect(again).toMatchObject({ status: 304, body: null });
    expect(again.headers.get("etag")).toBe(tag);
    // The user's profile changes their answer (they are now in Oslo): a new tag, no 304. The config did not change.
    await project.api.query(IdentifyDocument, { userId: "bulk-user", properties: { city: "Oslo" } });
    const moved = await post("", context("bulk-user"), { "if-none-match": tag });
    expect(moved.status).toBe(200);
    expect(moved.headers.get("etag")).not.toBe(tag);
    expect(moved.body.flags.find((flag: { key: string }) => flag.key === "theme").value).toEqual({
      mode: "dark",
    });
  });

  test("a value beyond ASCII arrives intact, with its Content-Length in bytes", async () => {
    const { createProject } = await project.api.query(CreateProjectDocument, { name: "Accents" });
    const otherSecret = createProject.adminSecret!;
    const greeting = "Grüße, 你好 🎉";
    await httpClient(server.url, otherSecret).query(CreateKeyDocument, {
      input: { name: "greeting", type: "STRING", defaultValue: greeting },
    });
    for (const secret of [otherSecret, project.sdkSecret]) {
      const response = await fetch(`${server.url}/ofrep/v1/evaluate/flags`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
        body: JSON.stringify(context("intact")),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(Number(response.headers.get("content-length"))).toBe(bytes.length);
      const { flags } = JSON.parse(bytes.toString("utf8")) as { flags: { key: string; value: unknown }[] };
      if (secret === otherSecret) expect(flags.find((flag) => flag.key === "greeting")!.value).toBe(greeting);
      else expect(flags.map((flag) => flag.key)).not.toContain("greeting");
    }
  });

  test("a user evaluated through OFREP and then through GraphQL has one assignment and one variant", async () => {
    const ofrep = (await post("/banner_text", context("both-ways"))).body;
    const { evaluate } = await project.api.query(EvaluateDocument, { user: { id: "both-ways" } });
    expect(evaluate.assignments).toEqual([{ abTestId: project.ids.test, variant: expect.any(String) }]);
    const graphqlValue = evaluate.values.find((value) => value.key === "banner_text")!;
    expect(graphqlValue.value).toEqual(ofrep.value);
    const variant = evaluate.assignments[0].variant;
    expect(variant).toBe(
      ["control", "friendly"][referenceVariant(project.ids.test, "both-ways", 100, [50, 50])!],
    );
  });
});

describe("the OpenFeature server SDK with the generic OFREP provider", () => {
  let client: Client;
  beforeAll(async () => {
    await OpenFeature.setProviderAndWait(
      new OFREPProvider({ baseUrl: server.url, headers: [["Authorization", `Bearer ${project.sdkSecret}`]] }),
    );
    client = OpenFeature.getClient();
  });

  test("boolean, string, number and object values with their reasons and variants", async () => {
    const users = Array.from({ length: 40 }, (_, i) => `sdk-user-${i}`);
    for (const targetingKey of users) {
      const checkout = await client.getBooleanDetails("new_checkout", false, { targetingKey });
      const inRollout = referenceInRollout(project.ids.flag, targetingKey, 50);
      expect(checkout).toMatchObject({ value: inRollout, reason: inRollout ? "SPLIT" : "DEFAULT" });
      const banner = await client.getStringDetails("banner_text", "fallback", { targetingKey });
      const variant = ["control", "friendly"][
        referenceVariant(project.ids.test, targetingKey, 100, [50, 50])!
      ];
      expect(banner.value).toBe(variant === "friendly" ? "Hi there" : "Hello");
      if (variant === "friendly")
        expect(banner).toMatchObject({
          variant: "friendly",
          reason: "SPLIT",
          flagMetadata: { experienceId: project.ids.test },
        });
    }
    expect(await client.getNumberDetails("max_items", 0, { targetingKey: "sdk" })).toMatchObject({
      value: 20,
      reason: "STATIC",
    });
    expect(await client.getObjectDetails("theme", {}, { targetingKey: "sdk", city: "Oslo" })).toMatchObject({
      value: { mode: "dark" },
      reason: "TARGETING_MATCH",
    });
  });

  test("an unknown flag and a missing targeting key come back as the SDK's errors, with the code default", async () => {
    expect(await client.getBooleanDetails("no_such_flag", true, { targetingKey: "sdk" })).toMatchObject({
      value: true,
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    });
    expect(await client.getStringDetails("banner_text", "fallback", {})).toMatchObject({
      value: "fallback",
      errorCode: ErrorCode.TARGETING_KEY_MISSING,
    });
    expect(await client.getNumberDetails("banner_text", 7, { targetingKey: "sdk" })).toMatchObject({
      value: 7,
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
  });
});

describe("the change stream", () => {
  /** Opens the stream the bulk answer announces and collects what it sends. */
  async function openStream(secret = project.sdkSecret) {
    const bulk = await post("", context("stream-user"), { authorization: `Bearer ${secret}` });
    const uri = bulk.body.eventStreams[0].endpoint.requestUri as string;
    const controller = new AbortController();
    const response = await fetch(`${server.url}${uri}`, { signal: controller.signal });
    let received = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
          received += decoder.decode(chunk);
      } catch {
        // aborted
      }
    })();
    return { response, text: () => received, close: () => controller.abort(), ended: reading };
  }

  async function until(condition: () => boolean, what: string) {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test("announces a config change from the next change on, as OFREP's refetchEvaluation message", async () => {
    const stream = await openStream();
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await until(() => stream.text().includes(": connected"), "the stream to open");
    expect(stream.text()).not.toContain("refetchEvaluation");
    await project.api.query(UpdateProductConfigDocument, {
      input: { id: project.ids.itemsConfig, priority: 3 },
    });
    await until(() => stream.text().includes("refetchEvaluation"), "the change notification");
    expect(stream.text()).toMatch(
      /id: \d+\nevent: message\ndata: \{"type":"refetchEvaluation","lastModified":\d+\}\n\n/,
    );
    stream.close();
  });

  test("a channel that is not a token's is 401; a token has at most 20 open streams", async () => {
    const bad = await fetch(
      `${server.url}/ofrep/v1/events?channel=${encodeURIComponent("01900000-0000-7000-8000-000000000000.x")}`,
    );
    expect(bad.status).toBe(401);
    const streams = [];
    for (let i = 0; i < 20; i++) streams.push(await openStream());
    const bulk = await post("", context("stream-user"));
    const over = await fetch(`${server.url}${bulk.body.eventStreams[0].endpoint.requestUri}`);
    expect(over.status).toBe(429);
    for (const stream of streams) stream.close();
  });

  test("revoking the token ends its open streams, and the channel is refused from then on", async () => {
    const { createApiToken } = await project.api.query(CreateApiTokenDocument, {
      input: { name: "revoked-stream", role: "SDK" },
    });
    const stream = await openStream(createApiToken.secret!);
    await until(() => stream.text().includes(": connected"), "the stream to open");
    await project.api.query(RevokeApiTokenDocument, { id: createApiToken.token!.id });
    await stream.ended;
    expect(stream.text()).not.toContain("refetchEvaluation");
    const bulk = await post("", context("stream-user"));
    expect(bulk.status).toBe(200);
  });

  test("closing the server ends open streams instead of waiting for them", async () => {
    const own = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } });
    const bulk = await fetch(`${own.url}/ofrep/v1/evaluate/flags`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify(context("closing")),
    });
    const { eventStreams } = (await bulk.json()) as { eventStreams: { endpoint: { requestUri: string } }[] };
    const response = await fetch(`${own.url}${eventStreams[0].endpoint.requestUri}`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const closed = own.close();
    // The stream ends (done) and the server finishes closing.
    for (;;) if ((await reader.read()).done) break;
    await closed;
  });
});
