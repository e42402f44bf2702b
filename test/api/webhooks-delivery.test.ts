import {
  CreateWebhookDocument,
  RedeliverWebhookDocument,
  UpdateWebhookDocument,
  WebhookDeliveriesDocument,
} from "../../client/generated/graphql";
import { fixtures } from "../helpers/fixtures";
import { httpClient, startHttpServer, type GraphqlClient, type HttpTestServer } from "../helpers/servers";
import { eventually, startReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

/*
 * Webhooks sent for real (RULES.md "Webhooks"): the whole server, a real receiver on 127.0.0.1
 * (private networks allowed for it), short retry waits. What is sent is checked with the Standard
 * Webhooks library, as a receiver would check it.
 */
const ADMIN = "px_webhook_test_admin_secret";
const METRICS = "px_webhook_test_metrics_secret";
let server: HttpTestServer;
let api: GraphqlClient;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  server = await startHttpServer({
    env: {
      BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      METRICS_TOKEN: METRICS,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
      WEBHOOK_RETRY_SCHEDULE: "150ms,150ms",
      WEBHOOK_TIMEOUT_MS: "500",
    },
  });
  api = httpClient(server.url, ADMIN);
});
afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await server.close();
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<WebhookReceiver> {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

/** A fresh project (its ADMIN secret), so each test sees only its own deliveries. */
async function project(): Promise<string> {
  const { createProject } = await api.query<{ createProject: { adminSecret: string } }, object>(
    `mutation { createProject(name: "Webhooks ${Math.random()}") { adminSecret } }`,
  );
  return createProject.adminSecret;
}

async function webhook(token: string, url: string, events: string[]) {
  const { createWebhook } = await api.query(CreateWebhookDocument, { input: { url, events } }, token);
  expect(createWebhook.userErrors).toEqual([]);
  return { id: createWebhook.webhook!.id, secret: createWebhook.secret! };
}

async function deliveries(token: string, webhookId: string) {
  const { webhooks } = await api.query(WebhookDeliveriesDocument, { first: 100 }, token);
  return webhooks.find((hook) => hook.id === webhookId)!.deliveries.nodes;
}

/** The webhook's deliveries once none is PENDING any more. */
function settled(token: string, webhookId: string, count: number) {
  return eventually(async () => {
    const found = await deliveries(token, webhookId);
    return found.length >= count && found.every((delivery) => delivery.status !== "PENDING") && found;
  }, `${count} settled deliveries`);
}

test("a change is POSTed to each webhook that follows its type, signed so the Standard Webhooks library verifies it", async () => {
  const token = await project();
  const keys = await receiver();
  const segments = await receiver();
  const keyHook = await webhook(token, keys.url, ["key.*"]);
  await webhook(token, segments.url, ["segment.created"]);
  const keyId = await fixtures(api, token).key("STRING", "blue", "button_color");

  const [request] = await keys.waitFor(1);
  expect(request.headers["content-type"]).toBe("application/json");
  expect(keys.verify(request, keyHook.secret)).toBeTruthy();
  expect(() => keys.verify(request, "whsec_" + Buffer.alloc(32, 7).toString("base64"))).toThrow();
  expect(request.message).toEqual({
    type: "key.created",
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    data: {
      projectId: expect.any(String),
      entityType: "Key",
      entityId: keyId,
      name: "button_color",
      version: 1,
      actor: "admin",
      before: null,
      after: expect.objectContaining({ id: keyId, name: "button_color", defaultValue: "blue" }),
    },
  });
  await fixtures(api, token).segment(undefined, "Buyers");
  const [segmentRequest] = await segments.waitFor(1);
  expect(segmentRequest.message).toMatchObject({ type: "segment.created", data: { name: "Buyers" } });
  expect(keys.received).toHaveLength(1);

  const [delivery] = await settled(token, keyHook.id, 1);
  expect(delivery).toMatchObject({
    messageId: request.headers["webhook-id"],
    type: "key.created",
    status: "SUCCEEDED",
    attempts: 1,
    lastResponseStatus: 204,
    lastError: null,
    nextAttemptAt: null,
    payload: request.message,
    attemptHistory: [{ number: 1, succeeded: true, responseStatus: 204, error: null }],
  });
});

test("a flaky receiver gets the same message again on the schedule until it answers 2xx; every attempt is in the log", async () => {
  const token = await project();
  const flaky = await receiver((_request, n) => ({ status: n < 2 ? 503 : 200 }));
  const hook = await webhook(token, flaky.url, ["*"]);
  await fixtures(api, token).key();
  const requests = await flaky.waitFor(3);
  expect(new Set(requests.map((request) => request.headers["webhook-id"])).size).toBe(1);
  for (const request of requests) expect(flaky.verify(request, hook.secret)).toBeTruthy();
  // The schedule's first wait (150 ms) came between the first two attempts.
  expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(140);
  const [delivery] = await settled(token, hook.id, 1);
  expect(delivery).toMatchObject({
    status: "SUCCEEDED",
    attempts: 3,
    lastResponseStatus: 200,
    lastError: null,
  });
  expect(
    delivery.attemptHistory.map((attempt) => [attempt.number, attempt.responseStatus, attempt.error]),
  ).toEqual([
    [1, 503, "status 503"],
    [2, 503, "status 503"],
    [3, 200, null],
  ]);
});

test("after the schedule's last retry the delivery is FAILED; redeliverWebhook sends the same message again, now", async () => {
  const token = await project();
  let healthy = false;
  const broken = await receiver(() => ({ status: healthy ? 200 : 500 }));
  const hook = await webhook(token, broken.url, ["key.created"]);
  await fixtures(api, token).key();
  const [failed] = await settled(token, hook.id, 1);
  expect(failed).toMatchObject({
    status: "FAILED",
    attempts: 3,
    lastResponseStatus: 500,
    nextAttemptAt: null,
  });
  expect(broken.received).toHaveLength(3);

  healthy = true;
  const { redeliverWebhook } = await api.query(RedeliverWebhookDocument, { deliveryId: failed.id }, token);
  expect(redeliverWebhook.userErrors).toEqual([]);
  expect(redeliverWebhook.delivery).toMatchObject({
    messageId: failed.messageId,
    status: "PENDING",
    attempts: 0,
  });
  const requests = await broken.waitFor(4);
  expect(requests[3].headers["webhook-id"]).toBe(failed.messageId);
  expect(requests[3].body).toBe(requests[0].body);
  const all = await settled(token, hook.id, 2);
  // Newest first: the redelivery, then the failed one.
  expect(all.map((delivery) => delivery.status)).toEqual(["SUCCEEDED", "FAILED"]);
});

test("a redirect is not followed, and a receiver slower than WEBHOOK_TIMEOUT_MS fails its attempt", async () => {
  const token = await project();
  const target = await receiver();
  const redirecting = await receiver(() => ({ status: 307, headers: { location: target.url } }));
  const slow = await receiver(() => ({ status: 200, delayMs: 2000 }));
  const redirected = await webhook(token, redirecting.url, ["goal.created"]);
  const timedOut = await webhook(token, slow.url, ["goal.created"]);
  await fixtures(api, token).goal();
  const [viaRedirect] = await settled(token, redirected.id, 1);
  expect(viaRedirect).toMatchObject({ status: "FAILED", lastResponseStatus: 307 });
  expect(viaRedirect.lastError).toBe(`redirect to ${target.url} not followed`);
  expect(target.received).toHaveLength(0);
  const [slowly] = await settled(token, timedOut.id, 1);
  expect(slowly).toMatchObject({
    status: "FAILED",
    lastResponseStatus: null,
    lastError: "no answer within 500 ms",
  });
  expect(
    slowly.attemptHistory.every((attempt) => attempt.durationMs >= 450 && attempt.durationMs < 2000),
  ).toBe(true);
});

test("a slow receiver does not hold up another webhook's deliveries", async () => {
  const token = await project();
  const slow = await receiver(() => ({ status: 200, delayMs: 450 }));
  const quick = await receiver();
  await webhook(token, slow.url, ["key.created"]);
  await webhook(token, quick.url, ["key.created"]);
  const make = fixtures(api, token);
  for (let i = 0; i < 12; i++) await make.key();
  const started = Date.now();
  await quick.waitFor(12);
  // Twelve attempts at the slow one take at least three rounds of four (450 ms each); the quick
  // receiver had all of its twelve before the slow one had all of its own.
  expect(slow.received.length).toBeLessThan(12);
  expect(Date.now() - started).toBeLessThan(5000);
});

test("an inactive webhook gets no new deliveries; active again, it gets the next changes", async () => {
  const token = await project();
  const target = await receiver();
  const hook = await webhook(token, target.url, ["key.created"]);
  const { updateWebhook } = await api.query(
    UpdateWebhookDocument,
    { input: { id: hook.id, active: false } },
    token,
  );
  expect(updateWebhook.webhook).toMatchObject({ active: false });
  await fixtures(api, token).key("BOOLEAN", false, "while_inactive");
  expect(await deliveries(token, hook.id)).toEqual([]);
  await api.query(UpdateWebhookDocument, { input: { id: hook.id, active: true } }, token);
  await fixtures(api, token).key("BOOLEAN", false, "active_again");
  const [request] = await target.waitFor(1);
  expect(request.message.data.name).toBe("active_again");
});

test("operators see attempts by outcome, their latency and the oldest pending delivery's age in /metrics", async () => {
  const token = await project();
  const target = await receiver();
  await webhook(token, target.url, ["key.created"]);
  await fixtures(api, token).key();
  await target.waitFor(1);
  const metrics = await eventually(async () => {
    const text = await (
      await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })
    ).text();
    return /px_webhook_attempts_total\{outcome="succeeded"\} [1-9]/.test(text) && text;
  }, "the attempt in /metrics");
  expect(metrics).toMatch(/px_webhook_attempt_duration_seconds_count [1-9]/);
  expect(metrics).toMatch(/px_webhook_oldest_pending_seconds \d/);
});
