import { openDatabase, type Database } from "../../src/db/database";
import { sql } from "../../src/db/sql";
import { freshDatabase, testEngine, type TestDatabase } from "../helpers/database";
import { evaluator, fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/test-app";

/*
 * First visits share commits (group commit): placements that arrive together are written in one
 * transaction on SQLite, one disk flush for the burst. Every guarantee stays: each answer is what was
 * stored, a failing work is undone alone, and nothing is answered before its commit.
 */

describe("sharedTransaction", () => {
  let database: TestDatabase;
  let db: Database;
  let commits = 0;
  beforeAll(async () => {
    database = await freshDatabase();
    db = await openDatabase(database.config, (query) => {
      if (/^COMMIT/i.test(query.trim())) commits++;
    });
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  test("works arriving together commit together; one that fails is undone alone and rejects alone", async () => {
    commits = 0;
    // The writer is busy, so the works queue up behind it, as a burst of first visits does.
    let release: (() => void) | null = null;
    const busy = db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    while (!release) await new Promise((resolve) => setTimeout(resolve, 1));
    const works = Array.from({ length: 8 }, (_, i) =>
      db.sharedTransaction(async (tx) => {
        await sql(
          tx,
          "INSERT INTO project (id, name, config_version, created_at) VALUES (:id, :name, 0, 0)",
          {
            id: `00000000-0000-7000-8000-00000000000${i}`,
            name: `shared ${i}`,
          },
        );
        if (i === 3) throw new Error("work 3 fails after its insert");
        return i;
      }),
    );
    (release as () => void)();
    await busy;
    const outcomes = await Promise.allSettled(works);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      ...Array(3).fill("fulfilled"),
      "rejected",
      ...Array(4).fill("fulfilled"),
    ]);
    const names = (
      await sql<{ name: string }>(
        db.reader,
        "SELECT name FROM project WHERE name LIKE 'shared %' ORDER BY name",
        {},
      )
    ).map((row) => row.name);
    expect(names).toEqual([0, 1, 2, 4, 5, 6, 7].map((i) => `shared ${i}`));
    // The busy transaction, then one for all eight on SQLite; one for each that succeeded on PostgreSQL.
    expect(commits).toBe(testEngine() === "sqlite" ? 2 : 8);
  });
});

describe("first visits", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  test("a burst of new users: each answer is its stored assignment, in fewer commits than users on SQLite", async () => {
    const token = await app.newProject();
    const make = fixtures(app, token);
    const key = await make.key("STRING", "a");
    const goal = await make.goal();
    const test = await make.abTest({
      goalIds: [goal],
      variants: [
        { name: "control", weight: 50, isControl: true },
        { name: "treatment", weight: 50, values: [{ keyId: key, value: "b" }] },
      ],
    });
    await make.start(test.id);
    const { evaluate } = evaluator(app, token);
    const users = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
    let answers: Awaited<ReturnType<typeof evaluate>>[] = [];
    const commits = await app.countCommits(async () => {
      answers = await Promise.all(users.map((id) => evaluate({ id })));
    });
    const stored = await sql<{ user_id: string; name: string }>(
      app.services.db.reader,
      `SELECT a.user_id, v.name FROM assignment a JOIN variant v ON v.id = a.variant_id WHERE a.experience_id = :test`,
      { test: test.id },
    );
    const storedVariant = new Map(stored.map((row) => [row.user_id, row.name]));
    expect(storedVariant.size).toBe(users.length);
    answers.forEach((answer, i) =>
      expect(answer.assignments).toEqual([{ abTestId: test.id, variant: storedVariant.get(users[i]) }]),
    );
    if (testEngine() === "sqlite") expect(commits).toBeLessThan(users.length / 2);
    else expect(commits).toBeGreaterThanOrEqual(users.length);
  });
});
