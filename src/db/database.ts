import { DataSource, type EntityManager } from "typeorm";
import { dataSourceOptions } from "./data-source-options";
import type { DatabaseConfig } from "../config";

export type Engine = "sqlite" | "postgres";

/**
 * The one door to storage. Services never know which engine they run on: they read through
 * `reader` and write through `transaction`, which keeps the engines' guarantees equal:
 * - SQLite shares one connection per DataSource, so concurrent transactions on it would nest and
 *   fail; writes queue up and run one at a time, and reads use separate read-only connections
 *   that (in WAL mode) never see a transaction that is still open.
 * - PostgreSQL runs transactions concurrently; business checks stay true because every mutation
 *   of a project first locks the project row (see unit-of-work.ts), and transactions that lose a
 *   serialization or deadlock race are retried.
 */
export interface Database {
  readonly engine: Engine;
  /** Committed data only. */
  readonly reader: EntityManager;
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T>;
  /** Write transactions of this process that are queued or running (SQLite queues them; PostgreSQL runs them side by side). */
  readonly pendingWrites: number;
  /**
   * Runs `work` while no other server process on this database runs exclusive work: start-up
   * steps (migrations, the bootstrap token) of processes started together happen one at a time.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
  /** Throws unless the database answers. */
  ping(): Promise<void>;
  /** Waits for queued writes, then closes every connection; a second call waits for the first. */
  close(): Promise<void>;
}

/** `onQuery` sees every SQL statement (tests count them); nothing is logged otherwise. */
export async function openDatabase(
  config: DatabaseConfig,
  onQuery?: (query: string) => void,
): Promise<Database> {
  const writer = new DataSource(dataSourceOptions(config, "writer", onQuery));
  await writer.initialize();
  try {
    if (config.engine === "postgres") {
      const db = new PostgresDatabase(writer);
      await db.exclusively(() => writer.runMigrations({ transaction: "each" }));
      return db;
    }
    // FULL: a commit is on disk before the client hears "done", so kill -9 loses no answered write.
    await writer.query("PRAGMA synchronous = FULL");
    const [{ synchronous }] = await writer.query("PRAGMA synchronous");
    if (Number(synchronous) !== SQLITE_SYNCHRONOUS_FULL)
      throw new Error(`SQLite refused synchronous=FULL (it is ${synchronous})`);
    await writer.runMigrations({ transaction: "each" });
    // Opened after the writer made the file and switched it to WAL, which a read-only connection cannot do.
    const readers = Array.from(
      { length: SQLITE_READERS },
      () => new DataSource(dataSourceOptions(config, "reader", onQuery)),
    );
    await Promise.all(readers.map((reader) => reader.initialize()));
    return new SqliteDatabase(writer, readers);
  } catch (error) {
    await writer.destroy();
    throw error;
  }
}

const SQLITE_SYNCHRONOUS_FULL = 2;

/**
 * Read-only connections per SQLite database. WAL lets readers run side by side, each on a thread of
 * libuv's pool; one connection would make concurrent requests queue for it (docs/PERFORMANCE.md).
 */
const SQLITE_READERS = 4;

class SqliteDatabase implements Database {
  readonly engine = "sqlite";
  pendingWrites = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private nextReader = 0;

  constructor(
    private readonly writer: DataSource,
    private readonly readers: DataSource[],
  ) {}

  /** The read-only connections in turn. */
  get reader(): EntityManager {
    this.nextReader = (this.nextReader + 1) % this.readers.length;
    return this.readers[this.nextReader].manager;
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    this.pendingWrites++;
    const run = this.queue.then(() => this.writer.transaction(work)).finally(() => this.pendingWrites--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One process per SQLite file: there is nobody to wait for. */
  exclusively<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async ping(): Promise<void> {
    await this.reader.query("SELECT 1");
  }

  private closing: Promise<void> | null = null;

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.queue;
      await Promise.all(this.readers.map((reader) => reader.destroy()));
      await this.writer.destroy();
    })());
  }
}

const RETRYABLE = new Set(["40001", "40P01"]); // serialization_failure, deadlock_detected
const MAX_ATTEMPTS = 5;
/** pg_advisory_lock key of start-up work; any constant our tables' locks cannot collide with. */
const STARTUP_LOCK = 720_417_301;

class PostgresDatabase implements Database {
  readonly engine = "postgres";
  pendingWrites = 0;

  constructor(private readonly source: DataSource) {}

  get reader(): EntityManager {
    return this.source.manager;
  }

  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    this.pendingWrites++;
    try {
      return await this.withRetries(work);
    } finally {
      this.pendingWrites--;
    }
  }

  private async withRetries<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.source.transaction(work);
      } catch (error) {
        const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code;
        if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE.has(code)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  /** A session-level advisory lock, held on a connection of its own for the duration of `work`. */
  async exclusively<T>(work: () => Promise<T>): Promise<T> {
    const runner = this.source.createQueryRunner();
    await runner.connect();
    try {
      await runner.query("SELECT pg_advisory_lock($1)", [STARTUP_LOCK]);
      try {
        return await work();
      } finally {
        await runner.query("SELECT pg_advisory_unlock($1)", [STARTUP_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  async ping(): Promise<void> {
    await this.source.query("SELECT 1");
  }

  private closing: Promise<void> | null = null;

  close(): Promise<void> {
    return (this.closing ??= this.source.destroy());
  }
}
