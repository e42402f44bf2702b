import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import { unwrapResolverError } from "@apollo/server/errors";

/**
 * Top-level errors: authentication, authorization and malformed requests. Business failures are
 * not here: they are userErrors in payloads (shared/user-error.ts).
 */
export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
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
]);

interface ValidationErrorDetail {
  property: string;
  constraints?: Record<string, string>;
}

/**
 * Shapes every error before it leaves: client errors keep their message; class-validator's argument
 * errors become one readable BAD_USER_INPUT (without echoing the input back); anything unexpected is
 * logged with an id and reaches the client as that id only, never as a stack trace or SQL.
 */
export function errorFormatter(logger: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const validationErrors = formatted.extensions?.validationErrors as ValidationErrorDetail[] | undefined;
    if (code === "BAD_USER_INPUT" && Array.isArray(validationErrors)) {
      const messages = validationErrors.flatMap((detail) => Object.values(detail.constraints ?? {}));
      return {
        message: messages.join("; ") || formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: "BAD_USER_INPUT" },
      };
    }
    if (typeof code === "string" && CLIENT_CODES.has(code)) {
      // The client's mistake, not ours: the message says it all, a stack trace would only be noise.
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const errorId = randomUUID();
    const cause = unwrapResolverError(error);
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
