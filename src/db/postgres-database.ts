import type { Pool } from "pg";
import { DataSource, type EntityManager } from "typeorm";
import type { PostgresDatabaseConfig } from "../config";
import type { Signals } from "../shared/signals";
import type { BatchWork, Database } from "./database";
import { dataSourceOptions } from "./data-source-options";
import { asSavepoint, enclosingOf, runEnclosing } from "./enclosing-transaction";
import { positionalOf } from "./positional";
import { storageFaultOf, type StorageUnavailable } from "./storage-fault";
import { WriteHealth } from "./write-health";
import { probeWrite } from "./write-probe";

const RETRYABLE = new Set(["40001", "40P01"]); // serialization_failure, deadlock_detected
const MAX_ATTEMPTS = 5;
/** pg_advisory_lock key of start-up work; any constant our tables' locks cannot collide with. */
const STARTUP_LOCK = 720_417_301;
/** Named prepared statements at most (pg keeps each on every pooled connection); texts beyond run unnamed. */
const NAMED_STATEMENTS = 200;

/**
 * PostgreSQL runs transactions side by side on pooled connections; business checks stay true
 * because every mutation of a project first locks the project row (see unit-of-work.ts), and
 * transactions that lose a serialization or deadlock race are retried. PostgreSQL ends a
 * transaction whose COMMIT failed, and TypeORM's runner for it is released with its connection, so
 * no transaction state outlives a failure here.
 */
export class PostgresDatabase implements Database {
  readonly engine = "postgres";
  readonly transactionsCommitted = null;
  pendingWrites = 0;
  private readonly health = new WriteHealth();

  static async open(
    config: PostgresDatabaseConfig,
    onQuery: ((query: string) => void) | undefined,
    signals: Signals,
  ): Promise<PostgresDatabase> {
    const source = new DataSource(dataSourceOptions(config, "writer", onQuery));
    try {
      await source.initialize();
    } catch (error) {
      throw storageFaultOf(error) ?? error;
    }
    try {
      const db = new PostgresDatabase(source, onQuery, signals);
      await db.exclusively(() => source.runMigrations({ transaction: "each" }));
      return db;
    } catch (error) {
      await source.destroy();
      throw error;
    }
  }

  private constructor(
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

  private readonly named = new Map<string, string>();

  async read<Row>(text: string, parameters: Record<string, unknown>): Promise<Row[]> {
    const { positional, names } = positionalOf(text, "$");
    let name = this.named.get(text);
    if (name === undefined && this.named.size < NAMED_STATEMENTS) {
      // pg prepares a named statement once per connection and reuses it.
      name = `px_${this.named.size}`;
      this.named.set(text, name);
    }
    this.onQuery?.(text);
    try {
      const result = await this.pool.query({
        ...(name === undefined ? {} : { name }),
        text: positional,
        values: names.map((parameter) => parameters[parameter]),
      });
      return result.rows as Row[];
    } catch (error) {
      throw storageFaultOf(error) ?? error;
    }
  }

  /** PostgreSQL runs transactions side by side: nothing to gain by sharing one. */
  sharedTransaction<Item, Result>(work: BatchWork<Item, Result>, item: Item): Promise<Result> {
    return this.transaction(async (tx) => (await work(tx, [item]))[0]);
  }

  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    const enclosing = enclosingOf(this);
    if (enclosing) return asSavepoint(enclosing, work);
    this.pendingWrites++;
    const queued = performance.now();
    let started = false;
    try {
      // The wait is for a pooled connection and BEGIN: until the work first runs.
      const result = await this.withRetries((tx) => {
        if (!started) this.signals.writeWaited((performance.now() - queued) / 1000);
        started = true;
        return runEnclosing(this, tx, work);
      });
      this.health.committed();
      return result;
    } catch (error) {
      const fault = storageFaultOf(error);
      if (!fault) throw error;
      this.health.failed(fault);
      throw fault;
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
    try {
      await this.source.query("SELECT 1");
    } catch (error) {
      throw storageFaultOf(error) ?? error;
    }
  }

  writesFailing(): Promise<StorageUnavailable | null> {
    return this.health.check(() => this.transaction((tx) => probeWrite(tx)));
  }

  private closing: Promise<void> | null = null;

  close(): Promise<void> {
    return (this.closing ??= this.source.destroy());
  }
}
