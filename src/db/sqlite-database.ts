import type sqlite3 from "sqlite3";
import { DataSource, type EntityManager, type QueryRunner } from "typeorm";
import type { SqliteDatabaseConfig } from "../config";
import type { Signals } from "../shared/signals";
import type { BatchWork, Database } from "./database";
import { positionalOf } from "./positional";
import { dataSourceOptions } from "./data-source-options";
import { asSavepoint, enclosingOf, runEnclosing } from "./enclosing-transaction";
import { PreparedStatements } from "./prepared-statements";
import { StorageUnavailable, storageFaultOf } from "./storage-fault";
import { WriteHealth } from "./write-health";
import { probeWrite } from "./write-probe";

/**
 * Read-only connections per SQLite database. WAL lets readers run side by side, each on a thread of
 * libuv's pool; one connection would make concurrent requests queue for it (docs/PERFORMANCE.md).
 */
const SQLITE_READERS = 4;

/** Texts each reader keeps prepared (Database.read): the hot reads are a few dozen texts. */
const READ_STATEMENTS = 200;

const SQLITE_SYNCHRONOUS_FULL = 2;

/**
 * SQLite: one connection writes, read-only connections read. The writer runs one transaction at a
 * time from a queue (SQLite has one writer per file, and TypeORM's SQLite driver one connection per
 * data source, on which concurrent transactions would nest); in WAL mode the readers never see a
 * transaction that is still open.
 *
 * The writer owns its transaction state: it begins, commits and rolls back each unit of work itself
 * and answers success only after its COMMIT succeeded. After any failure it rolls back; when the
 * rollback does not end the transaction cleanly (SQLite may already have rolled it back itself, on
 * a full disk or an I/O error), the writer's connection is closed and opened anew, so the next unit
 * of work starts from autocommit on a clean connection, never inside a transaction left behind.
 */
export class SqliteDatabase implements Database {
  readonly engine = "sqlite";
  private readonly health = new WriteHealth();
  /** Transactions queued or running. */
  private transactions = 0;
  /** Shared works whose batch has not started yet. */
  private sharedWaiting = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private nextReader = 0;
  private readonly statements: PreparedStatements[];
  /** Set when the writer's connection may be inside a transaction or otherwise unclear: reopened before the next unit of work. */
  private writerUnclear = false;

  /** Opens the writer (which makes the file, switches it to WAL and migrates it), then the readers. */
  static async open(
    config: SqliteDatabaseConfig,
    onQuery: ((query: string) => void) | undefined,
    signals: Signals,
  ): Promise<SqliteDatabase> {
    const writer = await openWriter(config, onQuery);
    try {
      await writer.runMigrations({ transaction: "each" });
      // Opened after the writer made the file and switched it to WAL, which a read-only connection cannot do.
      const readers = Array.from(
        { length: SQLITE_READERS },
        () => new DataSource(dataSourceOptions(config, "reader", onQuery)),
      );
      await Promise.all(readers.map((reader) => reader.initialize()));
      return new SqliteDatabase(config, writer, readers, onQuery, signals);
    } catch (error) {
      await writer.destroy();
      throw error;
    }
  }

  private constructor(
    private readonly config: SqliteDatabaseConfig,
    private writer: DataSource,
    private readonly readers: DataSource[],
    private readonly onQuery: ((query: string) => void) | undefined,
    private readonly signals: Signals,
  ) {
    this.statements = readers.map((reader) => new PreparedStatements(connectionOf(reader), READ_STATEMENTS));
  }

