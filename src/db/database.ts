import type { Pool } from "pg";
import type sqlite3 from "sqlite3";
import { DataSource, type EntityManager } from "typeorm";
import { dataSourceOptions } from "./data-source-options";
import { SENT_WITH_NEXT } from "./sql";
import type { DatabaseConfig } from "../config";
import { noSignals, type Signals } from "../shared/signals";

export type Engine = "sqlite" | "postgres";

/**
 * A write for many items at once, answering in the items' order. sharedTransaction batches the
 * items of one work (the same function) that arrive together.
 */
export type BatchWork<Item, Result> = (tx: EntityManager, items: readonly Item[]) => Promise<Result[]>;

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
  /**
   * A small write, of rows no remembered read depends on (see transactionsCommitted), that may share
   * its commit with others queued at the same moment (group commit): on SQLite, the items waiting
   * for the writer are written in one transaction, each batch work called once with all of its
   * items (so it can write them in a few statements, not a few each), and all are answered after
   * the one commit: one disk flush for a burst of first visits instead of one each. An item that
   * fails fails alone: the batch is undone and each item runs again by itself. On PostgreSQL, which
   * runs transactions side by side, each item is a transaction of its own.
   */
  sharedTransaction<Item, Result>(work: BatchWork<Item, Result>, item: Item): Promise<Result>;
  /**
   * Where this process is the database's one writer (SQLite): how many of its transactions have
   * committed, so what was read while it stays the same is still what is stored. Shared transactions
   * do not count: they write only what no such read depends on (first-time placements, a token's
   * last use). Null where other processes write too (PostgreSQL): only a read tells what is stored.
   */
  readonly transactionsCommitted: number | null;
  /**
   * Writes of this process that are queued or running: transactions, and shared works waiting for
   * their batch (SQLite queues them; PostgreSQL runs them side by side).
   */
  readonly pendingWrites: number;
  /**
   * Runs `work` while no other server process on this database runs exclusive work: start-up
   * steps (migrations, the bootstrap token) of processes started together happen one at a time.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
  /** Throws unless the database answers. */
  ping(): Promise<void>;
  /** Connections this process holds, and how many are idle and how many requests wait for one (PostgreSQL's pool). */
  connections(): { total: number; idle: number | null; waiting: number };
  /** Waits for queued writes, then closes every connection; a second call waits for the first. */
  close(): Promise<void>;
}

