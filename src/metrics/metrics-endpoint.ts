import type { RequestHandler } from "express";
import { bearerSecret, hashesMatch, hashSecret } from "../access/token-secret";
import type { Metrics } from "./metrics";

/**
 * `GET /metrics` in Prometheus' text format, for a scraper holding METRICS_TOKEN (its own secret,
 * not an API token: a scraper needs no project). Without METRICS_TOKEN the endpoint is off.
 */
export function metricsEndpoint(metrics: Metrics, token: string | null): RequestHandler {
  const expected = token === null ? null : hashSecret(token);
  return async (req, res) => {
    if (expected === null) {
      res.status(404).json({ error: "Metrics are off: start the server with METRICS_TOKEN to serve them" });
      return;
    }
    const presented = bearerSecret(req.headers.authorization);
    if (!presented || !hashesMatch(expected, hashSecret(presented))) {
      res
        .status(401)
        .set("WWW-Authenticate", "Bearer")
        .json({ error: "Send Authorization: Bearer <METRICS_TOKEN>" });
      return;
    }
    res.set("Content-Type", metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
