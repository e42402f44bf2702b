import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "pg";
import type { DatabaseConfig } from "../../src/config";

/**
 * A fresh, empty database for one test server: a temporary SQLite file by default, or a new
 * PostgreSQL database when TEST_DATABASE_URL names a server (`npm run test:postgres`).
 */
export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

export async function freshDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `px_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
      config: { engine: "postgres", url: url.toString() },
      drop: async () => {
        await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "px-test-"));
  return {
    config: { engine: "sqlite", file: path.join(dir, "px.sqlite") },
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
