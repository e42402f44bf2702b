import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sqlite3 from "sqlite3";
import { databaseUrl } from "../helpers/database";
import { onSqliteOnly } from "../helpers/skips";
import { startHttpServer, type HttpTestServer } from "../helpers/servers";

/**
 * `npm run backup` copies the SQLite file while the server runs and writes: the copy opens, passes
 * SQLite's integrity check and holds every write acknowledged before the backup began.
 */
const ADMIN = "px_backup_test_admin_secret";
const ROOT = path.join(__dirname, "..", "..");
let server: HttpTestServer;

beforeAll(async () => {
  server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } });
});
afterAll(() => server.close());

const createKey = (name: string) =>
  fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({
      query: `mutation { createKey(input: { name: "${name}", type: STRING, defaultValue: "x" }) { key { id } } }`,
    }),
  });

function all<Row>(db: sqlite3.Database, sql: string): Promise<Row[]> {
  return new Promise((resolve, reject) =>
    db.all(sql, (error, rows: Row[]) => (error ? reject(error) : resolve(rows))),
  );
}

// PostgreSQL is backed up with its own tools (docs/DEPLOYMENT.md).
const onSqlite = onSqliteOnly("npm run backup copies a SQLite file").test;

onSqlite("a backup taken during writes is whole and consistent", async () => {
  for (let i = 0; i < 50; i++) await createKey(`before_${i}`);
  const target = path.join(mkdtempSync(path.join(tmpdir(), "px-backup-")), "copy.sqlite");
  // Writes keep coming while the copy runs.
  let writing = true;
  const writes = (async () => {
    for (let i = 0; writing; i++) await createKey(`during_${i}`);
  })();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["-r", path.join(ROOT, "scripts", "register-ts.js"), path.join(ROOT, "scripts", "backup.ts"), target],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl(server.database.config) } },
  );
  writing = false;
  await writes;
  expect(stdout).toContain("backed up");
  const copy = new sqlite3.Database(target, sqlite3.OPEN_READONLY);
  try {
    expect(await all(copy, "PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
    const names = (await all<{ name: string }>(copy, "SELECT name FROM key")).map((row) => row.name);
    for (let i = 0; i < 50; i++) expect(names).toContain(`before_${i}`);
  } finally {
    copy.close();
  }
});

onSqlite(
  "a backup makes its folder, refuses to replace a file unless --force, and says what is wrong without a stack trace",
  async () => {
    const backup = (databaseFile: string, ...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          "-r",
          path.join(ROOT, "scripts", "register-ts.js"),
          path.join(ROOT, "scripts", "backup.ts"),
          ...args,
        ],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: `sqlite:${databaseFile}` } },
      );
    const served = (server.database.config as { file: string }).file;
    const target = path.join(mkdtempSync(path.join(tmpdir(), "px-backup-")), "not", "yet", "there.sqlite");
    expect((await backup(served, target)).stdout).toContain("backed up");
    await expect(backup(served, target)).rejects.toMatchObject({
      code: 1,
      stderr: `${target} exists already: choose another file, or add --force to replace it\n`,
    });
    expect((await backup(served, target, "--force")).stdout).toContain("backed up");
    const missing = path.join(tmpdir(), `px-no-such-${process.pid}.sqlite`);
    await expect(backup(missing, target)).rejects.toMatchObject({
      stderr: `There is no database at ${missing} (DATABASE_URL): start the server once first\n`,
    });
  },
);
