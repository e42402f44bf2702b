import compression from "compression";
import cors from "cors";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppConfig } from "../config";

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** What a browser on another origin may send: the token (either header), JSON, Apollo's CSRF header, OFREP's ETag. */
const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "x-api-key",
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "if-none-match",
];
/** Headers a cross-origin script may read: OFREP's ETag, and when to retry after a 429. */
const EXPOSED_HEADERS = ["etag", "retry-after"];
/** How long a browser may reuse a preflight answer (Chrome caps it at 2 hours). */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;
/** Smaller answers are sent as they are: compressing them saves nothing worth the CPU. */
const COMPRESSION_THRESHOLD_BYTES = 1024;

/**
 * What every request goes through before the APIs (GraphQL in Express, OFREP before it): CORS, so a
 * dashboard on another origin can call the server (preflights answered 204 here), then compression.
 * No cookies are used, so no credentials are allowed: docs/SECURITY.md explains the default `*`.
 */
export function frontMiddleware(
  config: Pick<AppConfig, "corsOrigins" | "compression">,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const layers: Middleware[] = [
    cors({
      origin: config.corsOrigins.includes("*") ? "*" : config.corsOrigins,
      methods: ["GET", "POST", "OPTIONS"],
      allowedHeaders: ALLOWED_HEADERS,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE_SECONDS,
      credentials: false,
      optionsSuccessStatus: 204,
    }) as Middleware,
  ];
  // The change stream says `Cache-Control: no-transform`, which compression honours: it stays a stream.
  if (config.compression) {
    const compress = compression({ threshold: COMPRESSION_THRESHOLD_BYTES }) as unknown as Middleware;
    layers.push((req, res, next) => {
      if (req.headers["accept-encoding"]) return compress(req, res, next);
      // A client that accepts no encoding is sent the body as it is: the middleware's hooks on every
      // header and write would only add this header.
      const vary = res.getHeader("Vary");
      res.setHeader("Vary", vary ? `${String(vary)}, Accept-Encoding` : "Accept-Encoding");
      next();
    });
  }
  return (req, res, next) => {
    const run = (index: number, error?: unknown) => {
      if (error) {
        res.statusCode = 500;
        res.end();
      } else if (index === layers.length) next();
      else layers[index](req, res, (failure) => run(index + 1, failure));
    };
    run(0);
  };
}
