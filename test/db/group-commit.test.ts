import { randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
import { openDatabase, type BatchWork, type Database } from "../../src/db/database";
import { insertRows, sql } from "../../src/db/sql";
import { noSignals } from "../../src/shared/signals";
import { freshDatabase, testEngine, type TestDatabase } from "../helpers/database";
import { AbTestResultsDocument, SetTestUsersDocument } from "../../client/generated/graphql";
import { evaluator, fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/*
 * First visits share commits (group commit): placements that arrive together are written in one
 * transaction on SQLite, a few statements and one disk flush for the burst. Every guarantee stays:
 * each answer is what was stored, a failing item fails alone, and nothing is answered before its commit.
 */

/**
 * Holds the writer until the returned function is called, so the writes after it queue up, as a
 * burst of first visits does.
 */
async function holdWriter(db: Database): Promise<() => Promise<void>> {
  let release: (() => void) | null = null;
  const busy = db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
  while (!release) await new Promise((resolve) => setTimeout(resolve, 1));
  return async () => {
    (release as () => void)();
    await busy;
  };
}

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

  const busyWriter = () => holdWriter(db);
  const insertProjects = (names: string[]) => (tx: EntityManager) =>
    insertRows(
      tx,
      "project",
      ["id", "name", "config_version", "created_at"],
      names.map((name) => [randomUUID(), name, 0, 0]),
    );
  const stored = async (prefix: string) =>
    (
      await sql<{ name: string }>(
        db.reader,
        "SELECT name FROM project WHERE name LIKE :prefix ORDER BY name",
        {
          prefix: `${prefix} %`,
        },
      )
    ).map((row) => row.name);

  test("items arriving together commit together, each batch work called once with all of its items", async () => {
    commits = 0;
    const calls: string[][] = [];
    const work =
      (kind: string): BatchWork<number, string> =>
      async (tx, items) => {
        const names = items.map((i) => `${kind} ${i}`);
        calls.push(names);
        await insertProjects(names)(tx);
        return names;
      };
    const [odd, even] = [work("odd"), work("even")];
    const release = await busyWriter();
    const answers = Array.from({ length: 8 }, (_, i) => db.sharedTransaction(i % 2 ? odd : even, i));
    await release();
    expect(await Promise.all(answers)).toEqual(
      Array.from({ length: 8 }, (_, i) => `${i % 2 ? "odd" : "even"} ${i}`),
    );
    expect([...(await stored("odd")), ...(await stored("even"))]).toEqual([
      ...["odd 1", "odd 3", "odd 5", "odd 7"],
      ...["even 0", "even 2", "even 4", "even 6"],
    ]);
    if (testEngine() === "sqlite") {
      // The busy transaction, then one for all eight; each work called once, in order of arrival.
      expect(commits).toBe(2);
      expect(calls).toEqual([
        ["even 0", "even 2", "even 4", "even 6"],
        ["odd 1", "odd 3", "odd 5", "odd 7"],
      ]);
    } else {
      expect(commits).toBe(9);
      expect(calls).toHaveLength(8);
    }
  });

  test("an item that fails fails alone: the batch is undone and the others are written", async () => {
    const failing: BatchWork<number, number> = async (tx, items) => {
      await insertProjects(items.map((i) => `shared ${i}`))(tx);
      if (items.includes(3)) throw new Error("item 3 fails after its insert");
      return [...items];
    };
    const release = await busyWriter();
    const answers = Array.from({ length: 8 }, (_, i) => db.sharedTransaction(failing, i));
    await release();
    const outcomes = await Promise.allSettled(answers);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      ...Array(3).fill("fulfilled"),
      "rejected",
      ...Array(4).fill("fulfilled"),
    ]);
    expect((outcomes[3] as PromiseRejectedResult).reason).toEqual(new Error("item 3 fails after its insert"));
    expect(await stored("shared")).toEqual([0, 1, 2, 4, 5, 6, 7].map((i) => `shared ${i}`));
    expect(db.pendingWrites).toBe(0);
  });
});

