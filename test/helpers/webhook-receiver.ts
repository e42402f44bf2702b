import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook as StandardWebhook } from "standardwebhooks";

/** One request a receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed: {type, timestamp, data}. */
  message: { type: string; timestamp: string; data: Record<string, unknown> };
  at: number;
}

/** How the receiver answers its n-th request (0-based): a status, after a delay, with headers. */
export type Answer = (
  request: Received,
  n: number,
) => { status: number; delayMs?: number; headers?: Record<string, string> };

/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests: records every request and answers as told
 * (a flaky receiver, a slow one, a redirect). `verify` checks a request's signature with the
 * Standard Webhooks library, as a user's receiver would.
 */
export interface WebhookReceiver {
  url: string;
  received: Received[];
  answer: Answer;
  /** Resolves once `count` requests came (or fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  /** Throws unless the request is signed with `secret` as Standard Webhooks says. */
  verify(request: Received, secret: string): unknown;
  close(): Promise<void>;
}

export async function startReceiver(answer: Answer = () => ({ status: 204 })): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const entry: Received = { headers: request.headers, body, message: JSON.parse(body), at: Date.now() };
      received.push(entry);
      const { status, delayMs = 0, headers = {} } = receiver.answer(entry, received.length - 1);
      const timer = setTimeout(() => {
        timers.delete(timer);
        response.writeHead(status, headers).end();
      }, delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answer,
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline)
          throw new Error(
            `expected ${count} webhook requests, got ${received.length}: ${received.map((r) => r.message.type).join(", ")}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return received;
    },
    verify(request, secret) {
      return new StandardWebhook(secret).verify(request.body, {
        "webhook-id": String(request.headers["webhook-id"]),
        "webhook-timestamp": String(request.headers["webhook-timestamp"]),
        "webhook-signature": String(request.headers["webhook-signature"]),
      });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** Polls `condition` until it holds (or fails naming `what` after `timeoutMs`). */
export async function eventually<T>(
  condition: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
