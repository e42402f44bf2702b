import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { Can, type Caller } from "../access/role";
import { bearerSecret, hashSecret, streamChannel } from "../access/token-secret";
import type { Evaluation } from "../evaluation/evaluation.service";
import type { RateLimiter } from "../access/rate-limiter";
import type { Metrics } from "../metrics/metrics";
import type { Services } from "../services";
import { readJsonBody, sendJson, sendJsonText } from "../http/json-body";
import { InvalidArgument } from "../shared/invalid-argument";
import { storageFaultOf } from "../db/storage-fault";
import type { ChangeStreams } from "./change-stream";
import { flagAnswer, bulkFlags, readContext, tagMatches, type OfrepErrorCode } from "./ofrep-answers";

/** Seconds of inactivity (a hidden tab) after which a client should close its stream (OFREP's default). */
const INACTIVITY_DELAY_SEC = 120;
const SINGLE = /^\/ofrep\/v1\/evaluate\/flags\/([^/?]+)(?:\?.*)?$/;
const BULK = /^\/ofrep\/v1\/evaluate\/flags\/?(?:\?.*)?$/;
const EVENTS = /^\/ofrep\/v1\/events(?:\?(.*))?$/;

/**
 * The OpenFeature Remote Evaluation Protocol at /ofrep: every OpenFeature SDK with the generic OFREP
 * provider evaluates flags here. An adapter only: the answers are `evaluate`'s (same ruleset, same
 * recorded assignments), shaped by ofrep-answers.ts; a key is a flag. It is served by node's HTTP
 * server directly, before Express: an app's flag fetch is the hottest request there is, and it needs
 * no routing tables or middleware.
 *
 * Returns a handler that answers the request and says true, or says false for other paths.
 */
