import type { Pool } from "pg";
import type sqlite3 from "sqlite3";
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
  /**
   * A read of committed data through a prepared statement kept per connection: for the statements
   * every request runs (authentication, a user's facts), where TypeORM's query path costs more than
   * the query. `:name` parameters as in sql(); no lists.
   */
  read<Row>(text: string, parameters: Record<string, unknown>): Promise<Row[]>;
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
      const db = new PostgresDatabase(writer, onQuery);
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
    return new SqliteDatabase(writer, readers, onQuery);
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
    private readonly onQuery?: (query: string) => void,
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

  private readonly statements = new Map<string, { statements: sqlite3.Statement[]; names: string[] }>();
  private nextStatement = 0;

  read<Row>(text: string, parameters: Record<string, unknown>): Promise<Row[]> {
    let prepared = this.statements.get(text);
    if (!prepared) {
      const { positional, names } = positionalOf(text, "?");
      prepared = {
        names,
        statements: this.readers.map((reader) => connectionOf(reader).prepare(positional)),
      };
      this.statements.set(text, prepared);
    }
    this.onQuery?.(text);
    this.nextStatement = (this.nextStatement + 1) % prepared.statements.length;
    const statement = prepared.statements[this.nextStatement];
    const values = prepared.names.map((name) => parameters[name]);
    return new Promise((resolve, reject) =>
      statement.all(values, (error: Error | null, rows: Row[]) => (error ? reject(error) : resolve(rows))),
    );
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
      // A connection with statements left unfinalized refuses to close.
      await Promise.all(
        [...this.statements.values()].flatMap(({ statements }) =>
          statements.map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))),
        ),
      );
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

  constructor(
    private readonly source: DataSource,
    private readonly onQuery?: (query: string) => void,
  ) {}

  get reader(): EntityManager {
    return this.source.manager;
  }

  private readonly prepared = new Map<string, { text: string; names: string[]; name: string }>();

  async read<Row>(text: string, parameters: Record<string, unknown>): Promise<Row[]> {
    let statement = this.prepared.get(text);
    if (!statement) {
      const { positional, names } = positionalOf(text, "$");
      // pg prepares a named statement once per connection and reuses it.
      statement = { text: positional, names, name: `px_${this.prepared.size}` };
      this.prepared.set(text, statement);
    }
    this.onQuery?.(text);
    const pool = (this.source.driver as unknown as { master: Pool }).master;
    const result = await pool.query({
      name: statement.name,
      text: statement.text,
      values: statement.names.map((name) => parameters[name]),
    });
    return result.rows as Row[];
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

/** The sqlite3 connection under a TypeORM SQLite data source. */
function connectionOf(source: DataSource): sqlite3.Database {
  return (source.driver as unknown as { databaseConnection: sqlite3.Database }).databaseConnection;
}

/**
 * `:name` parameters as positional ones: `?` for SQLite, `$1`, `$2`, ... for PostgreSQL (a name used
 * twice is passed twice). Casts (`::text`) are not parameters.
 */
export function positionalOf(text: string, style: "?" | "$"): { positional: string; names: string[] } {
  const names: string[] = [];
  const positional = text.replace(/(?<!:):([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
    names.push(name);
    return style === "?" ? "?" : `$${names.length}`;
  });
  return { positional, names };
}
