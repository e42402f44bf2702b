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

export async function freshDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `px_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
      config: { engine: "postgres", url: url.toString(), poolSize: 10 },
      query: (text, parameters = []) => withClient(url.toString(), async (client) => (await client.query(text, parameters)).rows),
      drop: async () => {
        await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "px-test-"));
  const file = path.join(dir, "px.sqlite");
  return {
    config: { engine: "sqlite", file },
    query: (text, parameters = []) =>
      new Promise((resolve, reject) => {
        const connection = new sqlite3.Database(file, (error) => error && reject(error));
        connection.all(text, parameters, (error, rows) => {
          connection.close();
          if (error) reject(error);
          else resolve(rows as never);
        });
      }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
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