describe("first visits", () => {
  let app: TestApp;
  /** Placements the service reported (px_first_time_placements_total on a server). */
  let placedSignals = 0;
  beforeAll(async () => {
    app = await startTestApp({ signals: { ...noSignals, placed: (count) => (placedSignals += count) } });
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
    const commits = await app.countStatements(/^COMMIT/i, async () => {
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

  test("a burst of new users, each evaluated twice at once, into exclusive tests and tests sharing a key, with a QA user: every rule holds, in one transaction of a few statements on SQLite", async () => {
    const token = await app.newProject();
    const make = fixtures(app, token);
    const goal = await make.goal();
    const key = await make.key("STRING", "a");
    const exclusive = [
      await make.abTest({ goalIds: [goal], mutuallyExclusive: true }),
      await make.abTest({ goalIds: [goal], mutuallyExclusive: true }),
    ];
    const setsKey = (value: string) =>
      make.abTest({
        goalIds: [goal],
        variants: [
          { name: "control", weight: 50, isControl: true, values: [{ keyId: key, value: "a" }] },
          { name: "treatment", weight: 50, values: [{ keyId: key, value }] },
        ],
      });
    const sharing = [await setsKey("b"), await setsKey("c")];
    const plain = await make.abTest({ goalIds: [goal] });
    const tests = [...exclusive, ...sharing, plain];
    for (const test of tests) await make.start(test.id);
    const { setTestUsers } = await app.query(
      SetTestUsersDocument,
      {
        id: plain.id,
        users: [{ userId: "qa-user", variantId: (plain as { variants: { id: string }[] }).variants[1].id }],
      },
      token,
    );
    expect(setTestUsers.userErrors).toEqual([]);
    const { evaluate } = evaluator(app, token);
    const users = [...Array.from({ length: 25 }, (_, i) => `mixed-${i}`), "qa-user"];

    let answers: Awaited<ReturnType<typeof evaluate>>[] = [];
    const burst = async () => {
      // On SQLite behind the busy writer, so that all of them are one batch.
      const gate = testEngine() === "sqlite" ? await holdWriter(app.services.db) : null;
      const sent = [...users, ...users].map((id) => evaluate({ id }));
      if (gate) {
        while (app.services.db.pendingWrites < 1 + sent.length)
          await new Promise((resolve) => setTimeout(resolve, 1));
        await gate();
      }
      answers = await Promise.all(sent);
    };
    let commits = 0;
    placedSignals = 0;
    const inserts = await app.countStatements(/^INSERT/i, async () => {
      commits = await app.countStatements(/^COMMIT/i, burst);
    });

    const stored = await sql<{ user_id: string; experience_id: string; name: string }>(
      app.services.db.reader,
      `SELECT a.user_id, a.experience_id, v.name FROM assignment a JOIN variant v ON v.id = a.variant_id
        WHERE a.project_id = (SELECT project_id FROM experience WHERE id = :test) ORDER BY a.experience_id`,
      { test: plain.id },
    );
    const storedOf = (user: string) =>
      stored
        .filter((row) => row.user_id === user)
        .map((row) => ({ abTestId: row.experience_id, variant: row.name }));
    const byTest = (ids: string[]) => (user: string) =>
      storedOf(user).filter((a) => ids.includes(a.abTestId));
    const sorted = <T extends { abTestId: string }>(list: T[]) =>
      [...list].sort((a, b) => a.abTestId.localeCompare(b.abTestId));
    answers.forEach((answer, i) => {
      const user = users[i % users.length];
      // The QA user is served plain's variant from the pin, never placed in it.
      const placed = answer.assignments.filter((a) => user !== "qa-user" || a.abTestId !== plain.id);
      expect(sorted(placed)).toEqual(sorted(storedOf(user)));
    });
    for (const user of users) {
      expect(byTest(exclusive.map((t) => t.id))(user)).toHaveLength(1);
      expect(byTest(sharing.map((t) => t.id))(user).length).toBeLessThanOrEqual(1);
      expect(byTest([plain.id])(user)).toHaveLength(user === "qa-user" ? 0 : 1);
    }
    // Each placement is reported once, by the evaluation that wrote it (both asked for it).
    expect(placedSignals).toBe(stored.length);
    // Each placement counts once in the results.
    const { experience } = await app.query(AbTestResultsDocument, { id: plain.id }, token);
    if (experience?.__typename !== "ABTest") throw new Error("not a test");
    expect(experience.results.variants.reduce((sum, v) => sum + v.users, 0)).toBe(users.length - 1);
    if (testEngine() === "sqlite") {
      // The busy transaction and one for the burst; slots, claims, assignments and rollups: an INSERT each.
      expect(commits).toBe(2);
      expect(inserts).toBe(4);
    } else {
      expect(commits).toBeGreaterThanOrEqual(users.length);
    }
  });

  test("one user arriving twice at once, with properties that qualify each request for other tests: one exclusive test and one test per shared key are written, the losers give back their slot and claims", async () => {
    const token = await app.newProject();
    const make = fixtures(app, token);
    const goal = await make.goal();
    const key = await make.key("STRING", "a");
    const plan = (value: string) =>
      make.segment({
        match: "ALL",
        conditions: [{ property: { property: "plan", operator: "EQUALS", values: [value] } }],
      });
    const [pro, free] = [await plan("pro"), await plan("free")];
    const exclusive = (segmentId: string) =>
      make.abTest({ goalIds: [goal], segmentId, mutuallyExclusive: true });
    const setsKey = (segmentId: string) =>
      make.abTest({
        goalIds: [goal],
        segmentId,
        variants: [
          { name: "control", weight: 50, isControl: true, values: [{ keyId: key, value: "a" }] },
          { name: "treatment", weight: 50, values: [{ keyId: key, value: "b" }] },
        ],
      });
    const tests = {
      exclusivePro: await exclusive(pro),
      exclusiveFree: await exclusive(free),
      keyPro: await setsKey(pro),
      keyFree: await setsKey(free),
    };
    for (const test of Object.values(tests)) await make.start(test.id);
    const { evaluate } = evaluator(app, token);

    const rowsOf = (table: string) =>
      sql<{ experience_id: string }>(
        app.services.db.reader,
        `SELECT experience_id FROM ${table} WHERE user_id = :user AND experience_id IN (:...tests) ORDER BY experience_id`,
        { user: "two-minds", tests: Object.values(tests).map((test) => test.id) },
      ).then((rows) => rows.map((row) => row.experience_id));
    // On SQLite behind the busy writer, so that both are one batch, queued in the order sent (each
    // waits for the one before it to join): the second request's round finds the first's slot and
    // claim taken.
    const gate = testEngine() === "sqlite" ? await holdWriter(app.services.db) : null;
    const sent = [];
    for (const value of ["pro", "free"]) {
      sent.push(evaluate({ id: "two-minds", properties: { plan: value } }));
      while (gate && app.services.db.pendingWrites < 1 + sent.length)
        await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await gate?.();
    const answers = await Promise.all(sent);

    const assigned = await rowsOf("assignment");
    const inExclusive = assigned.filter((id) => [tests.exclusivePro.id, tests.exclusiveFree.id].includes(id));
    const inKeyTests = assigned.filter((id) => [tests.keyPro.id, tests.keyFree.id].includes(id));
    expect(inExclusive).toHaveLength(1);
    expect(inKeyTests).toHaveLength(1);
    // What the losers took is given back: the one slot and the key's one claim are the winners'.
    expect(await rowsOf("exclusive_slot")).toEqual(inExclusive);
    expect(await rowsOf("key_claim")).toEqual(inKeyTests);
    for (const answer of answers) {
      for (const { abTestId } of answer.assignments) expect(assigned).toContain(abTestId);
    }
    if (testEngine() === "sqlite") {
      // The first request (pro) is written first; the second keeps what it found.
      expect(assigned.sort()).toEqual([tests.exclusivePro.id, tests.keyPro.id].sort());
    }
  });
});
