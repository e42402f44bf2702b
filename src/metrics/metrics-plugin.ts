import type { ApolloServerPlugin } from "@apollo/server";
import type { RequestContext } from "../graphql/context";
import type { Metrics } from "./metrics";

/** Operation names are the client's words: at most this many distinct ones become labels. */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Counts and times every GraphQL request Apollo executes, by operation name and outcome ("ok", or
 * the first error's code: a request that returns userErrors is "ok", as its HTTP status says).
 * Requests refused before execution (no token, rate limit) are not operations; the rate limiter
 * counts its own refusals.
 */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  const names = new Set<string>();
  const labelOf = (name: string | null | undefined): string => {
    if (!name) return "(anonymous)";
    if (!OPERATION_NAME.test(name)) return "(other)";
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return "(other)";
    names.add(name);
    return name;
  };
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ request, response, operationName }) {
          const body = response.body;
          const errors = body.kind === "single" ? body.singleResult.errors : undefined;
          const code = errors?.length ? errors[0].extensions?.code : "ok";
          const outcome = typeof code === "string" ? code : "INTERNAL_SERVER_ERROR";
          metrics.request("graphql", labelOf(operationName ?? request.operationName), outcome, started);
        },
      };
    },
  };
}
