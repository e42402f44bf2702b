import { promises as dns } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { hostOf, refusedAddress } from "./webhook-address";
import { signatureOf } from "./webhook-signature";

/** What a name resolves to; tests pass their own to play a DNS that answers otherwise later. */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolve: Resolve = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** How to send: the policy's timeout and whether private addresses may be reached. */
export interface SendPolicy {
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  resolve?: Resolve;
}

/** One attempt's message: the same id and body on every attempt, signed afresh each time. */
export interface Message {
  url: string;
  messageId: string;
  body: string;
  secret: string;
}

export interface AttemptOutcome {
  succeeded: boolean;
  /** The answer's HTTP status; null when there was none (refused, timed out, no connection). */
  status: number | null;
  /** Why it did not succeed, in words; null when it did. */
  error: string | null;
  durationMs: number;
}

/** Refusals of our own, told apart from the network's errors. */
class Refused extends Error {}

/**
 * Resolves like the system, then refuses when any address the name has is one a webhook may not
 * reach: checked at every connection, so a name that resolved to a public address when the webhook
 * was made and to 127.0.0.1 now is refused now. Any address, not only the one used: the system
 * might pick another one on the next connection.
 */
function guardedLookup(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.map(({ address }) => refusedAddress(address)).find(Boolean);
        if (refused) return callback(new Refused(`refused: ${refused}`), "", 0);
        if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), "", 0);
        if (options.all) return callback(null, addresses);
        const wanted = addresses.find(({ family }) => !options.family || family === options.family);
        if (!wanted) return callback(new Error(`${hostname} has no IPv${options.family} address`), "", 0);
        callback(null, wanted.address, wanted.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}

function describe(error: Error, timeoutMs: number): string {
  if (error instanceof Refused) return error.message;
  if (error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
      return "the name does not resolve";
    case "ECONNRESET":
      return "the connection was reset";
    default:
      return code ? `${error.message} (${code})` : error.message;
  }
}

/**
 * POSTs one attempt of a message and tells how it went. A 2xx answer within the timeout succeeds;
 * anything else fails: another status, a redirect (never followed: it could lead anywhere, the
 * internal network included), no answer in time, no connection, a refused address. The answer's
 * body is not read: the status says all, and a receiver cannot make us hold its stream.
 */
export function sendAttempt(
  message: Message,
  policy: SendPolicy,
  signal?: AbortSignal,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const outcome = (status: number | null, error: string | null): AttemptOutcome => ({
    succeeded: error === null,
    status,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  const url = new URL(message.url);
  if (!policy.allowPrivateNetworks) {
    // An address in the URL is connected to without a lookup: check it here.
    const refused = refusedAddress(hostOf(url));
    if (refused) return Promise.resolve(outcome(null, `refused: ${refused}`));
  }
  const timestamp = Math.floor(Date.now() / 1000);
  const body = Buffer.from(message.body, "utf8");
  return new Promise((resolve) => {
    let answered = false;
    const finish = (status: number | null, error: string | null) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      resolve(outcome(status, error));
    };
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.request(
      url,
      {
        method: "POST",
        // A connection of its own each time: a kept socket would skip the address check.
        agent: false,
        lookup: policy.allowPrivateNetworks ? undefined : guardedLookup(policy.resolve ?? systemResolve),
        signal,
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          "user-agent": "px-webhooks/1",
          "webhook-id": message.messageId,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signatureOf(message.secret, message.messageId, timestamp, message.body),
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        response.destroy();
        if (status >= 200 && status < 300) finish(status, null);
        else if (status >= 300 && status < 400)
          finish(status, `redirect to ${response.headers.location ?? "(no location)"} not followed`);
        else finish(status, `status ${status}`);
      },
    );
    const timer = setTimeout(() => {
      const error = new Error("timed out");
      error.name = "TimeoutError";
      request.destroy(error);
    }, policy.timeoutMs);
    request.on("error", (error) =>
      finish(null, signal?.aborted ? "stopped: the server shut down" : describe(error, policy.timeoutMs)),
    );
    request.end(body);
  });
}
