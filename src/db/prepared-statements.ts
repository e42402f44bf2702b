import type sqlite3 from "sqlite3";

interface Prepared {
  statement: sqlite3.Statement;
  /**
   * Until SQLite has prepared it, how to fail the calls queued on it: node-sqlite3 silently drops
   * the calls queued on a statement that fails to prepare. Null once prepared.
   */
  preparing: Set<(error: Error) => void> | null;
}

/**
 * Statements of one SQLite connection kept prepared by their text, for reads that every request
 * runs: node-sqlite3 would otherwise prepare each anew, a trip to libuv's thread pool before the one
 * that runs it. At most `capacity` texts are kept; the least recently used is finalized first (after
 * the calls already queued on it). A statement that failed is reset before it runs again, so it
 * holds no read snapshot or lock in between; one that failed to prepare is dropped, and the next
 * call prepares it again.
 */
export class PreparedStatements {
  private readonly byText = new Map<string, Prepared>();

  constructor(
    private readonly connection: sqlite3.Database,
    private readonly capacity: number,
  ) {}

  get size(): number {
    return this.byText.size;
  }

  all<Row>(text: string, values: unknown[]): Promise<Row[]> {
    const prepared = this.use(text);
    return new Promise<Row[]>((resolve, reject) => {
      prepared.preparing?.add(reject);
      prepared.statement.all(values, (error: Error | null, rows: Row[]) => {
        prepared.preparing?.delete(reject);
        if (!error) return resolve(rows);
        prepared.statement.reset();
        reject(error);
      });
    });
  }

  /** The statement for `text`, now the most recently used. */
  private use(text: string): Prepared {
    const kept = this.byText.get(text);
    if (kept) {
      // A Map iterates in insertion order: moving the entry to the end keeps the order by last use.
      this.byText.delete(text);
      this.byText.set(text, kept);
      return kept;
    }
    const prepared: Prepared = {
      preparing: new Set(),
      statement: this.connection.prepare(text, (error: Error | null) => {
        const waiting = prepared.preparing!;
        prepared.preparing = null;
        if (!error) return;
        if (this.byText.get(text) === prepared) this.byText.delete(text);
        for (const fail of waiting) fail(error);
      }),
    };
    this.byText.set(text, prepared);
    if (this.byText.size > this.capacity) {
      const [oldest, evicted] = this.byText.entries().next().value!;
      this.byText.delete(oldest);
      evicted.statement.finalize();
    }
    return prepared;
  }

  /** Finalizes every statement: a connection with statements left unfinalized refuses to close. */
  async finalize(): Promise<void> {
    const kept = [...this.byText.values()];
    this.byText.clear();
    await Promise.all(
      kept.map(({ statement }) => new Promise<void>((resolve) => statement.finalize(() => resolve()))),
    );
  }
}
