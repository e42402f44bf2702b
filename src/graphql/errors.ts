import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import { unwrapResolverError } from "@apollo/server/errors";
import { InvalidArgument } from "../shared/invalid-argument";
import { storageFaultOf } from "../db/storage-fault";

/**
 * Top-level errors: authentication, authorization and malformed requests. Business failures are
 * not here: they are userErrors in payloads (shared/user-error.ts).
 */
export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

/** Over the token's rate limit (access/rate-limiter.ts): HTTP 429 with Retry-After. */
export function rateLimited(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`This API token is over its rate limit; retry in ${retryAfterSeconds} s`, {
    extensions: {
      code: "RATE_LIMITED",
      retryAfter: retryAfterSeconds,
      http: { status: 429, headers: new Map([["retry-after", String(retryAfterSeconds)]]) },
    },
  });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN" } });
}

export function badUserInput(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", ...extra } });
}

/** Codes a client can act on; every other error is ours and is reported as INTERNAL_SERVER_ERROR. */
const CLIENT_CODES = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  // The request limits of limits.ts.
  "QUERY_TOO_COMPLEX",
  "QUERY_TOO_DEEP",
  "TOO_MANY_ALIASES",
  "LIST_TOO_LONG",
  "INPUT_TOO_DEEP",
  "TOO_MANY_EVALUATIONS",
  "TOO_MANY_EVENTS",
  "RATE_LIMITED",
]);

/**
 * A client error's message, at most this long. graphql-js quotes the value a variable failed to
 * coerce ("Variable \"$x\" got invalid value …"), which can be most of a 1 MiB body: sending it
 * back would turn every bad request into a reflected copy of itself.
 */
export const MAX_CLIENT_MESSAGE_LENGTH = 300;

function bounded(message: string): string {
  if (message.length <= MAX_CLIENT_MESSAGE_LENGTH) return message;
  return `${Array.from(message.slice(0, MAX_CLIENT_MESSAGE_LENGTH)).slice(0, -1).join("")}… (shortened)`;
}

/**
 * Shapes every error before it leaves: client errors keep their (bounded) message; anything
 * unexpected is logged with an id and reaches the client as that id only, never as a stack trace or SQL.
 */
export function errorFormatter(logger: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const cause = unwrapResolverError(error);
    if (cause instanceof InvalidArgument) {
      return {
        message: bounded(cause.message),
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: "BAD_USER_INPUT", argument: cause.argument },
      };
    }
    const fault = storageFaultOf(cause);
    if (fault) {
      // Not the client's mistake and not a bug: the same request may succeed once the fault is gone.
      logger.warn({ err: cause, path: formatted.path }, "a request met a storage fault");
      return {
        message: fault.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: "SERVICE_UNAVAILABLE", reason: fault.reason },
      };
    }
    if (typeof code === "string" && CLIENT_CODES.has(code)) {
      // The client's mistake, not ours: the message says it all, a stack trace would only be noise.
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message: bounded(formatted.message), extensions };
    }
    const errorId = randomUUID();
    logger.error({ err: cause, errorId, path: formatted.path }, "unexpected error while answering a request");
    return {
      message: production ? "Internal server error" : `Internal server error: ${errorMessage(cause)}`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: production
        ? { code: "INTERNAL_SERVER_ERROR", errorId }
        : { code: "INTERNAL_SERVER_ERROR", errorId, stacktrace: formatted.extensions?.stacktrace },
    };
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
