import "reflect-metadata";
import sqlite3 from "sqlite3";
import { DataSource, type DataSourceOptions } from "typeorm";
import { loadConfig, type DatabaseConfig } from "./src/config";
import { entities } from "./src/db/entities";
import { migrations } from "./src/db/migrations";
import { SnakeNamingStrategy } from "./src/db/snake-naming";

/**
 * TypeORM options for one connection to the configured database. On SQLite the server opens two:
 * the writer, and a read-only reader that in WAL mode sees only committed data (docs/DESIGN.md).
 */
export function dataSourceOptions(database: DatabaseConfig, role: "writer" | "reader" = "writer"): DataSourceOptions {
  const common = {
    entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    // The schema comes from migrations only, on every engine, in tests too.
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
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
    database: database.file,
    busyTimeout: 5_000,
    ...(role === "writer" ? { enableWAL: true } : { flags: sqlite3.OPEN_READONLY }),
  };
}

/** For the TypeORM CLI (e.g. `npx typeorm migration:show -d dist/ormconfig.js`). */
export default new DataSource(dataSourceOptions(loadConfig().database));
