import {
  CreateKeyDocument,
  CreateWebhookDocument,
  WebhookDeliveriesDocument,
} from "../../client/generated/graphql";
import { databaseUrl, freshDatabase, type TestDatabase } from "../helpers/database";
import { onPostgresOnly } from "../helpers/skips";
import { httpClient, startServerProcess, stopServerProcesses } from "../helpers/servers";
import { eventually, startReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

/**
 * Webhooks across crashes and processes (RULES.md "Webhooks"): a delivery is stored with its change,
 * so kill -9 loses none; several processes on one PostgreSQL never make one attempt twice; and the
 * address check holds at each connection, not only when the webhook was made.
 */
const SECRET = "px_webhook_process_test_secret";
let database: TestDatabase;
let receiver: WebhookReceiver;

beforeEach(async () => {
  database = await freshDatabase();
});
afterEach(async () => {
  await stopServerProcesses();
  await receiver?.close();
  await database.drop();
});

function environment(extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: databaseUrl(database.config),
    BOOTSTRAP_ADMIN_TOKEN: SECRET,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
    WEBHOOK_TIMEOUT_MS: "1000",
    WEBHOOK_RETRY_SCHEDULE: "200ms,200ms,200ms",
    ...extra,
  };
}

async function createWebhook(url: string, events = ["key.created"]) {
  const server = await startServerProcess(environment());
  const api = httpClient(server.url, SECRET);
  const { createWebhook } = await api.query(CreateWebhookDocument, { input: { url, events } });
  return { server, api, webhook: createWebhook.webhook!.id, secret: createWebhook.secret! };
}

test("kill -9 while deliveries are pending or in flight loses none: the next start sends each, signed", async () => {
  let hanging = true;
  receiver = await startReceiver(() => ({ status: 200, delayMs: hanging ? 60_000 : 0 }));
  const { server, api, secret } = await createWebhook(receiver.url);
  for (let i = 0; i < 6; i++)
    await api.query(CreateKeyDocument, {
      input: { name: `crash_${i}`, type: "BOOLEAN", defaultValue: false },
    });
  // Some attempts are under way (the receiver holds them), the rest wait their turn: kill it now.
  await receiver.waitFor(1);
  server.child.kill("SIGKILL");
  await server.exited;
  hanging = false;

  const restarted = await startServerProcess(environment());
  const again = httpClient(restarted.url, SECRET);
  const delivered = await eventually(
    async () => {
      const { webhooks } = await again.query(WebhookDeliveriesDocument, { first: 50 });
      const nodes = webhooks[0].deliveries.nodes;
      return nodes.length === 6 && nodes.every((delivery) => delivery.status === "SUCCEEDED") && nodes;
    },
    "six delivered deliveries after the restart",
    30_000,
  );
  const names = new Set<unknown>();
  for (const request of receiver.received) {
    expect(receiver.verify(request, secret)).toBeTruthy();
    names.add(request.message.data.name);
  }
  expect([...names].sort()).toEqual(["crash_0", "crash_1", "crash_2", "crash_3", "crash_4", "crash_5"]);
  // Each delivery's answered attempt is the message the receiver got under its id.
  const answeredIds = new Set(delivered.map((delivery) => delivery.messageId));
  expect(answeredIds.size).toBe(6);
  for (const id of answeredIds)
    expect(receiver.received.some((request) => request.headers["webhook-id"] === id)).toBe(true);
});

test("a webhook made while private networks were allowed is refused at its next connection once they are not", async () => {
  receiver = await startReceiver();
  const { server } = await createWebhook(receiver.url);
  server.child.kill("SIGTERM");
  await server.exited;

  const strict = await startServerProcess(environment({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: "false" }));
  const api = httpClient(strict.url, SECRET);
  await api.query(CreateKeyDocument, {
    input: { name: "after_restart", type: "BOOLEAN", defaultValue: false },
  });
  const [delivery] = await eventually(
    async () => {
      const { webhooks } = await api.query(WebhookDeliveriesDocument, { first: 5 });
      const nodes = webhooks[0].deliveries.nodes;
      return nodes.length === 1 && nodes[0].status === "FAILED" && nodes;
    },
    "the delivery to fail",
    15_000,
  );
  expect(delivery.lastError).toBe(`refused: 127.0.0.1 is a loopback address`);
  expect(delivery.attempts).toBe(4);
  expect(receiver.received).toHaveLength(0);
});

onPostgresOnly("one SQLite file has one server process").test(
  "two processes on one PostgreSQL never send one attempt twice: each message is attempted once, then retried once",
  async () => {
    // Every message fails its first attempt and succeeds its second; slow answers widen every race.
    const seen = new Map<string, number>();
    receiver = await startReceiver((request) => {
      const id = String(request.headers["webhook-id"]);
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      return { status: count === 1 ? 503 : 200, delayMs: 150 };
    });
    const { server: first, secret } = await createWebhook(receiver.url);
    const second = await startServerProcess(environment());
    const apis = [httpClient(first.url, SECRET), httpClient(second.url, SECRET)];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        apis[i % 2].query(CreateKeyDocument, {
          input: { name: `both_${i}`, type: "BOOLEAN", defaultValue: true },
        }),
      ),
    );
    await eventually(
      async () => {
        const { webhooks } = await apis[0].query(WebhookDeliveriesDocument, { first: 50 });
        const nodes = webhooks[0].deliveries.nodes;
        return nodes.length === 30 && nodes.every((delivery) => delivery.status === "SUCCEEDED") && nodes;
      },
      "30 delivered deliveries",
      30_000,
    );
    expect(seen.size).toBe(30);
    expect([...seen.values()].every((count) => count === 2)).toBe(true);
    for (const request of receiver.received) expect(receiver.verify(request, secret)).toBeTruthy();
  },
);
