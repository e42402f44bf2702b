import path from "node:path";

export interface SqliteDatabaseConfig {
  engine: "sqlite";
  file: string;
}
export interface PostgresDatabaseConfig {
  engine: "postgres";
  url: string;
  poolSize: number;
}
export type DatabaseConfig = SqliteDatabaseConfig | PostgresDatabaseConfig;

export interface AppConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  /** A secret to install as the `bootstrap` ADMIN token on start, if no token has it yet. */
  bootstrapAdminToken: string | null;
  production: boolean;
  logLevel: string;
  /** Origins a browser may call the API from; ["*"]: any (docs/SECURITY.md says why that is the default). */
  corsOrigins: string[];
  /** gzip or brotli for answers over 1 KiB when the client accepts it. */
  compression: boolean;
  /** The bearer secret `GET /metrics` asks for; null: metrics are not served. */
  metricsToken: string | null;
  /** Requests per minute each token may make in each process; 0: no limit. */
  rateLimitPerMinute: number;
  webhooks: WebhookPolicy;
}

/** How webhooks are sent (RULES.md "Webhooks"); docs/SECURITY.md says why private networks are refused. */
export interface WebhookPolicy {
  /** An attempt without a 2xx answer within this many milliseconds failed. */
  timeoutMs: number;
  /** Waits before the second, third, ... attempt, in milliseconds; after the last, FAILED. */
  retryScheduleMs: number[];
  /** Whether URLs may reach loopback, private, link-local and unspecified addresses. */
  allowPrivateNetworks: boolean;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export class ConfigError extends Error {}

/** Reads the environment once at start; a bad value stops the server with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${env.PORT}"`);
  }
  const logLevel = env.LOG_LEVEL ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
  const bootstrap = env.BOOTSTRAP_ADMIN_TOKEN?.trim() || null;
  if (bootstrap !== null && bootstrap.length < 16) {
    throw new ConfigError("BOOTSTRAP_ADMIN_TOKEN must be at least 16 characters: it is an admin password");
  }
  const metricsToken = env.METRICS_TOKEN?.trim() || null;
  if (metricsToken !== null && metricsToken.length < 16) {
    throw new ConfigError("METRICS_TOKEN must be at least 16 characters");
  }
  const rateLimit = Number(env.RATE_LIMIT_PER_MINUTE ?? 0);
  if (!Number.isInteger(rateLimit) || rateLimit < 0) {
    throw new ConfigError(
      `RATE_LIMIT_PER_MINUTE must be a whole number, 0 for no limit, got "${env.RATE_LIMIT_PER_MINUTE}"`,
    );
  }
  const timeoutMs = Number(env.WEBHOOK_TIMEOUT_MS ?? DEFAULT_WEBHOOK_POLICY.timeoutMs);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
    throw new ConfigError(
      `WEBHOOK_TIMEOUT_MS must be a whole number of milliseconds from 100 to 120000, got "${env.WEBHOOK_TIMEOUT_MS}"`,
    );
  }
  const allowPrivate = env.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? "false";
  if (allowPrivate !== "true" && allowPrivate !== "false") {
    throw new ConfigError(`WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false, got "${allowPrivate}"`);
  }
  const compression = env.COMPRESSION ?? "on";
  if (compression !== "on" && compression !== "off") {
    throw new ConfigError(`COMPRESSION must be on or off, got "${compression}"`);
  }
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    database: parseDatabaseUrl(env.DATABASE_URL ?? "sqlite:./data/px.sqlite", env.DATABASE_POOL_SIZE),
    bootstrapAdminToken: bootstrap,
    production: env.NODE_ENV === "production",
    logLevel,
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS ?? "*"),
    compression: compression === "on",
    metricsToken,
    rateLimitPerMinute: rateLimit,
    webhooks: {
      timeoutMs,
      retryScheduleMs:
        env.WEBHOOK_RETRY_SCHEDULE === undefined
          ? DEFAULT_WEBHOOK_POLICY.retryScheduleMs
          : parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE),
      allowPrivateNetworks: allowPrivate === "true",
    },
  };
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_RETRIES = 20;
const MAX_RETRY_WAIT_MS = 7 * 86_400_000;

/**
 * WEBHOOK_RETRY_SCHEDULE: the waits before each retry, comma-separated, each a whole number and a
 * unit (ms, s, m, h, d), e.g. `5s,5m,30m`; empty: a single attempt.
 */
export function parseRetrySchedule(text: string): number[] {
  if (text.trim() === "") return [];
  const waits = text.split(",").map((part) => {
    const match = /^\s*(\d{1,9})(ms|s|m|h|d)\s*$/.exec(part);
    const wait = match ? Number(match[1]) * DURATION_UNITS_MS[match[2]] : NaN;
    if (!(wait <= MAX_RETRY_WAIT_MS))
      throw new ConfigError(
        `WEBHOOK_RETRY_SCHEDULE: "${part.trim()}" is not a wait of at most 7d; write e.g. 5s,5m,30m,2h (units ms, s, m, h, d)`,
      );
    return wait;
  });
  if (waits.length > MAX_RETRIES)
    throw new ConfigError(`WEBHOOK_RETRY_SCHEDULE: at most ${MAX_RETRIES} retries, got ${waits.length}`);
  return waits;
}

/** `*`, or origins as a browser sends them (scheme, host, port; no path), comma-separated. */
export function parseCorsOrigins(text: string): string[] {
  const origins = text
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length === 0) throw new ConfigError("CORS_ORIGINS must name at least one origin, or *");
  for (const origin of origins) {
    if (origin === "*") continue;
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (!parsed || parsed.origin !== origin)
      throw new ConfigError(
        `CORS_ORIGINS: "${origin}" is not an origin; write scheme://host[:port], e.g. https://dashboard.example.com`,
      );
  }
  return origins.includes("*") ? ["*"] : origins;
}

export function parseDatabaseUrl(url: string, poolSize = "10"): DatabaseConfig {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const size = Number(poolSize);
    if (!Number.isInteger(size) || size < 1 || size > 1000) {
      throw new ConfigError(`DATABASE_POOL_SIZE must be a whole number from 1 to 1000, got "${poolSize}"`);
    }
    return { engine: "postgres", url, poolSize: size };
  }
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (file === "" || file === ":memory:") {
      // The server reads through a second connection (see docs/DESIGN.md), which an in-memory
      // database cannot share.
      throw new ConfigError("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/px.sqlite");
    }
    return { engine: "sqlite", file: path.resolve(file) };
  }
  throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres://, got "${url}"`);
}

export const DEFAULT_WEBHOOK_POLICY: WebhookPolicy = {
  timeoutMs: 10_000,
  retryScheduleMs: parseRetrySchedule("5s,5m,30m,2h,5h,10h,10h"),
  allowPrivateNetworks: false,
};
