import type { ApolloServerOptionsWithGateway } from "@apollo/server";
import {
  execute,
  GraphQLError,
  OperationTypeNode,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { RequestContext } from "./context";

type Gateway = ApolloServerOptionsWithGateway<RequestContext>["gateway"];
type Executor = NonNullable<Awaited<ReturnType<Gateway["load"]>>["executor"]>;

export interface CompiledExecutionOptions {
  /**
   * A query is compiled when it is executed for this time: compiling costs far more than one
   * execution, and a client that writes its arguments inline sends a new document every time.
   */
  compileAt: number;
}

/** How often a hot query must come before it is compiled, unless told otherwise. */
export const COMPILE_AT = 3;

/** An operation graphql-jit declined to compile: graphql-js runs it from then on. */
const DECLINED = Symbol("declined");

/**
 * Queries a client sends again and again (an app's `evaluate`, a dashboard's lists) run compiled by
 * graphql-jit: a function generated for the operation's selection, instead of graphql-js walking the
 * selection for each of the ~1,200 fields of an `evaluate` answer. Apollo keeps one parsed document per
 * query text, so a document object stands for its text here, and its compiled form lives as long as
 * Apollo keeps it. Mutations, first sightings and anything graphql-jit declines run on graphql-js.
 *
 * Served to Apollo through its executor hook (the gateway interface: a schema and an executor), so
 * parsing, validation, plugins, error formatting and HTTP stay Apollo's.
 */
export function compiledExecution(schema: GraphQLSchema, options: CompiledExecutionOptions): Gateway {
  /** Per document and operation: sightings so far, its compiled form, or DECLINED. */
  const operations = new WeakMap<DocumentNode, Map<string, number | CompiledQuery | typeof DECLINED>>();

  const compiled = (document: DocumentNode, operationName: string | undefined): CompiledQuery | null => {
    let byName = operations.get(document);
    if (!byName) operations.set(document, (byName = new Map()));
    const name = operationName ?? "";
    const seen = byName.get(name) ?? 0;
    if (seen === DECLINED) return null;
    if (typeof seen !== "number") return seen;
    if (seen + 1 < options.compileAt) {
      byName.set(name, seen + 1);
      return null;
    }
    const query = compileQuery(schema, document, operationName);
    if (isCompiledQuery(query)) {
      byName.set(name, query);
      return query;
    }
    // Declined (it answers errors instead): graphql-js runs this operation from now on.
    byName.set(name, DECLINED);
    return null;
  };

  const executor: Executor = async ({ document, operation, operationName, request, context }) => {
    // The name the client asked for: Apollo's operationName is the resolved operation's, null when
    // none resolved, and graphql-js would then run the document's only operation.
    const reference = () =>
      execute({
        schema,
        document,
        operationName: request.operationName,
        contextValue: context,
        variableValues: request.variables,
      });
    // No operation: the operationName names none of the document's, or several are sent without
    // one. Apollo types it as always there but passes undefined; graphql-js then answers the error
    // that Apollo turns into OPERATION_RESOLUTION_FAILURE (400).
    const resolved = operation as typeof operation | undefined;
    const query =
      resolved?.operation === OperationTypeNode.QUERY ? compiled(document, operationName ?? undefined) : null;
    if (!query) return reference();
    const result = await query.query(undefined, context, request.variables);
    // No data: the variables were refused before anything ran. graphql-js words that refusal as
    // clients and Apollo know it (BAD_USER_INPUT, status 400).
    if (result.data === undefined) return reference();
    return withStandardErrors(result);
  };

  return {
    onSchemaLoadOrUpdate(listener) {
      listener({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => {};
    },
    load: async () => ({ executor }),
    stop: async () => {},
  };
}

/**
 * graphql-jit's errors pass for graphql-js's (same prototype) but leave `extensions` undefined where
 * graphql-js gives an object, which Apollo's error formatting relies on: each becomes a graphql-js
 * error with the same message, locations, path and cause.
 */
function withStandardErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map((error) => {
    const standard = new GraphQLError(error.message, {
      path: error.path,
      originalError: error.originalError,
      extensions: error.extensions,
    });
    (standard as { locations?: GraphQLError["locations"] }).locations = error.locations;
    return standard;
  });
  return { ...result, errors };
}
