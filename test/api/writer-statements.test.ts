import { randomUUID } from "node:crypto";
import sqlite3 from "sqlite3";
import { openDatabase, type Database } from "../../src/db/database";
import type { EntityManager } from "typeorm";
import { insertRows, sql, upsert, type Sending } from "../../src/db/sql";
import { freshDatabase, testEngine, type TestDatabase } from "../helpers/database";

/*
 * Statements inside transactions, as every write runs them. On SQLite the writer keeps its statements
 * prepared by text (one trip to the thread pool per statement instead of two); whatever it keeps, a
 * broken statement fails its transaction with SQLite's message, a failed statement can run again,
 * values arrive as bound, and the database closes.
 */
const insertProject = (tx: EntityManager, id: string, name: string, sending: Sending = "now") =>
  insertRows(tx, "project", ["id", "name", "config_version", "created_at"], [[id, name, 0, 0]], sending);

describe("statements inside transactions", () => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await freshDatabase();
    db = await openDatabase(database.config);
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  const addProject = (id: string, name: string) => db.transaction((tx) => insertProject(tx, id, name));
  const heldProject = (tx: EntityManager, id: string, name: string) =>
    insertProject(tx, id, name, "with next");
  const nameOf = async (id: string) =>
    (await sql<{ name: string }>(db.reader, "SELECT name FROM project WHERE id = :id", { id }))[0]?.name;

  test("a statement that cannot be prepared fails its transaction with the engine's message, each time", async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(db.transaction((tx) => sql(tx, "SELEKT 1"))).rejects.toThrow(/syntax error/);
    }
    const id = randomUUID();
    await addProject(id, "after the broken statement");
    expect(await nameOf(id)).toBe("after the broken statement");
  });

  test("a statement that failed on its values runs again with others, and the failed transaction left nothing", async () => {
    const id = randomUUID();
    await addProject(id, "first");
    const second = randomUUID();
    await expect(
      db.transaction(async (tx) => {
        await insertProject(tx, second, "undone");
        // The same text as addProject's, with a key that is taken.
        await insertProject(tx, id, "again");
      }),
    ).rejects.toThrow(/UNIQUE|duplicate key/);
    expect(await nameOf(second)).toBeUndefined();
    const third = randomUUID();
    await addProject(third, "third");
    expect(await nameOf(third)).toBe("third");
    expect(await nameOf(id)).toBe("first");
  });

  test("values arrive as bound: quotes, non-ASCII text and large numbers", async () => {
    const id = randomUUID();
    const name = `it's "quoted"; DROP TABLE project; -- ü 名前 🚀`;
    await addProject(id, name);
    expect(await nameOf(id)).toBe(name);
    const [{ n }] = await db.transaction((tx) =>
      sql<{ n: number | string }>(tx, "SELECT :n AS n", { n: 2 ** 53 - 1 }),
    );
    expect(Number(n)).toBe(2 ** 53 - 1);
  });

  test("a write sent with the next statement is seen by the statements after it, and committed", async () => {
    const id = randomUUID();
    const seen = await db.transaction(async (tx) => {
      await heldProject(tx, id, "held, then read");
      return (await sql<{ name: string }>(tx, "SELECT name FROM project WHERE id = :id", { id }))[0]?.name;
    });
    expect(seen).toBe("held, then read");
    expect(await nameOf(id)).toBe("held, then read");
  });

  test("a held write that fails fails its transaction at the commit, and nothing of the transaction stays", async () => {
    const taken = randomUUID();
    await addProject(taken, "taken");
    const before = randomUUID();
    await expect(
      db.transaction(async (tx) => {
        await insertProject(tx, before, "sent now");
        await heldProject(tx, taken, "a second row with a taken id");
      }),
    ).rejects.toThrow(/UNIQUE|duplicate key/);
    expect(await nameOf(before)).toBeUndefined();
    expect(await nameOf(taken)).toBe("taken");
    // The writer goes on: the next transaction carries nothing of the failed one.
    const next = randomUUID();
    await db.transaction((tx) => heldProject(tx, next, "next"));
    expect(await nameOf(next)).toBe("next");
  });

  test("a transaction that fails after holding a write leaves it unwritten, and the next one does not send it", async () => {
    const dropped = randomUUID();
    await expect(
      db.transaction(async (tx) => {
        await heldProject(tx, dropped, "dropped");
        throw new Error("the work fails after holding a write");
      }),
    ).rejects.toThrow("the work fails after holding a write");
    const next = randomUUID();
    await db.transaction((tx) => heldProject(tx, next, "after the rollback"));
    expect(await nameOf(dropped)).toBeUndefined();
    expect(await nameOf(next)).toBe("after the rollback");
  });

  test("held values arrive exactly: quotes and non-ASCII text", async () => {
    const id = randomUUID();
    const name = `it's ''twice'' quoted; -- ü 名前 🚀`;
    await db.transaction((tx) => heldProject(tx, id, name));
    expect(await nameOf(id)).toBe(name);
  });

  test("more statement texts than the writer keeps: each still answers, the first again too", async () => {
    const answers = await db.transaction(async (tx) => {
      const all: number[] = [];
      for (let i = 0; i < 600; i++) all.push(Number((await sql<{ n: number }>(tx, `SELECT ${i} AS n`))[0].n));
      all.push(Number((await sql<{ n: number }>(tx, "SELECT 0 AS n"))[0].n));
      return all;
    });
    expect(answers).toEqual([...Array.from({ length: 600 }, (_, i) => i), 0]);
  });
});

