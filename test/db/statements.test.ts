import { randomUUID } from "node:crypto";
import sqlite3 from "sqlite3";
import type { EntityManager } from "typeorm";
import { openDatabase, type Database } from "../../src/db/database";
import { insertRows, sql } from "../../src/db/sql";
import { freshDatabase, testEngine, type TestDatabase } from "../helpers/database";
import { onSqliteOnly } from "../helpers/skips";

/*
 * Statements as every write and every hot read runs them: every value bound and arriving exactly,
 * a broken or failing statement failing only its own transaction, and the readers' prepared
 * statements bounded and kept by last use.
 */
const insertProject = (tx: EntityManager, id: string, name: string) =>
  insertRows(tx, "project", ["id", "name", "config_version", "created_at"], [[id, name, 0, 0]]);

describe("statements", () => {
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
        await insertProject(tx, id, "again");
      }),
    ).rejects.toThrow(/UNIQUE|duplicate key/);
    expect(await nameOf(second)).toBeUndefined();
    const third = randomUUID();
    await addProject(third, "third");
    expect(await nameOf(third)).toBe("third");
    expect(await nameOf(id)).toBe("first");
  });

  test("text arrives as bound: quotes, non-ASCII, and NUL where the engine stores it (SQLite)", async () => {
    const id = randomUUID();
    const nul = testEngine() === "sqlite" ? "before\u0000after" : "";
    const name = `it's "quoted"; DROP TABLE project; -- ü 名前 🚀 ${nul}`;
    await addProject(id, name);
    expect(await nameOf(id)).toBe(name);
  });

  test("numbers arrive exactly, the largest doubles and safe integers too: nothing is clamped", async () => {
    const numbers = [2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 40 + 1, 1e20, -1e200, 1.7e308, 5e-324, 0.1, 2.5];
    const answers = await db.transaction(async (tx) => {
      const all: number[] = [];
      for (const n of numbers)
        all.push(
          Number((await sql<{ n: number }>(tx, "SELECT CAST(:n AS DOUBLE PRECISION) AS n", { n }))[0].n),
        );
      return all;
    });
    expect(answers).toEqual(numbers);
  });

  test("db.read binds like sql(): the same numbers come back from a kept statement", async () => {
    for (const n of [1e20, 2 ** 53 - 1, 1.7e308, 0.5]) {
      const [row] = await db.read<{ n: number }>("SELECT CAST(:n AS DOUBLE PRECISION) AS n", { n });
      expect(Number(row.n)).toBe(n);
    }
  });

  test("a read that fails runs again with other values", async () => {
    const text =
      testEngine() === "postgres" ? "SELECT CAST(:v AS integer) AS n" : "SELECT json_extract(:v, '$.n') AS n";
    const good = testEngine() === "postgres" ? "7" : '{"n": 7}';
    await expect(db.read(text, { v: "not a number, not JSON" })).rejects.toThrow();
    await expect(db.read(text, { v: "not a number, not JSON" })).rejects.toThrow();
    expect(Number((await db.read<{ n: number }>(text, { v: good }))[0].n)).toBe(7);
  });

  test("more statement texts in one transaction than any cache holds: each answers", async () => {
    const answers = await db.transaction(async (tx) => {
      const all: number[] = [];
      for (let i = 0; i < 600; i++) all.push(Number((await sql<{ n: number }>(tx, `SELECT ${i} AS n`))[0].n));
      return all;
    });
    expect(answers).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });
});

onSqliteOnly("typeof and kept reads are SQLite's").describe(
  "SQLite statements (integers and kept reads are SQLite's own)",
  () => {
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

    test("a safe integer beyond 32 bits stays an integer (integer division); a larger whole number stays exact", async () => {
      const [row] = await db.transaction((tx) =>
        sql<{ type: string; half: number; big: number; bigType: string }>(
          tx,
          "SELECT typeof(:n) AS type, :n / 2 AS half, :big AS big, typeof(:big) AS bigType",
          { n: 2 ** 40 + 1, big: 1e20 },
        ),
      );
      expect(row).toEqual({ type: "integer", half: 2 ** 39, big: 1e20, bigType: "real" });
    });

    test("the readers keep statements by last use: a text read again stays prepared while others come and go", async () => {
      const prepare = jest.spyOn(sqlite3.Database.prototype, "prepare");
      try {
        const read = (i: number) => db.read<{ n: number }>(`SELECT :x + ${i} AS n`, { x: 0 });
        const preparedCount = (i: number) =>
          prepare.mock.calls.filter(([text]) => text === `SELECT ? + ${i} AS n`).length;
        // Four readers, each keeping 200 texts: text 0 on every reader, then 199 others on each.
        for (let round = 0; round < 4; round++) await read(0);
        for (let i = 1; i < 200; i++) for (let round = 0; round < 4; round++) await read(i);
        // Text 0 read again is the most recently used everywhere; the next new text evicts text 1.
        for (let round = 0; round < 4; round++) await read(0);
        for (let round = 0; round < 4; round++) await read(200);
        for (let round = 0; round < 4; round++) expect(Number((await read(0))[0].n)).toBe(0);
        expect(preparedCount(0)).toBe(4);
        for (let round = 0; round < 4; round++) await read(1);
        expect(preparedCount(1)).toBe(8);
      } finally {
        prepare.mockRestore();
      }
    });
  },
);

describe("a unit of work inside a transaction (an import's mutations)", () => {
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
  const names = async () =>
    (
      await sql<{ name: string }>(
        db.reader,
        "SELECT name FROM project WHERE name LIKE 'nested %' ORDER BY name",
      )
    ).map((row) => row.name);

  test("joins the enclosing transaction as a savepoint: a failed one is undone alone, the rest commits with it", async () => {
    await db.transaction(async (tx) => {
      await insertProject(tx, randomUUID(), "nested outer");
      await db.transaction((inner) => insertProject(inner, randomUUID(), "nested kept"));
      await expect(
        db.transaction(async (inner) => {
          await insertProject(inner, randomUUID(), "nested undone");
          throw new Error("the nested unit fails");
        }),
      ).rejects.toThrow("the nested unit fails");
    });
    expect(await names()).toEqual(["nested kept", "nested outer"]);
  });

  test("the enclosing transaction decides: when it fails, what its nested units did is undone too", async () => {
    await expect(
      db.transaction(async () => {
        await db.transaction((inner) => insertProject(inner, randomUUID(), "nested lost"));
        throw new Error("the enclosing unit fails");
      }),
    ).rejects.toThrow("the enclosing unit fails");
    expect(await names()).not.toContain("nested lost");
    // And the writer goes on.
    await db.transaction((tx) => insertProject(tx, randomUUID(), "nested after"));
    expect(await names()).toContain("nested after");
  });
});
