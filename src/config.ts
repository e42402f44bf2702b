import path from "node:path";

export type DatabaseConfig =
  { engine: "sqlite"; file: string } | { engine: "postgres"; url: string; poolSize: number };

export interface AppConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  /** A secret to install as the `bootstrap` ADMIN token on start, if no token has it yet. */
  bootstrapAdminToken: string | null;
  production: boolean;
  logLevel: string;
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
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    database: parseDatabaseUrl(env.DATABASE_URL ?? "sqlite:./data/px.sqlite", env.DATABASE_POOL_SIZE),
    bootstrapAdminToken: bootstrap,
    production: env.NODE_ENV === "production",
    logLevel,
  };
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