/** `onQuery` sees every SQL statement (tests count them); nothing is logged otherwise. */
export async function openDatabase(
  config: DatabaseConfig,
  onQuery?: (query: string) => void,
  signals: Signals = noSignals,
): Promise<Database> {
  const writer = new DataSource(dataSourceOptions(config, "writer", onQuery));
  await writer.initialize();
  try {
    if (config.engine === "postgres") {
      const db = new PostgresDatabase(writer, onQuery, signals);
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
    return new SqliteDatabase(writer, readers, onQuery, signals);
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
  /** Transactions queued or running. */
  private transactions = 0;
  /** Shared works whose batch has not started yet. */
  private sharedWaiting = 0;

  /** Each waiting shared work counts until its batch starts; a batch then counts as one transaction. */
  get pendingWrites(): number {
    return this.transactions + this.sharedWaiting;
  }
  private queue: Promise<unknown> = Promise.resolve();
  private nextReader = 0;

  constructor(
    private readonly writer: DataSource,
    private readonly readers: DataSource[],
    private readonly onQuery: ((query: string) => void) | undefined,
    private readonly signals: Signals,
  ) {
    this.writerStatements = new KeptStatements(connectionOf(writer), WRITER_STATEMENTS);
  }

  /** The writer's statements, kept prepared (KeptStatements). */
  private readonly writerStatements: KeptStatements;

  /** The read-only connections in turn. */
  get reader(): EntityManager {
    this.nextReader = (this.nextReader + 1) % this.readers.length;
    return this.readers[this.nextReader].manager;
  }

  /**
   * The batch new shared works join: scheduled when its first work arrives, closed when it starts
   * or when another transaction is queued after it (works never overtake a transaction queued
   * before them).
   */
  private openBatch: SharedWork[] | null = null;

  sharedTransaction<Item, Result>(work: BatchWork<Item, Result>, item: Item): Promise<Result> {
    if (!this.openBatch) this.commitShared((this.openBatch = []));
    const batch = this.openBatch;
    this.sharedWaiting++;
    return new Promise<Result>((resolve, reject) =>
      batch.push({
        work: work as BatchWork<unknown, unknown>,
        item,
        done: (outcome) => (outcome.ok ? resolve(outcome.value as Result) : reject(outcome.error)),
      }),
    );
  }

  /**
   * One transaction, when the writer is next free, for every item of the batch: each batch work is
   * called once with all of its items. No savepoints (two statements each, on the one writer): works
   * rarely fail, so when one does, the whole transaction is undone and, since a work for many items
   * cannot say which item failed, each item runs again in a transaction of its own. The same when the
   * COMMIT fails: the writes a work held for it (SENT_WITH_NEXT) fail there.
   */
  private commitShared(batch: SharedWork[]): void {
    let started = false;
    void this.enqueue(async (tx) => {
      started = true;
      if (this.openBatch === batch) this.openBatch = null;
      this.sharedWaiting -= batch.length;
      const results = new Array<unknown>(batch.length);
      for (const [work, indexes] of itemsByWork(batch)) {
        const answers = await work(
          tx,
          indexes.map((index) => batch[index].item),
        );
        indexes.forEach((index, i) => (results[index] = answers[i]));
      }
      return results;
    }).then(
      // Answered only now, after the commit: no answer tells of a write a crash could still lose.
      (results) => batch.forEach(({ done }, i) => done({ ok: true, value: results[i] })),
      (error: unknown) => {
        if (!started) {
          // The transaction never began.
          if (this.openBatch === batch) this.openBatch = null;
          this.sharedWaiting -= batch.length;
        }
        if (!started || batch.length === 1) {
          // The transaction could not begin, or its one item failed: nothing of it is written.
          for (const { done } of batch) done({ ok: false, error: asError(error) });
          return;
        }
        for (const shared of batch) {
          this.sharedWaiting++;
          this.commitShared([shared]);
        }
      },
    );
  }

  private committed = 0;

  get transactionsCommitted(): number {
    return this.committed;
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    this.openBatch = null;
    return this.enqueue(work).then((value) => {
      this.committed++;
      return value;
    });
  }

  private enqueue<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    this.transactions++;
    const queued = performance.now();
    const run = this.queue
      .then(() => {
        this.signals.writeWaited((performance.now() - queued) / 1000);
        return this.writer.transaction(work);
      })
      .finally(() => this.transactions--);
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

  connections() {
    // The writer and the readers; writes that wait are counted by pendingWrites.
    return { total: this.readers.length + 1, idle: null, waiting: this.pendingWrites };
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
      await this.writerStatements.finalize();
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
  readonly transactionsCommitted = null;
  pendingWrites = 0;

  constructor(
    private readonly source: DataSource,
    private readonly onQuery: ((query: string) => void) | undefined,
    private readonly signals: Signals,
  ) {}

  private get pool(): Pool {
    return (this.source.driver as unknown as { master: Pool }).master;
  }

  connections() {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

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
    const result = await this.pool.query({
      name: statement.name,
      text: statement.text,
      values: statement.names.map((name) => parameters[name]),
    });
    return result.rows as Row[];
  }

  /** PostgreSQL runs transactions side by side: nothing to gain by sharing one. */
  sharedTransaction<Item, Result>(work: BatchWork<Item, Result>, item: Item): Promise<Result> {
    return this.transaction(async (tx) => (await work(tx, [item]))[0]);
  }

  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    this.pendingWrites++;
    const queued = performance.now();
    let started = false;
    try {
      // The wait is for a pooled connection and BEGIN: until the work first runs.
      return await this.withRetries((tx) => {
        if (!started) this.signals.writeWaited((performance.now() - queued) / 1000);
        started = true;
        return work(tx);
      });
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

type Outcome = { ok: true; value: unknown } | { ok: false; error: Error };

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error("a shared write failed", { cause: thrown });
}

interface SharedWork {
  work: BatchWork<unknown, unknown>;
  item: unknown;
  done: (outcome: Outcome) => void;
}

/** The batch's items by the work they are for, in the order the works first appear. */
function itemsByWork(batch: SharedWork[]): Map<BatchWork<unknown, unknown>, number[]> {
  const byWork = new Map<BatchWork<unknown, unknown>, number[]>();
  batch.forEach(({ work }, index) => {
    const indexes = byWork.get(work);
    if (indexes) indexes.push(index);
    else byWork.set(work, [index]);
  });
  return byWork;
}

/** Statement texts the writer keeps prepared: a batch's statements differ by its number of users. */
const WRITER_STATEMENTS = 500;

/**
 * Runs a connection's `all` and `run` (TypeORM's only calls) on statements kept prepared by their
 * text. node-sqlite3 would prepare each statement anew, a trip to libuv's thread pool and back before
 * the one that runs it; on the writer every such trip waits for the main thread (answers being
 * written) while the transaction holds the file's one writer, so it halves each batch's trips and
 * shortens the time first visits wait for the writer (docs/PERFORMANCE.md). The oldest text is
 * finalized when the bound is reached.
 */
class KeptStatements {
  /** By text; `preparing`: how to fail the calls made before the statement was prepared. */
  private readonly statements = new Map<
    string,
    { statement: sqlite3.Statement; preparing: ((error: Error) => void)[] | null }
  >();

  constructor(
    private readonly connection: sqlite3.Database,
    private readonly bound: number,
  ) {
    const kept = (method: "all" | "run") =>
      ((text: string, parameters: unknown, callback: (error: Error | null) => void) => {
        this.send(method, text, parameters, callback);
        return connection;
      }) as sqlite3.Database["all"];
    connection.all = kept("all");
    connection.run = kept("run");
  }

  /** Writes held for the next statement (SENT_WITH_NEXT), in order. */
  private held: string[] = [];

  private send(
    method: "all" | "run",
    text: string,
    parameters: unknown,
    callback: (error: Error | null) => void,
  ): void {
    if (text.endsWith(SENT_WITH_NEXT)) {
      this.held.push(text);
      // Nothing is read of a held write: no rows, no count.
      callback.call({ changes: undefined, lastID: undefined }, null);
      return;
    }
    const held = this.held;
    this.held = [];
    const run = () => void this.statementFor(text, callback)[method](parameters, callback);
    // A rollback undoes what is held without sending it.
    if (held.length === 0 || text === "ROLLBACK") return run();
    if (text === "COMMIT") {
      this.connection.exec(`${held.join(";\n")};\nCOMMIT`, (error) => callback.call({}, error));
      return;
    }
    this.connection.exec(held.join(";\n"), (error) => (error ? callback.call({}, error) : run()));
  }

  private statementFor(text: string, onPrepareError: (error: Error) => void): sqlite3.Statement {
    let kept = this.statements.get(text);
    if (!kept) {
      if (this.statements.size >= this.bound) {
        const [oldest, evicted] = this.statements.entries().next().value!;
        this.statements.delete(oldest);
        // Runs after the calls already queued on it.
        evicted.statement.finalize();
      }
      const entry = {
        statement: null as unknown as sqlite3.Statement,
        preparing: [] as ((error: Error) => void)[] | null,
      };
      entry.statement = this.connection.prepare(text, (error: Error | null) => {
        const waiting = entry.preparing!;
        entry.preparing = null;
        if (!error) return;
        // node-sqlite3 drops the calls queued on a statement that failed to prepare: they hear it here.
        if (this.statements.get(text) === entry) this.statements.delete(text);
        for (const fail of waiting) fail(error);
      });
      this.statements.set(text, (kept = entry));
    }
    kept.preparing?.push(onPrepareError);
    return kept.statement;
  }

  /** Finalizes every kept statement: a connection with statements left unfinalized refuses to close. */
  async finalize(): Promise<void> {
    await Promise.all(
      [...this.statements.values()].map(
        ({ statement }) => new Promise<void>((resolve) => statement.finalize(() => resolve())),
      ),
    );
    this.statements.clear();
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
