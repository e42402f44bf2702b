import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sqlite3 from "sqlite3";
import { CreateKeyDocument, EvaluateDocument, TrackEventsDocument } from "../../client/generated/graphql";
import { databaseUrl, freshDatabase, sqliteQuery, testEngine, type TestDatabase } from "../helpers/database";
import { fixtures } from "../helpers/fixtures";
import {
  httpClient,
  startServerProcess,
  stopServerProcesses,
  type GraphqlClient,
  type ServerProcess,
} from "../helpers/servers";
import { onSqliteOnly, runIf } from "../helpers/skips";

/*
 * Faults injected for real into a server process: a disk that fills mid-write, a write lock held by
 * another connection, a COMMIT that fails. What a client was told is checked against what is stored
 * after a kill -9 and a restart: acknowledged ⇒ present, refused ⇒ absent. And the server heals by
 * itself once the fault is gone: the next writes commit without a restart.
 */
const SECRET = "px_write_faults_bootstrap_secret";

afterEach(() => stopServerProcesses());

/** What clients were told, per kind of write: acknowledged, or refused (the request failed). */
class Ledger {
  readonly acknowledged = { keys: [] as string[], events: [] as string[], visitors: [] as string[] };
  readonly refused = { keys: [] as string[], events: [] as string[], visitors: [] as string[] };
  /** Codes of the errors the refusals came with. */
  readonly codes = new Set<string>();

  constructor(
    private readonly client: GraphqlClient,
    private readonly sdkToken: string,
    private readonly testId: string,
  ) {}

  /** One write of the kind `i` picks (a key, an event, a first visit that places a user), noted. */
  async write(i: number, tag: string): Promise<void> {
    const kind = (["keys", "events", "visitors"] as const)[i % 3];
    const name = `${tag}_${i}`;
    // Padding makes each write need new pages, so a full disk shows within a few writes.
    const padding = "p".repeat(600);
    let response;
    let acknowledged: boolean;
    if (kind === "keys") {
      response = await this.client.execute(CreateKeyDocument, {
        input: { name, type: "STRING", defaultValue: padding, description: padding },
      });
      acknowledged = Boolean(response.data?.createKey.key?.id);
    } else if (kind === "events") {
      response = await this.client.execute(
        TrackEventsDocument,
        { events: [{ id: name, userId: `user-${name}`, name: "Purchase", properties: { padding } }] },
        this.sdkToken,
      );
      acknowledged = response.data?.trackEvents.accepted === 1;
    } else {
      response = await this.client.execute(EvaluateDocument, { user: { id: name } }, this.sdkToken);
      acknowledged = Boolean(response.data?.evaluate.assignments.some((a) => a.abTestId === this.testId));
    }
    for (const error of response.errors ?? []) this.codes.add(String(error.extensions?.code));
    if (acknowledged) this.acknowledged[kind].push(name);
    else if (response.errors?.length) this.refused[kind].push(name);
    else throw new Error(`write ${name} was neither acknowledged nor refused: ${JSON.stringify(response)}`);
  }

