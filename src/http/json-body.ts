import type { IncomingMessage, ServerResponse } from "node:http";

/** A request body read as JSON, or why not: over the limit (the rest is not read), or not JSON. */
export type JsonBody =
  | { ok: true; json: unknown }
  | { ok: false; problem: "too large" | "not JSON" }
  | { ok: false; problem: "aborted" };

/**
 * Reads the body and parses it as UTF-8 JSON, for the handlers node's HTTP server runs before
 * Express (OFREP, POST /graphql), which answer with sendJson below. Stops reading as soon as it is
 * over `limit` bytes; an empty body is `emptyAs` (what the caller's protocol makes of "nothing sent").
 */
export function readJsonBody(req: IncomingMessage, limit: number, emptyAs?: unknown): Promise<JsonBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        resolve({ ok: false, problem: "too large" });
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (refused) return;
      const text = Buffer.concat(chunks).toString("utf8");
      if (text === "" && emptyAs !== undefined) return resolve({ ok: true, json: emptyAs });
      try {
        resolve({ ok: true, json: JSON.parse(text) as unknown });
      } catch {
        resolve({ ok: false, problem: "not JSON" });
      }
    });
    req.on("error", () => resolve({ ok: false, problem: "aborted" }));
  });
}

/**
 * Answers with JSON text already serialized, and its length. `ascii`: the caller knows the text is
 * all ASCII, so its length is its byte count and it is written as Latin-1, the same bytes as UTF-8
 * there, without scanning ~30 KB twice to encode it.
 */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
  ascii = false,
): void {
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": ascii ? text.length : Buffer.byteLength(text),
  });
  res.end(text, ascii ? "latin1" : "utf8");
}

/** Answers with `body` as JSON. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}
