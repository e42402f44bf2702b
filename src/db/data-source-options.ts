import sqlite3 from "sqlite3";
import { AbstractLogger, type DataSourceOptions, type LogLevel, type LogMessage } from "typeorm";
import type { DatabaseConfig } from "../config";
import { entities } from "./entities";
import { migrations } from "./migrations";
import { SnakeNamingStrategy } from "./snake-naming";

/**
 * TypeORM options for one connection to the configured database. On SQLite the server opens two:
 * the writer, and a read-only reader that in WAL mode sees only committed data (docs/DESIGN.md).
 */
export function dataSourceOptions(
  database: DatabaseConfig,
  role: "writer" | "reader" = "writer",
  onQuery?: (query: string) => void,
): DataSourceOptions {
  const common = {
    entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    // The schema comes from migrations only, on every engine, in tests too.
    synchronize: false,
    migrationsRun: false,
    // Off unless someone watches the statements (the SQL-count tests do).
    ...(onQuery
      ? { logging: ["query"] as LogLevel[], logger: new QueryObserver(onQuery) }
      : { logging: false }),
  };
  if (database.engine === "postgres") {
    return {
      ...common,
      type: "postgres",
      url: database.url,
      extra: {
        max: database.poolSize,
        // A runaway query, a transaction left open, or a pool exhausted for long: errors, not hangs.
        statement_timeout: 15_000,
        idle_in_transaction_session_timeout: 30_000,
        connectionTimeoutMillis: 10_000,
      },
    };
  }
  return {
    ...common,
    type: "sqlite",
    driver: sqlite3WithoutTraces,
    database: database.file,
    busyTimeout: 5_000,
    ...(role === "writer" ? { enableWAL: true } : { flags: sqlite3.OPEN_READONLY }),
  };
}

/**
 * TypeORM calls sqlite3.verbose(), which makes every database call capture a stack trace: a
 * measurable share of CPU on busy servers (docs/PERFORMANCE.md). This driver object answers
 * verbose() with itself, so the traces stay off.
 */
const sqlite3WithoutTraces = Object.assign(Object.create(sqlite3) as typeof sqlite3, {
  verbose() {
    return sqlite3WithoutTraces;
  },
});

/** Hands every statement TypeORM runs to a callback, and logs nothing. */
class QueryObserver extends AbstractLogger {
  constructor(private readonly onQuery: (query: string) => void) {
    super(["query"]);
  }

  protected writeLog(_level: LogLevel, message: LogMessage | LogMessage[]): void {
    for (const entry of Array.isArray(message) ? message : [message]) {
      if (entry.type === "query") this.onQuery(String(entry.message));
    }
  }
}
