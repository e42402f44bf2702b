import type { EntityManager } from "typeorm";
import type { DatabaseConfig } from "../config";
import { noSignals, type Signals } from "../shared/signals";
import { PostgresDatabase } from "./postgres-database";
import { SqliteDatabase } from "./sqlite-database";
import type { StorageUnavailable } from "./storage-fault";

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
 *   that (in WAL mode) never see a transaction that is still open (sqlite-database.ts).
 * - PostgreSQL runs transactions concurrently; business checks stay true because every mutation
 *   of a project first locks the project row (see unit-of-work.ts), and transactions that lose a
 *   serialization or deadlock race are retried (postgres-database.ts).
 * On both, a write is answered only after its COMMIT succeeded, and a storage fault (a full disk, a
 * lock held elsewhere, a lost connection) is thrown as StorageUnavailable (storage-fault.ts).
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
  /**
   * Null while writes commit; else the fault that stops them. Probes with a small write when no
   * write committed lately or a fault stands, so a fault that went away is seen without a restart.
   */
  writesFailing(): Promise<StorageUnavailable | null>;
  /** Connections this process holds, and how many are idle and how many requests wait for one (PostgreSQL's pool). */
  connections(): { total: number; idle: number | null; waiting: number };
  /** Waits for queued writes, then closes every connection; a second call waits for the first. */
  close(): Promise<void>;
}

/** `onQuery` sees every SQL statement (tests count them); nothing is logged otherwise. */
export function openDatabase(
  config: DatabaseConfig,
  onQuery?: (query: string) => void,
  signals: Signals = noSignals,
): Promise<Database> {
  return config.engine === "postgres"
    ? PostgresDatabase.open(config, onQuery, signals)
    : SqliteDatabase.open(config, onQuery, signals);
}