  /** Writes `count` in turn, `concurrency` at a time (first visits then share commits). */
  async writeMany(from: number, count: number, tag: string, concurrency = 4): Promise<void> {
    let next = from;
    const worker = async () => {
      while (next < from + count) await this.write(next++, tag);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  get refusals(): number {
    return this.refused.keys.length + this.refused.events.length + this.refused.visitors.length;
  }
}

/** Every acknowledged write is stored and no refused one is, read from the file itself after a kill -9. */
async function expectStoredAsTold(database: TestDatabase, ledger: Ledger): Promise<void> {
  const names = async (text: string) =>
    new Set((await database.query<{ n: string }>(text)).map((row) => row.n));
  const keys = await names("SELECT name AS n FROM key");
  const events = await names("SELECT client_id AS n FROM event");
  const visitors = await names("SELECT user_id AS n FROM assignment");
  expect(ledger.acknowledged.keys.filter((name) => !keys.has(name))).toEqual([]);
  expect(ledger.acknowledged.events.filter((name) => !events.has(name))).toEqual([]);
  expect(ledger.acknowledged.visitors.filter((name) => !visitors.has(name))).toEqual([]);
  expect(ledger.refused.keys.filter((name) => keys.has(name))).toEqual([]);
  expect(ledger.refused.events.filter((name) => events.has(name))).toEqual([]);
  expect(ledger.refused.visitors.filter((name) => visitors.has(name))).toEqual([]);
}

/** A running A/B test that places every user, and an SDK token: first visits write assignments. */
async function placingProject(client: GraphqlClient): Promise<{ sdkToken: string; testId: string }> {
  const make = fixtures(client);
  const key = await make.key("STRING", "a");
  const goal = await make.goal(["Purchase"]);
  const test = await make.abTest({
    goalIds: [goal],
    variants: [
      { name: "control", weight: 50, isControl: true },
      { name: "treatment", weight: 50, values: [{ keyId: key, value: "b" }] },
    ],
  });
  await make.start(test.id);
  return { sdkToken: await make.token("SDK"), testId: test.id };
}

async function health(server: ServerProcess): Promise<{ status: number; body: { reason?: string } }> {
  const response = await fetch(`${server.url}/healthz`);
  return { status: response.status, body: (await response.json()) as { reason?: string } };
}

async function killed(server: ServerProcess): Promise<void> {
  server.child.kill("SIGKILL");
  await server.exited;
}

/** A tmpfs of `size` on a new folder (as root, where mount is allowed), or why there can be none. */
function mountTmpfs(size: string): { dir: string; unmount(): void } | { reason: string } {
  if (process.getuid?.() !== 0) return { reason: "mounting a tmpfs needs root" };
  const dir = mkdtempSync(path.join(tmpdir(), "px-full-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `mount -t tmpfs failed here: ${String((error as Error).message).split("\n")[0]}` };
  }
  return {
    dir,
    unmount: () => {
      execFileSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the file system under `dir` with one file until it refuses more; answers the file. */
function fillDisk(dir: string): string {
  const file = path.join(dir, "filler");
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
    // The last bytes too: a chunk may not fit where a page still would.
    try {
      for (;;) writeSync(fd, Buffer.alloc(512, 1));
    } catch {
      // full
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

const tmpfs = testEngine() === "sqlite" ? mountTmpfs("8m") : null;
afterAll(() => {
  if (tmpfs && "unmount" in tmpfs) tmpfs.unmount();
});

runIf(
  testEngine() !== "sqlite"
    ? "the disk filled is the SQLite file's (a PostgreSQL server's data directory is its operator's)"
    : tmpfs && "reason" in tmpfs
      ? tmpfs.reason
      : null,
).test(
  "a disk that fills under keys, events and first visits: acknowledged ⇒ stored, refused ⇒ absent, /healthz 503 while full, and writes commit again once space is freed, without a restart",
  async () => {
    const dir = (tmpfs as { dir: string }).dir;
    const database: TestDatabase = {
      config: { engine: "sqlite", file: path.join(dir, "px.sqlite") },
      query: (text) => sqliteQuery(path.join(dir, "px.sqlite"), text),
      drop: async () => {},
    };
    const env = { DATABASE_URL: databaseUrl(database.config), BOOTSTRAP_ADMIN_TOKEN: SECRET };
    const server = await startServerProcess(env);
    const client = httpClient(server.url, SECRET);
    const { sdkToken, testId } = await placingProject(client);
    const ledger = new Ledger(client, sdkToken, testId);

    await ledger.writeMany(0, 30, "before");
    expect(ledger.refusals).toBe(0);

    const filler = fillDisk(dir);
    // Until the disk refuses: pages SQLite already holds may take a few more writes.
    let written = 30;
    while (ledger.refusals < 12 && written < 600) {
      await ledger.writeMany(written, 12, "full");
      written += 12;
    }
    expect(ledger.refusals).toBeGreaterThanOrEqual(12);
    expect([...ledger.codes]).toEqual(["SERVICE_UNAVAILABLE"]);
    const whileFull = await health(server);
    expect(whileFull).toEqual({ status: 503, body: expect.objectContaining({ reason: "the disk is full" }) });

    unlinkSync(filler);
    const refusedWhileFull = ledger.refusals;
    await ledger.writeMany(written, 30, "after");
    // Healed in the same process: every write after the space came back committed.
    expect(ledger.refusals).toBe(refusedWhileFull);
    expect((await health(server)).status).toBe(200);

    await killed(server);
    expect(await database.query("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
    await expectStoredAsTold(database, ledger);
    // And the restarted server takes writes.
    const restarted = await startServerProcess(env);
    await new Ledger(httpClient(restarted.url, SECRET), sdkToken, testId).write(0, "restarted");
  },
);

onSqliteOnly("a lock on the file is held by another SQLite connection").test(
  "a write lock held by another connection past the busy timeout: writes meanwhile are refused as SERVICE_UNAVAILABLE, reads go on, and once it is released writes commit again, without a restart",
  async () => {
    const database = await freshDatabase();
    try {
      const env = { DATABASE_URL: databaseUrl(database.config), BOOTSTRAP_ADMIN_TOKEN: SECRET };
      const server = await startServerProcess(env);
      const client = httpClient(server.url, SECRET);
      const { sdkToken, testId } = await placingProject(client);
      // Never used yet: its first use writes its last use, under the lock.
      const fresh = await fixtures(client).token("VIEWER");
      const ledger = new Ledger(client, sdkToken, testId);

      const holder = await lockFile((database.config as { file: string }).file);
      const read = await client.query("{ keys { totalCount } }", {}, fresh);
      expect(read).toEqual({ keys: { totalCount: 1 } });
      // A key, an event and a first visit, each queued for the writer behind the lock.
      await Promise.all([0, 1, 2].map((i) => ledger.write(i, "locked")));
      expect(ledger.refused).toEqual({ keys: ["locked_0"], events: ["locked_1"], visitors: ["locked_2"] });
      expect([...ledger.codes]).toEqual(["SERVICE_UNAVAILABLE"]);
      expect(await health(server)).toEqual({
        status: 503,
        body: expect.objectContaining({ reason: "the database is locked by another connection" }),
      });
      await holder.release();

      await ledger.writeMany(3, 12, "released");
      expect(ledger.refusals).toBe(3);
      expect((await health(server)).status).toBe(200);
      // The fresh token's use is recorded once writes commit again (within its resolution: the next use).
      await killed(server);
      await expectStoredAsTold(database, ledger);
    } finally {
      await database.drop();
    }
  },
);

test("a COMMIT that fails (a deferred constraint): that write is refused and absent, and the next writes commit in their own transactions", async () => {
  const database = await freshDatabase();
  try {
    const env = { DATABASE_URL: databaseUrl(database.config), BOOTSTRAP_ADMIN_TOKEN: SECRET };
    const server = await startServerProcess(env);
    const client = httpClient(server.url, SECRET);
    const { sdkToken, testId } = await placingProject(client);
    await failCommitsOf(database, "fail_at_commit");
    const ledger = new Ledger(client, sdkToken, testId);

    // A key (its own transaction) and first visits (a shared commit), one of each failing at COMMIT.
    const refusedKey = await client.execute(CreateKeyDocument, {
      input: { name: "fail_at_commit_key", type: "BOOLEAN", defaultValue: true },
    });
    expect(refusedKey.errors?.[0].extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    const visits = await Promise.all(
      ["fail_at_commit_visitor", ...Array.from({ length: 7 }, (_, i) => `visitor_${i}`)].map((id) =>
        client.execute(EvaluateDocument, { user: { id } }, sdkToken),
      ),
    );
    expect(visits.map((visit) => Boolean(visit.errors?.length))).toEqual([true, ...Array(7).fill(false)]);
    await ledger.writeMany(0, 12, "after");
    expect(ledger.refusals).toBe(0);

    await killed(server);
    await expectStoredAsTold(database, ledger);
    const stored = async (text: string) => (await database.query<{ n: string }>(text)).map((row) => row.n);
    expect(await stored("SELECT name AS n FROM key WHERE name LIKE 'fail_at_commit%'")).toEqual([]);
    expect(
      (await stored("SELECT user_id AS n FROM assignment WHERE user_id LIKE 'visitor_%'")).sort(),
    ).toEqual(Array.from({ length: 7 }, (_, i) => `visitor_${i}`));
    expect(await stored("SELECT user_id AS n FROM assignment WHERE user_id LIKE 'fail_at_commit%'")).toEqual(
      [],
    );
  } finally {
    await stopServerProcesses();
    await database.drop();
  }
});

/**
 * Makes every insert of a key or an assignment named `prefix…` fail at its COMMIT: a trigger writes
 * a row whose deferred foreign key has nothing to point at, which both engines check only at COMMIT.
 */
async function failCommitsOf(database: TestDatabase, prefix: string): Promise<void> {
  const postgres = database.config.engine === "postgres";
  await database.query("CREATE TABLE commit_fault_parent (id varchar(300) PRIMARY KEY)");
  await database.query(
    "CREATE TABLE commit_fault (ref varchar(300) REFERENCES commit_fault_parent (id) DEFERRABLE INITIALLY DEFERRED)",
  );
  for (const [table, column] of [
    ["key", "name"],
    ["assignment", "user_id"],
  ]) {
    if (postgres) {
      await database.query(
        `CREATE FUNCTION commit_fault_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN INSERT INTO commit_fault VALUES (NEW.${column}); RETURN NEW; END $$`,
      );
      await database.query(
        `CREATE TRIGGER commit_fault_${table} AFTER INSERT ON ${table} FOR EACH ROW
           WHEN (NEW.${column} LIKE '${prefix}%') EXECUTE FUNCTION commit_fault_${table}()`,
      );
    } else {
      await database.query(
        `CREATE TRIGGER commit_fault_${table} AFTER INSERT ON ${table} WHEN NEW.${column} LIKE '${prefix}%'
           BEGIN INSERT INTO commit_fault VALUES (NEW.${column}); END`,
      );
    }
  }
}

/** Holds SQLite's write lock on `file` from another connection (BEGIN IMMEDIATE) until released. */
async function lockFile(file: string): Promise<{ release(): Promise<void> }> {
  const connection = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(file, (error) =>
      error ? reject(error) : resolve(opened),
    );
  });
  const exec = (text: string) =>
    new Promise<void>((resolve, reject) =>
      connection.exec(text, (error) => (error ? reject(error) : resolve())),
    );
  await exec("BEGIN IMMEDIATE");
  return {
    async release() {
      await exec("ROLLBACK");
      await new Promise<void>((resolve) => connection.close(() => resolve()));
    },
  };
}
