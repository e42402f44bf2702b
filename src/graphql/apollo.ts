import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import type { GraphQLSchema } from "graphql";
import type { Logger } from "pino";
import type { RequestContext } from "./context";
import { errorFormatter } from "./errors";
import { COMPILE_AT, compiledExecution } from "./compiled-execution";
import { LIMITS, limitsPlugin } from "./limits";

export interface ApolloOptions {
  logger: Logger;
  production: boolean;
  plugins?: ApolloServerPlugin<RequestContext>[];
  /** When a repeated query is compiled (compiled-execution.ts); tests compile at first sight. */
  compileAt?: number;
}

/** The GraphQL engine, the same for HTTP and for tests that call executeOperation. */
export function createApollo(schema: GraphQLSchema, options: ApolloOptions): ApolloServer<RequestContext> {
  return new ApolloServer<RequestContext>({
    gateway: compiledExecution(schema, { compileAt: options.compileAt ?? COMPILE_AT }),
    introspection: true,
    // main.ts owns shutdown; Apollo's own handler would re-raise the signal and kill the process
    // before the database is closed.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !options.production,
    formatError: errorFormatter(options.logger, options.production),
    // Apollo's own landing page loads from a CDN; GET /graphql serves our offline GraphiQL instead.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // We set no cache hints; left on, it wraps every field resolver to look for them.
      ApolloServerPluginCacheControlDisabled(),
      limitsPlugin(schema),
      ...(options.plugins ?? []),
    ],
    parseOptions: { maxTokens: LIMITS.maxTokens },
    // One operation per request: a JSON array of operations is refused (batching multiplies work).
    allowBatchedHttpRequests: false,
  });
}
