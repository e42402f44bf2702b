import type { Database } from "../../src/db/database";
import { RememberedReads } from "../../src/db/remembered-reads";

/** Only what RememberedReads looks at: the count of committed transactions. */
function databaseCommitting(committed: number | null) {
  const db = { transactionsCommitted: committed };
  return { db: db as unknown as Database, commit: () => (db.transactionsCommitted! += 1) };
}

describe("RememberedReads", () => {
  test("a read answers while nothing commits, and not after a commit", () => {
    const { db, commit } = databaseCommitting(0);
    const reads = new RememberedReads<string>(db, 10);
    reads.remember("a", reads.moment(), "read");
    expect(reads.recall("a")).toBe("read");
    commit();
    expect(reads.recall("a")).toBeUndefined();
  });

  test("a read during which a transaction committed is not kept as current", () => {
    const { db, commit } = databaseCommitting(0);
    const reads = new RememberedReads<string>(db, 10);
    const moment = reads.moment();
    commit();
    reads.remember("a", moment, "maybe from before the commit");
    expect(reads.recall("a")).toBeUndefined();
  });

  test("forget drops the key, and a read that began before a forget is not kept", () => {
    const { db } = databaseCommitting(0);
    const reads = new RememberedReads<string>(db, 10);
    reads.remember("a", reads.moment(), "old");
    reads.remember("b", reads.moment(), "other");
    const during = reads.moment();
    reads.forget("a");
    expect(reads.recall("a")).toBeUndefined();
    expect(reads.recall("b")).toBe("other");
    reads.remember("a", during, "may miss the forgotten write");
    expect(reads.recall("a")).toBeUndefined();
    reads.remember("a", reads.moment(), "new");
    expect(reads.recall("a")).toBe("new");
  });

  test("where other processes write (PostgreSQL) nothing is kept", () => {
    const reads = new RememberedReads<string>(databaseCommitting(null).db, 10);
    expect(reads.moment()).toBeNull();
    reads.remember("a", reads.moment(), "read");
    expect(reads.recall("a")).toBeUndefined();
  });

  test("at most `capacity` reads are kept", () => {
    const { db } = databaseCommitting(0);
    const reads = new RememberedReads<number>(db, 3);
    for (let i = 0; i < 4; i++) reads.remember(String(i), reads.moment(), i);
    const kept = ["0", "1", "2", "3"].filter((key) => reads.recall(key) !== undefined);
    expect(kept.length).toBeLessThanOrEqual(3);
    expect(reads.recall("3")).toBe(3);
  });
});
