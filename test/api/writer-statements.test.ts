import { randomUUID } from "node:crypto";
import sqlite3 from "sqlite3";
import { openDatabase, type Database } from "../../src/db/database";
import { insertRows, sql } from "../../src/db/sql";
import { freshDatabase, testEngine, type TestDatabase } from "../helpers/database";

/*
 * Statements inside transactions, as every write runs them. On SQLite the writer keeps its statements
 * prepared by text (one trip to the thread pool per statement instead of two); whatever it keeps, a
 * broken statement fails its transaction with SQLite's message, a failed statement can run again,
 * values arrive as bound, and the database closes.
 */
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

  const addProject = (id: string, name: string) =>
    db.transaction((tx) =>
      insertRows(tx, "project", ["id", "name", "config_version", "created_at"], [[id, name, 0, 0]]),
    );
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
        await insertRows(
          tx,
          "project",
          ["id", "name", "config_version", "created_at"],
          [[second, "undone", 0, 0]],
        );
        // The same text as addProject's, with a key that is taken.
        await insertRows(
          tx,
          "project",
          ["id", "name", "config_version", "created_at"],
          [[id, "again", 0, 0]],
        );
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

onSqlite("the SQLite writer prepares a statement once, however often it runs", async () => {
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
  } finally {
    prepare.mockRestore();
    await db.close();
    await database.drop();
  }
});
