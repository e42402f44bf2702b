import pino, { type Logger } from "pino";

/** Structured JSON logs on stdout. Secrets never go in: tokens are logged by id, never by value. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, redact: ["req.headers.authorization", "authorization"] });
}
