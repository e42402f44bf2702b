import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "pg";
import sqlite3 from "sqlite3";
import type { DatabaseConfig } from "../../src/config";

/**
 * A fresh, empty database for one test server: a temporary SQLite file by default, or a new
 * PostgreSQL database when TEST_DATABASE_URL names a server (`npm run test:postgres`).
 */
export interface TestDatabase {
  config: DatabaseConfig;
  /** Plain SQL against the database (`$1` parameters on PostgreSQL, `?` on SQLite), for checks and faults behind the API. */
  query<Row>(text: string, parameters?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

/** The DATABASE_URL a server process needs to open `config`. */
export function databaseUrl(config: DatabaseConfig): string {
  return config.engine === "postgres" ? config.url : `sqlite:${config.file}`;
}

/**
 * The engine this jest run must use: `npm run test:postgres` sets PX_TEST_ENGINE=postgres, and then
 * nothing may fall back to SQLite (a PostgreSQL pass that quietly ran on SQLite proved nothing).
 */
export function testEngine(): "sqlite" | "postgres" {
  const wanted = process.env.PX_TEST_ENGINE ?? (process.env.TEST_DATABASE_URL ? "postgres" : "sqlite");
  if (wanted !== "sqlite" && wanted !== "postgres")
    throw new Error(`PX_TEST_ENGINE must be sqlite or postgres, got ${wanted}`);
  if (wanted === "postgres" && !process.env.TEST_DATABASE_URL) {
    throw new Error("PX_TEST_ENGINE=postgres needs TEST_DATABASE_URL (scripts/test-postgres.sh sets both)");
  }
  return wanted;
}

/**
 * What concurrent writes of one process meet on this pass's engine, for the names of tests that send
 * them together: on SQLite they queue for the one writer and cannot interleave (the check-then-write
 * inside them is still exercised), on PostgreSQL they really run side by side.
 */
export const CONCURRENT_WRITES =
  testEngine() === "postgres" ? "interleaving on PostgreSQL" : "queued by SQLite's one writer";

export async function freshDatabase(): Promise<TestDatabase> {
  if (testEngine() === "postgres") {
    const adminUrl = process.env.TEST_DATABASE_URL!;
    const name = `px_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
      config: { engine: "postgres", url: url.toString(), poolSize: 10 },
      query: (text, parameters = []) =>
        withClient(url.toString(), async (client) => (await client.query(text, parameters)).rows),
      drop: async () => {
        await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "px-test-"));
  const file = path.join(dir, "px.sqlite");
  return {
    config: { engine: "sqlite", file },
    query: (text, parameters = []) => sqliteQuery(file, text, parameters),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Plain SQL on a SQLite file, on a connection of its own. */
export function sqliteQuery<Row>(file: string, text: string, parameters: unknown[] = []): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const connection = new sqlite3.Database(file, (error) => error && reject(error));
    connection.all(text, parameters, (error, rows) => {
      connection.close();
      if (error) reject(error);
      else resolve(rows as Row[]);
    });
  });
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
