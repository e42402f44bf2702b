import { HeaderMap, type ApolloServer } from "@apollo/server";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { RequestContext } from "../graphql/context";
import { readJsonBody, sendJson } from "./json-body";

const PATH = /^\/graphql(\?.*)?$/;
const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * POST /graphql with a plain JSON body, the request every dashboard and app sends, served by node's
 * HTTP server before Express: the same Apollo, context and body limit, without Express's request
 * and response wrapping, which measured a fifth of the stack's speed (docs/PERFORMANCE.md). Every
 * other request to /graphql (GET for GraphiQL or a query in the URL, other content types, compressed
 * bodies) goes on to Express as before.
 *
 * Returns a handler that answers the request and says true, or says false for the requests it leaves.
 */
export function graphqlHandler(
  apollo: () => ApolloServer<RequestContext>,
  options: {
    maxBodyBytes: number;
    context: (req: IncomingMessage) => Promise<RequestContext>;
    logger: Logger;
  },
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { maxBodyBytes, context, logger } = options;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, maxBodyBytes, {});
    if (!body.ok) {
      // Over the limit, the rest of the body is not read: the connection cannot serve another request.
      if (body.problem === "too large") refuseBody(res, "too large", maxBodyBytes, { Connection: "close" });
      else if (body.problem === "not JSON") refuseBody(res, "not JSON", maxBodyBytes);
      return;
    }
    // A JSON body is an object or an array of operations (which Apollo refuses); a bare value is not JSON it reads.
    if (typeof body.json !== "object" || body.json === null) {
      refuseBody(res, "not JSON", maxBodyBytes);
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const url = req.url ?? "/graphql";
    const answer = await apollo().executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: "POST",
        headers,
        search: url.includes("?") ? url.slice(url.indexOf("?")) : "",
        body: body.json,
      },
      context: () => context(req),
    });
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === "complete") {
      res.setHeader("Content-Length", Buffer.byteLength(answer.body.string));
      res.end(answer.body.string);
      return;
    }
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return (req, res) => {
    if (req.method !== "POST" || !PATH.test(req.url ?? "")) return false;
    if (!JSON_TYPE.test(req.headers["content-type"] ?? "")) return false;
    const encoding = req.headers["content-encoding"];
    if (encoding && encoding.toLowerCase() !== "identity") return false;
    serve(req, res).catch((error: unknown) => {
      logger.error({ err: error }, "POST /graphql failed outside GraphQL");
      if (!res.headersSent) sendErrors(res, 500, "Internal server error", "INTERNAL_SERVER_ERROR");
      else res.destroy();
    });
    return true;
  };
}

/** The answer to a body GraphQL cannot read, here or in Express (server.ts): 413 or 400, GraphQL-shaped. */
export function refuseBody(
  res: ServerResponse,
  problem: "too large" | "not JSON",
  maxBodyBytes: number,
  headers: Record<string, string> = {},
): void {
  if (problem === "too large") {
    sendErrors(
      res,
      413,
      `The request body is larger than ${maxBodyBytes} bytes`,
      "PAYLOAD_TOO_LARGE",
      headers,
    );
  } else {
    sendErrors(res, 400, "The request body is not valid JSON", "BAD_REQUEST", headers);
  }
}

function sendErrors(
  res: ServerResponse,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}