export function ofrepHandler(
  services: Services,
  streams: ChangeStreams,
  logger: Logger,
  options: { maxBodyBytes: number; limiter?: RateLimiter; metrics?: Metrics },
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { maxBodyBytes, limiter, metrics } = options;
  /** The caller behind `Authorization: Bearer <secret>` or `X-API-Key: <secret>`, or the answer already sent. */
  async function callerOf(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ caller: Caller; secret: string } | null> {
    const bearer = bearerSecret(req.headers.authorization);
    const apiKey = req.headers["x-api-key"];
    const secret = bearer ?? (typeof apiKey === "string" && apiKey.trim() ? apiKey.trim() : undefined);
    if (!secret) {
      sendJson(res, 401, {
        errorDetails: "Send an API token as Authorization: Bearer <token> or X-API-Key: <token>",
      });
      return null;
    }
    const caller = await services.authentication.authenticate(secret);
    if (!caller) {
      sendJson(res, 401, { errorDetails: "This API token is not valid, or it was revoked" });
      return null;
    }
    if (!(Can.evaluate as readonly string[]).includes(caller.role)) {
      sendJson(res, 403, { errorDetails: `A ${caller.role} token may not evaluate flags` });
      return null;
    }
    const wait = limiter?.take(caller.tokenId) ?? 0;
    if (wait) {
      sendJson(
        res,
        429,
        { errorDetails: `This API token is over its rate limit; retry in ${wait} s` },
        { "Retry-After": String(wait) },
      );
      return null;
    }
    return { caller, secret };
  }

  /** The evaluation of the body's context, or the spec's 400 already sent (with `key` for a single flag). */
  async function evaluate(
    body: unknown,
    res: ServerResponse,
    caller: Caller,
    key?: string,
  ): Promise<Evaluation | null> {
    const fail = (errorCode: OfrepErrorCode, errorDetails: string) => {
      sendJson(res, 400, { ...(key === undefined ? {} : { key }), errorCode, errorDetails });
      return null;
    };
    const context = readContext(body);
    if (!context.ok) return fail(context.errorCode, context.errorDetails);
    try {
      return await services.evaluation.evaluate(caller, {
        id: context.userId,
        properties: context.properties,
      });
    } catch (error) {
      if (!(error instanceof InvalidArgument)) throw error;
      const field = error.argument === "user.id" ? "context.targetingKey" : "context";
      return fail("INVALID_CONTEXT", `${field} ${error.message.slice(error.argument.length + 1)}`);
    }
  }

  async function single(req: IncomingMessage, res: ServerResponse, key: string): Promise<void> {
    const body = await readBody(req, res, maxBodyBytes, key);
    if (body === NOTHING) return;
    const found = await callerOf(req, res);
    if (!found) return;
    const answer = await evaluate(body.json, res, found.caller, key);
    if (!answer) return;
    const value = answer.values.find((candidate) => candidate.key === key);
    if (!value) {
      sendJson(res, 404, {
        key,
        errorCode: "FLAG_NOT_FOUND",
        errorDetails: `No active key is named "${key}"`,
      });
      return;
    }
    sendJson(res, 200, flagAnswer(value, variantsOf(answer.assignments)));
  }

  /**
   * The bulk answer's `eventStreams` by caller: a token's channel never changes (its secret is fixed
   * at creation), and where callers are remembered (SQLite) one caller serves many requests.
   */
  const streamsOf = new WeakMap<Caller, string>();

  async function bulk(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, res, maxBodyBytes);
    if (body === NOTHING) return;
    const found = await callerOf(req, res);
    if (!found) return;
    const answer = await evaluate(body.json, res, found.caller);
    if (!answer) return;
    const variants = variantsOf(answer.assignments);
    // The tag is over the user's answer (events and profiles change answers too, so the config
    // version alone would not do); a 304 never builds the text.
    const flags = bulkFlags(answer.values, variants, answer.configuration);
    const headers = { ETag: flags.tag, "Cache-Control": "private, no-cache" };
    if (tagMatches(req.headers["if-none-match"], flags.tag)) {
      res.writeHead(304, headers).end();
      return;
    }
    let streams = streamsOf.get(found.caller);
    if (streams === undefined) {
      const channel = encodeURIComponent(streamChannel(found.caller.tokenId, hashSecret(found.secret)));
      streams = JSON.stringify([
        {
          type: "sse",
          endpoint: { requestUri: `/ofrep/v1/events?channel=${channel}` },
          inactivityDelaySec: INACTIVITY_DELAY_SEC,
        },
      ]);
      streamsOf.set(found.caller, streams);
    }
    // The eventStreams text is ASCII: the channel is URI-encoded.
    const text = `{"flags":${flags.json()},"eventStreams":${streams}}`;
    sendJsonText(res, 200, text, headers, flags.ascii);
  }

  async function events(query: string, res: ServerResponse): Promise<void> {
    const channel = new URLSearchParams(query).get("channel") ?? "";
    const caller = channel ? await services.authentication.authenticateChannel(channel) : null;
    if (!caller) {
      sendJson(res, 401, {
        errorDetails: "This change stream's channel is not valid, or its token was revoked",
      });
      return;
    }
    if (!streams.open(caller, res)) {
      sendJson(
        res,
        429,
        { errorDetails: "Too many open change streams for this token" },
        { "Retry-After": "30" },
      );
    }
  }

  return (req, res) => {
    const url = req.url ?? "";
    if (!url.startsWith("/ofrep/")) return false;
    let work: Promise<void>;
    const started = performance.now();
    const key = SINGLE.exec(url)?.[1];
    const events_ = EVENTS.exec(url);
    const operation =
      req.method === "POST" && key !== undefined
        ? "flag"
        : req.method === "POST" && BULK.test(url)
          ? "flags"
          : req.method === "GET" && events_
            ? "events"
            : null;
    // A stream's duration is its connection's life: only its opening is counted.
    if (metrics && operation && operation !== "events")
      res.once("finish", () => metrics.request("ofrep", operation, String(res.statusCode), started));
    if (operation === "flag") {
      const flagKey = decodedKey(key!);
      if (flagKey === null) {
        sendJson(res, 400, {
          errorCode: "PARSE_ERROR",
          errorDetails: "The flag key in the path is not validly percent-encoded UTF-8",
        });
        return true;
      }
      work = single(req, res, flagKey);
    } else if (operation === "flags") work = bulk(req, res);
    else if (operation === "events") work = events(events_![1] ?? "", res);
    else {
      sendJson(res, 404, {
        errorDetails: "Not an OFREP endpoint: POST /ofrep/v1/evaluate/flags[/{key}], GET /ofrep/v1/events",
      });
      return true;
    }
    work.catch((error: unknown) => {
      const fault = storageFaultOf(error);
      if (fault) logger.warn({ err: error }, "OFREP request met a storage fault");
      else logger.error({ err: error }, "OFREP request failed");
      if (res.headersSent) res.end();
      else if (fault)
        sendJson(
          res,
          503,
          { ...(key ? { key } : {}), errorCode: "GENERAL", errorDetails: fault.message },
          { "Retry-After": "5" },
        );
      else
        sendJson(res, 500, {
          ...(key ? { key } : {}),
          errorCode: "GENERAL",
          errorDetails: "Internal server error",
        });
    });
    return true;
  };
}

/** The path's flag key, percent-decoded; null when it is not valid percent-encoded UTF-8 (`%`, `%E0%A4%A`). */
function decodedKey(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

function variantsOf(assignments: { abTestId: string; variant: string }[]): Map<string, string> {
  return new Map(assignments.map((assignment) => [assignment.abTestId, assignment.variant]));
}

const NOTHING = Symbol("answered");

/** A parsed body, or NOTHING when the answer (an error) has been sent already. */
type Body = { json: unknown } | typeof NOTHING;

/**
 * The request body as JSON, whatever its content type (SDKs send JSON, and a client that forgets the
 * header still means JSON). Malformed is PARSE_ERROR; over the limit is 413 and the rest is not read.
 */
async function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  key?: string,
): Promise<Body> {
  const body = await readJsonBody(req, limit);
  if (body.ok) return body;
  const about = key ? { key } : {};
  if (body.problem === "too large") {
    sendJson(
      res,
      413,
      {
        ...about,
        errorCode: "INVALID_CONTEXT",
        errorDetails: `The request body is larger than ${limit} bytes`,
      },
      { Connection: "close" },
    );
  } else if (body.problem === "not JSON") {
    sendJson(res, 400, {
      ...about,
      errorCode: "PARSE_ERROR",
      errorDetails: "The request body is not valid JSON",
    });
  }
  return NOTHING;
}