  /** Each waiting shared work counts until its batch starts; a batch then counts as one transaction. */
  get pendingWrites(): number {
    return this.transactions + this.sharedWaiting;
  }

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
   * cannot say which item failed, each item runs again in a transaction of its own. A storage fault
   * (a full disk, a held lock) is nobody's item: it fails the whole batch at once.
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
        if (!started || batch.length === 1 || error instanceof StorageUnavailable) {
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
    const enclosing = enclosingOf(this);
    if (enclosing) return asSavepoint(enclosing, work);
    this.openBatch = null;
    return this.enqueue((tx) => runEnclosing(this, tx, work)).then((value) => {
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
        return this.inTransaction(work);
      })
      .finally(() => this.transactions--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs `work` in a transaction of the writer and answers its result only once COMMIT succeeded.
   * A storage fault anywhere (BEGIN, a statement, COMMIT) is thrown as StorageUnavailable.
   */
  private async inTransaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      if (this.writerUnclear) await this.reopenWriter();
      const runner = this.writer.createQueryRunner();
      let result: T;
      try {
        await runner.startTransaction();
        result = await work(runner.manager);
        await runner.commitTransaction();
      } catch (error) {
        await this.endFailed(runner);
        throw error;
      }
      this.health.committed();
      return result;
    } catch (error) {
      const fault = storageFaultOf(error);
      if (!fault) throw error;
      this.health.failed(fault);
      throw fault;
    }
  }

  /**
   * After a failure inside a transaction: rolls it back, and unless the rollback ended it (TypeORM's
   * runner says no transaction is active, SQLite answered ROLLBACK without an error), marks the writer
   * to be reopened before the next unit of work. Closing a connection rolls back what it held.
   */
  private async endFailed(runner: QueryRunner): Promise<void> {
    try {
      await runner.rollbackTransaction();
      if (!runner.isTransactionActive) return;
    } catch {
      // SQLite ends the transaction itself on some faults (a full disk, an I/O error): ROLLBACK then
      // fails with "no transaction is active", and TypeORM's runner keeps believing in it.
    }
    this.writerUnclear = true;
  }

  private async reopenWriter(): Promise<void> {
    const old = this.writer;
    try {
      await old.destroy();
    } catch {
      // A connection that will not close keeps its locks until the process ends; a new one is still
      // the only way on, and its writes say whether the old one is in the way.
    }
    this.writer = await openWriter(this.config, this.onQuery);
    this.writerUnclear = false;
  }

  read<Row>(text: string, parameters: Record<string, unknown>): Promise<Row[]> {
    const { positional, names } = positionalOf(text, "?");
    this.onQuery?.(text);
    this.nextReader = (this.nextReader + 1) % this.statements.length;
    return this.statements[this.nextReader].all<Row>(
      positional,
      names.map((name) => bound(parameters[name])),
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

  writesFailing(): Promise<StorageUnavailable | null> {
    return this.health.check(() => this.transaction((tx) => probeWrite(tx)));
  }

  private closing: Promise<void> | null = null;

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.queue;
      // A connection with statements left unfinalized refuses to close.
      await Promise.all(this.statements.map((statements) => statements.finalize()));
      await Promise.all(this.readers.map((reader) => reader.destroy()));
      await this.writer.destroy();
    })());
  }
}

/** The writer's connection: made (with the file and its folder), in WAL mode, with every commit on disk before it is answered. */
async function openWriter(
  config: SqliteDatabaseConfig,
  onQuery: ((query: string) => void) | undefined,
): Promise<DataSource> {
  const writer = new DataSource(dataSourceOptions(config, "writer", onQuery));
  try {
    await writer.initialize();
  } catch (error) {
    throw storageFaultOf(error) ?? error;
  }
  try {
    // FULL: a commit is on disk before the client hears "done", so kill -9 loses no answered write.
    await writer.query("PRAGMA synchronous = FULL");
    const [{ synchronous }] = await writer.query("PRAGMA synchronous");
    if (Number(synchronous) !== SQLITE_SYNCHRONOUS_FULL)
      throw new Error(`SQLite refused synchronous=FULL (it is ${synchronous})`);
    return writer;
  } catch (error) {
    await writer.destroy();
    throw error;
  }
}

/**
 * A value as node-sqlite3 should bind it (src/db/sql.ts binds the same way): booleans as 0/1.
 * node-sqlite3 binds a number as an integer only within 32 bits, any other as floating point, which
 * is exact for every number and which SQLite stores as an integer in an INTEGER column when it is one.
 */
function bound(value: unknown): unknown {
  return typeof value === "boolean" ? Number(value) : value;
}

/** The sqlite3 connection under a TypeORM SQLite data source. */
function connectionOf(source: DataSource): sqlite3.Database {
  return (source.driver as unknown as { databaseConnection: sqlite3.Database }).databaseConnection;
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
