// `npm run backup -- <target file> [--force]`: a consistent copy of the SQLite database while the
// server runs, through SQLite's online backup API (a `cp` of a live WAL database can copy a torn
// state). The database is DATABASE_URL's, as the server reads it. The target's folder is made; an
// existing target is replaced only with --force.
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import sqlite3 from "sqlite3";
import { loadConfig } from "../src/config";

/** node-sqlite3's Backup (its type declarations leave it out). */
interface OnlineBackup {
  step(pages: number, callback: (error: Error | null) => void): void;
  finish(): void;
  readonly completed: boolean;
  readonly failed: boolean;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const target = args.find((arg) => arg !== "--force");
  if (!target) throw new Error("usage: npm run backup -- <target file> [--force]");
  const { database } = loadConfig();
  if (database.engine !== "sqlite") throw new Error("DATABASE_URL is PostgreSQL: back it up with pg_dump");
  if (!existsSync(database.file))
    throw new Error(`There is no database at ${database.file} (DATABASE_URL): start the server once first`);
  if (existsSync(target) && !force)
    throw new Error(`${target} exists already: choose another file, or add --force to replace it`);
  mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const source = await new Promise<sqlite3.Database>((resolve, reject) => {
    const db = new sqlite3.Database(database.file, sqlite3.OPEN_READONLY, (error) =>
      error ? reject(error) : resolve(db),
    );
  });
  try {
    // Pages are copied in steps, so the server's writes go on meanwhile; a write during the copy
    // restarts it, and the result is the database as of one commit.
    const backup = (source as unknown as { backup(file: string): OnlineBackup }).backup(target);
    await new Promise<void>((resolve, reject) => {
      const step = () =>
        backup.step(100, (error: Error | null) => {
          if (error) return reject(error);
          if (backup.completed) return resolve();
          if (backup.failed) return reject(new Error("the backup failed"));
          setTimeout(step, 1);
        });
      step();
    });
    backup.finish();
    console.log(`backed up ${database.file} to ${target}`);
  } finally {
    source.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
