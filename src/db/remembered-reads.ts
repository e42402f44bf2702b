import type { Database } from "./database";

/** When a read began: what remember() needs to tell whether the read may be kept. */
export interface ReadMoment {
  committed: number;
  forgotten: number;
}

/**
 * Reads kept in memory where this process is the database's one writer (SQLite): an entry answers
 * while no transaction has committed since its read began (Database.transactionsCommitted), so it is
 * what a read would answer now. Writes that do not count as transactions (shared ones) and change a
 * kept read must forget() its key after their commit; a read that began before a forget is not kept,
 * since it may have seen the moment before that commit. On PostgreSQL nothing is kept. Bounded:
 * when full, it starts over.
 */
export class RememberedReads<T> {
  private readonly entries = new Map<string, { committed: number; value: T }>();
  private forgotten = 0;

  constructor(
    private readonly db: Database,
    private readonly capacity: number,
  ) {}

  /** Taken before a read: a commit while it runs makes what it read stale, not wrong. Null: keep nothing. */
  moment(): ReadMoment | null {
    const committed = this.db.transactionsCommitted;
    return committed === null ? null : { committed, forgotten: this.forgotten };
  }

  recall(key: string): T | undefined {
    const entry = this.entries.get(key);
    return entry && entry.committed === this.db.transactionsCommitted ? entry.value : undefined;
  }

  remember(key: string, moment: ReadMoment | null, value: T): void {
    if (moment === null || moment.forgotten !== this.forgotten) return;
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(key, { committed: moment.committed, value });
  }

  /** After a write the moment does not see (a shared transaction) committed: the key is read again. */
  forget(key: string): void {
    this.forgotten++;
    this.entries.delete(key);
  }
}