const onSqlite = testEngine() === "sqlite" ? test : test.skip;

onSqlite(
  "the SQLite writer prepares a statement once, however often it runs, and sends held writes with the COMMIT",
  async () => {
    const database = await freshDatabase();
    const db = await openDatabase(database.config);
    const prepare = jest.spyOn(sqlite3.Database.prototype, "prepare");
    try {
      // A moment in milliseconds, different each time, as the placements' timestamps are.
      const start = Date.now();
      for (let n = start; n < start + 20; n++) {
        const [{ next }] = await db.transaction((tx) =>
          sql<{ next: number }>(tx, "SELECT :n + 1 AS next", { n }),
        );
        expect(next).toBe(n + 1);
      }
      const preparedTexts = prepare.mock.calls.map(([prepared]) => prepared);
      expect(preparedTexts.filter((prepared) => /AS next$/.test(prepared))).toEqual([
        "SELECT CAST(? AS INTEGER) + 1 AS next",
      ]);
      expect(preparedTexts.filter((prepared) => prepared === "BEGIN TRANSACTION")).toHaveLength(1);
      // An integer beyond 32 bits stays an integer, as it was written into the text (integer division).
      const [{ type, half }] = await db.transaction((tx) =>
        sql<{ type: string; half: number }>(tx, "SELECT typeof(:n) AS type, :n / 2 AS half", {
          n: 2 ** 40 + 1,
        }),
      );
      expect({ type, half }).toEqual({ type: "integer", half: 2 ** 39 });
      // Held writes travel with the COMMIT: one trip to the thread pool for the writes and the commit.
      const exec = jest.spyOn(sqlite3.Database.prototype, "exec");
      const id = randomUUID();
      await db.transaction((tx) => insertProject(tx, id, "held", "with next"));
      expect(exec.mock.calls.map(([text]) => text)).toEqual([
        `INSERT INTO project (id, name, config_version, created_at) VALUES ('${id}', 'held', 0, 0) /* sent with the next statement */;\nCOMMIT`,
      ]);
      // Text with a NUL cannot travel as SQL text (SQLite's ends at it): sent at once, bound, intact.
      exec.mockClear();
      const withNul = randomUUID();
      await db.transaction((tx) => insertProject(tx, withNul, "before\u0000after", "with next"));
      expect(exec).not.toHaveBeenCalled();
      const [{ name }] = await sql<{ name: string }>(db.reader, "SELECT name FROM project WHERE id = :id", {
        id: withNul,
      });
      expect(name).toBe("before\u0000after");
      // Nor a fraction: SQL text may not carry every double exactly. Sent at once too.
      await db.transaction((tx) =>
        upsert(
          tx,
          "project",
          ["id"],
          ["name", "config_version", "created_at"],
          [[withNul, "fraction", 2.5, 0]],
          "set",
          "with next",
        ),
      );
      expect(exec).not.toHaveBeenCalled();
      const [{ version }] = await sql<{ version: number }>(
        db.reader,
        "SELECT config_version AS version FROM project WHERE id = :id",
        { id: withNul },
      );
      expect(version).toBe(2.5);
      exec.mockRestore();
    } finally {
      prepare.mockRestore();
      await db.close();
      await database.drop();
    }
  },
);
