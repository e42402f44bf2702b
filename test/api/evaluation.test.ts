import {
  ArchiveKeyDocument,
  EvaluateDocument,
  IdentifyDocument,
  PauseExperienceDocument,
  StopExperienceDocument,
  TrackEventsDocument,
  UpdateFeatureFlagDocument,
  UpdateProductConfigDocument,
} from "../../client/generated/graphql";
import { referenceExclusivePick, referenceInRollout, referenceVariant } from "../helpers/reference-bucketing";
import { Profile } from "../../src/tracking/profile.entity";
import { DAY, TestClock } from "../helpers/clock";
import { freshDatabase, testEngine } from "../helpers/database";
import { evaluator, fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";
import { closeWriteGate } from "../helpers/write-gate";

let app: TestApp;
let make: ReturnType<typeof fixtures>;

/** Each test gets its own project, so keys and experiences of one do not leak into another. */
async function freshProject() {
  const token = await app.newProject();
  make = fixtures(app, token);
  const { evaluate, valueOf } = evaluator(app, token);
  return { token, evaluate, valueOf };
}

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const NYC = {
  match: "ALL" as const,
  conditions: [{ property: { property: "city", operator: "EQUALS" as const, values: ["New York"] } }],
};

describe("values", () => {
  test("every active key gets its default, in name order; archived keys are not served", async () => {
    const { token, evaluate } = await freshProject();
    await make.key("NUMBER", 3, "dark_mode");
    await make.key("STRING", "Hello", "banner_text");
    const retired = await make.key("BOOLEAN", true, "retired");
    await app.query(ArchiveKeyDocument, { id: retired }, token);
    const { values, assignments, segmentIds } = await evaluate({ id: "user-1" });
    expect(values).toEqual([
      { key: "banner_text", value: "Hello", source: "DEFAULT", experienceId: null },
      { key: "dark_mode", value: 3, source: "DEFAULT", experienceId: null },
    ]);
    expect(assignments).toEqual([]);
    expect(segmentIds).toEqual([]);
  });

  test("only RUNNING experiences serve: not drafts, not paused, not stopped ones", async () => {
    const { token, valueOf } = await freshProject();
    const keyId = await make.key("NUMBER", 3, "dark_mode");
    const config = await make.productConfig({ values: [{ keyId, value: 4 }] });
    expect((await valueOf({ id: "u" }, "dark_mode")).source).toBe("DEFAULT");
    await make.start(config.id);
    expect(await valueOf({ id: "u" }, "dark_mode")).toEqual({
      key: "dark_mode",
      value: 4,
      source: "PRODUCT_CONFIG",
      experienceId: config.id,
    });
    await app.query(PauseExperienceDocument, { id: config.id }, token);
    expect((await valueOf({ id: "u" }, "dark_mode")).value).toBe(3);
    await make.start(config.id);
    await app.query(StopExperienceDocument, { id: config.id }, token);
    expect((await valueOf({ id: "u" }, "dark_mode")).value).toBe(3);
  });

  test("a product config serves only its segment's users; the highest priority wins, then the earliest started", async () => {
    const { token, valueOf } = await freshProject();
    const keyId = await make.key("STRING", "default", "theme");
    const nyc = await make.segment(NYC);
    // Created first, started last: start order, not creation order, breaks the tie.
    const createdFirst = await make.productConfig({
      values: [{ keyId, value: "created first" }],
      priority: 1,
    });
    const startedFirst = await make.productConfig({
      values: [{ keyId, value: "started first" }],
      priority: 1,
    });
    const nycOnly = await make.productConfig({
      segmentId: nyc,
      values: [{ keyId, value: "nyc" }],
      priority: 5,
    });
    for (const config of [startedFirst, createdFirst, nycOnly]) await make.start(config.id);
    expect((await valueOf({ id: "u", properties: { city: "new york" } }, "theme")).value).toBe("nyc");
    expect((await valueOf({ id: "u", properties: { city: "Miami" } }, "theme")).value).toBe("started first");
    await app.query(UpdateProductConfigDocument, { input: { id: createdFirst.id, priority: 2 } }, token);
    expect((await valueOf({ id: "u", properties: { city: "Miami" } }, "theme")).value).toBe("created first");
  });

  test("a feature flag beats product configs, for the users in its segment and rollout", async () => {
    const { valueOf } = await freshProject();
    const keyId = await make.key("BOOLEAN", false, "new_checkout");
    const config = await make.productConfig({ values: [{ keyId, value: false }], priority: 100 });
    await make.start(config.id);
    const flag = await make.featureFlag({
      keyId,
      value: true,
      rolloutPercentage: 50,
      segmentId: await make.segment(NYC),
    });
    await make.start(flag.id);
    const inside = Array.from({ length: 200 }, (_, i) => `u${i}`).find((u) =>
      referenceInRollout(flag.id, u, 50),
    )!;
    const outside = Array.from({ length: 200 }, (_, i) => `u${i}`).find(
      (u) => !referenceInRollout(flag.id, u, 50),
    )!;
    expect(await valueOf({ id: inside, properties: { city: "New York" } }, "new_checkout")).toEqual({
      key: "new_checkout",
      value: true,
      source: "FEATURE_FLAG",
      experienceId: flag.id,
    });
    expect((await valueOf({ id: outside, properties: { city: "New York" } }, "new_checkout")).source).toBe(
      "PRODUCT_CONFIG",
    );
    expect((await valueOf({ id: inside, properties: { city: "Paris" } }, "new_checkout")).source).toBe(
      "PRODUCT_CONFIG",
    );
  });

  test("a rollout serves exactly the users the documented hash puts inside it, and widening from 20% to 50% keeps every user who was in", async () => {
    const { token, evaluate } = await freshProject();
    const keyId = await make.key("BOOLEAN", false, "rollout");
    const flag = await make.featureFlag({ keyId, value: true, rolloutPercentage: 20 });
    await make.start(flag.id);
    const users = Array.from({ length: 2000 }, (_, i) => `rollout-user-${i}`);
    const enabled = async () => {
      const on = new Set<string>();
      for (const id of users) if ((await evaluate({ id })).values[0].value === true) on.add(id);
      return on;
    };
    const at20 = await enabled();
    expect(at20).toEqual(new Set(users.filter((id) => referenceInRollout(flag.id, id, 20))));
    await app.query(UpdateFeatureFlagDocument, { input: { id: flag.id, rolloutPercentage: 50 } }, token);
    const at50 = await enabled();
    expect(at50).toEqual(new Set(users.filter((id) => referenceInRollout(flag.id, id, 50))));
    expect([...at20].filter((id) => !at50.has(id))).toEqual([]);
    // Not a degenerate split: the shares are near 20% and 50% (bounds 8 standard deviations wide).
    expect(Math.abs(at20.size / users.length - 0.2)).toBeLessThan(0.072);
    expect(Math.abs(at50.size / users.length - 0.5)).toBeLessThan(0.09);
  });
});

describe("A/B tests", () => {
  test("a user is assigned on the first qualifying evaluation, by the documented hash, and the assignment never changes", async () => {
    const { evaluate, valueOf } = await freshProject();
    const keyId = await make.key("STRING", "blue", "button");
    const segmentId = await make.segment(NYC);
    const test = await make.abTest({
      goalIds: [await make.goal()],
      segmentId,
      variants: [
        { name: "control", weight: 50, isControl: true },
        { name: "green", weight: 50, values: [{ keyId, value: "green" }] },
      ],
    });
    await make.start(test.id);
    expect((await evaluate({ id: "visitor", properties: { city: "Paris" } })).assignments).toEqual([]);

    const users = Array.from({ length: 40 }, (_, i) => `ab-user-${i}`);
    for (const id of users) {
      const expected = ["control", "green"][referenceVariant(test.id, id, 100, [50, 50])!];
      const first = await evaluate({ id, properties: { city: "New York" } });
      expect(first.assignments).toEqual([{ abTestId: test.id, variant: expected }]);
      expect(first.values[0]).toEqual(
        expected === "green"
          ? { key: "button", value: "green", source: "AB_TEST", experienceId: test.id }
          : { key: "button", value: "blue", source: "DEFAULT", experienceId: null },
      );
      // Out of the segment now, the user keeps the variant.
      expect((await evaluate({ id, properties: { city: "Paris" } })).assignments).toEqual(first.assignments);
    }
    expect((await valueOf({ id: "visitor", properties: { city: "Paris" } }, "button")).source).toBe(
      "DEFAULT",
    );
  });

  test("a variant's value beats flags and configs; a key it does not set falls through to them", async () => {
    const { evaluate } = await freshProject();
    const color = await make.key("STRING", "blue", "color");
    const size = await make.key("NUMBER", 10, "size");
    const flag = await make.featureFlag({ keyId: color, value: "red" });
    const config = await make.productConfig({ values: [{ keyId: size, value: 12 }] });
    const test = await make.abTest({
      goalIds: [await make.goal()],
      variants: [
        { name: "control", weight: 50, isControl: true, values: [{ keyId: color, value: "blue" }] },
        { name: "bold", weight: 50, values: [{ keyId: color, value: "black" }] },
      ],
    });
    for (const id of [flag.id, config.id, test.id]) await make.start(id);
    const { values, assignments } = await evaluate({ id: "someone" });
    expect(values.find((v) => v.key === "color")).toMatchObject({ source: "AB_TEST", experienceId: test.id });
    expect(values.find((v) => v.key === "color")?.value).toBe(
      assignments[0].variant === "bold" ? "black" : "blue",
    );
    expect(values.find((v) => v.key === "size")).toEqual({
      key: "size",
      value: 12,
      source: "PRODUCT_CONFIG",
      experienceId: config.id,
    });
  });

  test("of two tests that set a key at the same priority, a new user enters only the earliest started", async () => {
    const { evaluate } = await freshProject();
    const keyId = await make.key("STRING", "x", "headline");
    const goalId = await make.goal();
    const only = (value: string) => [
      { name: "control", weight: 50, isControl: true, values: [{ keyId, value }] },
      { name: "other", weight: 50, values: [{ keyId, value }] },
    ];
    // Created first, started last: start order, not creation order, decides.
    const createdFirst = await make.abTest({ goalIds: [goalId], variants: only("created first") });
    const startedFirst = await make.abTest({ goalIds: [goalId], variants: only("started first") });
    await make.start(startedFirst.id);
    await make.start(createdFirst.id);
    const { values, assignments } = await evaluate({ id: "reader" });
    expect(values[0]).toMatchObject({ value: "started first", experienceId: startedFirst.id });
    expect(assignments.map((a) => a.abTestId)).toEqual([startedFirst.id]);
  });

  test("traffic limits who enters; a paused test lets nobody new in and keeps serving the users in it", async () => {
    const { token, evaluate } = await freshProject();
    const keyId = await make.key("STRING", "a", "k");
    const test = await make.abTest({
      goalIds: [await make.goal()],
      trafficPercentage: 30,
      variants: [
        { name: "control", weight: 50, isControl: true },
        { name: "b", weight: 50, values: [{ keyId, value: "b" }] },
      ],
    });
    await make.start(test.id);
    const users = Array.from({ length: 300 }, (_, i) => `t${i}`);
    const entered = new Set<string>();
    for (const id of users.slice(0, 200)) if ((await evaluate({ id })).assignments.length) entered.add(id);
    expect(entered).toEqual(
      new Set(users.slice(0, 200).filter((id) => referenceVariant(test.id, id, 30, [50, 50]) !== null)),
    );

    await app.query(PauseExperienceDocument, { id: test.id }, token);
    for (const id of users) {
      const { assignments, values } = await evaluate({ id });
      const variant = entered.has(id) ? referenceVariant(test.id, id, 30, [50, 50]) : null;
      expect(assignments).toEqual(
        variant === null ? [] : [{ abTestId: test.id, variant: ["control", "b"][variant] }],
      );
      expect(values[0]).toMatchObject(
        variant === 1 ? { value: "b", source: "AB_TEST" } : { value: "a", source: "DEFAULT" },
      );
    }
  });
});

describe("mutually exclusive tests", () => {
  async function exclusivePair(traffic: [number, number]) {
    const goalId = await make.goal();
    const a = await make.abTest({
      goalIds: [goalId],
      mutuallyExclusive: true,
      trafficPercentage: traffic[0],
    });
    const b = await make.abTest({
      goalIds: [goalId],
      mutuallyExclusive: true,
      trafficPercentage: traffic[1],
    });
    await make.start(a.id);
    await make.start(b.id);
    return { a, b };
  }

  test("of 2,000 users none is in two exclusive tests, and the tests share them in proportion to their traffic", async () => {
    const { evaluate } = await freshProject();
    const { a, b } = await exclusivePair([100, 50]);
    const free = await make.abTest({ goalIds: [await make.goal()] });
    await make.start(free.id);
    const counts = { [a.id]: 0, [b.id]: 0, none: 0 };
    for (let i = 0; i < 2000; i++) {
      const tests = (await evaluate({ id: `ex-${i}` })).assignments.map((x) => x.abTestId);
      const exclusive = tests.filter((id) => id !== free.id);
      expect(exclusive.length).toBeLessThanOrEqual(1);
      expect(tests).toContain(free.id);
      counts[exclusive[0] ?? "none"]++;
    }
    // Everyone qualifies for A (100%) and half for B; each user is where the documented pick puts them.
    expect(counts.none).toBe(0);
    const expected = { [a.id]: 0, [b.id]: 0 };
    for (let i = 0; i < 2000; i++) {
      const user = `ex-${i}`;
      const candidates = [{ id: a.id, trafficPercentage: 100 }];
      if (referenceVariant(b.id, user, 50, [50, 50]) !== null)
        candidates.push({ id: b.id, trafficPercentage: 50 });
      expected[referenceExclusivePick(user, candidates)!]++;
    }
    expect(counts).toEqual({ ...expected, none: 0 });
    // About 1/6 of everyone in B (1/3 of the half that qualifies for both); bounds 8 standard deviations wide.
    expect(Math.abs(counts[b.id] / 2000 - 1 / 6)).toBeLessThan(0.067);
  });

  test("once a user's exclusive test stops, the user may be placed in another", async () => {
    const { token, evaluate } = await freshProject();
    const { a, b } = await exclusivePair([100, 100]);
    const placed = new Map<string, string>();
    for (let i = 0; i < 60; i++)
      placed.set(`m${i}`, (await evaluate({ id: `m${i}` })).assignments[0].abTestId);
    await app.query(StopExperienceDocument, { id: a.id }, token);
    for (const [id, test] of placed) {
      const after = (await evaluate({ id })).assignments.map((x) => x.abTestId);
      expect(after).toEqual([b.id]);
      if (test === b.id) continue;
      expect(test).toBe(a.id);
    }
  });

  test("15 first evaluations of one user sent at once, each deciding from what it read before any of them wrote, give at most one exclusive assignment, and all answers agree", async () => {
    const { token } = await freshProject();
    await exclusivePair([100, 100]);
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(
        Array.from({ length: 15 }, () =>
          app.query(EvaluateDocument, { user: { id: `burst-${round}` } }, token),
        ),
      );
      const assignments = answers.map((answer) => JSON.stringify(answer.evaluate.assignments));
      expect(new Set(assignments).size).toBe(1);
      expect(answers[0].evaluate.assignments).toHaveLength(1);
    }
  });

  test("placements queued around a stop (from rulesets read before it) write nothing after the stop and leave none of its slots", async () => {
    const { token } = await freshProject();
    const test = await make.abTest({ goalIds: [await make.goal()], mutuallyExclusive: true });
    await make.start(test.id);
    const count = async (table: string) =>
      Number(
        (
          await app.services.db.reader.query(
            app.services.db.engine === "postgres"
              ? `SELECT COUNT(*) AS n FROM ${table} WHERE experience_id = $1`
              : `SELECT COUNT(*) AS n FROM ${table} WHERE experience_id = ?`,
            [test.id],
          )
        )[0].n,
      );
    // Behind a closed gate: first evaluations, the stop, then as many more that read the ruleset
    // before the stop committed, so they too ask to place their users into the test. (On PostgreSQL
    // each waiting transaction holds one of the pool's 10 connections: 3 on each side fit.)
    const perSide = app.services.db.engine === "postgres" ? 3 : 150;
    const gate = await closeWriteGate(
      { database: app.database, db: app.services.db },
      { experience: test.id },
    );
    const evaluate = (i: number) => () =>
      app.query(EvaluateDocument, { user: { id: `stop-race-${i}` } }, token);
    const answers = [];
    for (let i = 0; i < perSide; i++) answers.push((await gate.send(evaluate(i))).answer);
    const stop = (await gate.send(() => app.query(StopExperienceDocument, { id: test.id }, token))).answer;
    for (let i = perSide; i < 2 * perSide; i++) answers.push((await gate.send(evaluate(i))).answer);
    await gate.open();
    await Promise.all(answers);
    const stoppedAt = Date.parse(((await stop).stopExperience.experience as { stoppedAt: string }).stoppedAt);

    const late = await app.services.db.reader.query(
      app.services.db.engine === "postgres"
        ? "SELECT COUNT(*) AS n FROM assignment WHERE experience_id = $1 AND assigned_at > $2"
        : "SELECT COUNT(*) AS n FROM assignment WHERE experience_id = ? AND assigned_at > ?",
      [test.id, stoppedAt],
    );
    expect(Number(late[0].n)).toBe(0);
    expect(await count("exclusive_slot")).toBe(0);
    // The placements queued before the stop stand (on SQLite exactly those, in queue order).
    expect(await count("assignment")).toBeGreaterThan(0);
    if (app.services.db.engine === "sqlite") expect(await count("assignment")).toBe(perSide);
  });

  test("tests without the flag ignore exclusivity", async () => {
    const { evaluate } = await freshProject();
    const goalId = await make.goal();
    const one = await make.abTest({ goalIds: [goalId], mutuallyExclusive: false });
    const two = await make.abTest({ goalIds: [goalId], mutuallyExclusive: false });
    await make.start(one.id);
    await make.start(two.id);
    expect((await evaluate({ id: "both" })).assignments.map((x) => x.abTestId)).toEqual([one.id, two.id]);
  });
});

describe("segment membership", () => {
  test("uses the stored profile, overlaid by the request's properties (null removes one)", async () => {
    const { token, evaluate } = await freshProject();
    const nyc = await make.segment(NYC);
    await app.query(
      IdentifyDocument,
      { userId: "amy", properties: { city: "New York", plan: "pro" } },
      token,
    );
    expect((await evaluate({ id: "amy" })).segmentIds).toEqual([nyc]);
    expect((await evaluate({ id: "amy", properties: { city: "Boston" } })).segmentIds).toEqual([]);
    expect((await evaluate({ id: "amy", properties: { city: null } })).segmentIds).toEqual([]);
    expect((await evaluate({ id: "bob", properties: { city: "new york" } })).segmentIds).toEqual([nyc]);
  });

  test("property names are data: __proto__, constructor and toString are properties like any other", async () => {
    const { token, evaluate } = await freshProject();
    const paris = await make.segment({
      match: "ALL",
      conditions: [{ property: { property: "city", operator: "EQUALS", values: ["Paris"] } }],
    });
    const hasConstructor = await make.segment({
      match: "ALL",
      conditions: [{ property: { property: "constructor", operator: "EXISTS" } }],
    });
    const protoIsX = await make.segment({
      match: "ALL",
      conditions: [{ property: { property: "__proto__", operator: "EQUALS", values: ["x"] } }],
    });
    const noToString = await make.segment({
      match: "ALL",
      conditions: [{ property: { property: "toString", operator: "NOT_EXISTS" } }],
    });
    // A user with no properties lacks every one of them.
    expect(new Set((await evaluate({ id: "plain" })).segmentIds)).toEqual(new Set([noToString]));
    // Sent through identify (stored) and through evaluate (overlaid): "__proto__" is a property, not a prototype.
    const proto = JSON.parse('{"__proto__": {"city": "Paris"}}');
    await app.query(IdentifyDocument, { userId: "proto-user", properties: proto }, token);
    expect((await evaluate({ id: "proto-user" })).segmentIds).toEqual([noToString]);
    expect((await evaluate({ id: "other-user", properties: proto })).segmentIds).toEqual([noToString]);
    const asX = JSON.parse('{"__proto__": "x", "constructor": "y"}');
    expect(new Set((await evaluate({ id: "other-user", properties: asX })).segmentIds)).toEqual(
      new Set([protoIsX, hasConstructor, noToString]),
    );
    await app.query(IdentifyDocument, { userId: "proto-user", properties: asX }, token);
    expect(new Set((await evaluate({ id: "proto-user" })).segmentIds)).toEqual(
      new Set([protoIsX, hasConstructor, noToString]),
    );
    expect((await evaluate({ id: "proto-user" })).segmentIds).not.toContain(paris);
    const stored = await app.services.db.reader.findOneByOrFail(Profile, { userId: "proto-user" });
    expect(Object.keys(stored.properties).sort()).toEqual(["__proto__", "constructor"]);
  });

  test("uses the stored events: did, did not, how often and how recently", async () => {
    const { token, evaluate } = await freshProject();
    const buyers = await make.segment({
      match: "ALL",
      conditions: [
        {
          event: {
            occurrence: "DID",
            event: "Charged",
            minCount: 2,
            withinDays: 7,
            where: [{ property: "amount", operator: "GREATER_THAN", values: [10] }],
          },
        },
      ],
    });
    const neverOpened = await make.segment({
      match: "ALL",
      conditions: [{ event: { occurrence: "DID_NOT", event: "App Launched" } }],
    });
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
    await app.query(
      TrackEventsDocument,
      {
        events: [
          { userId: "cy", name: "Charged", properties: { amount: 50 }, timestamp: at(1) },
          { userId: "cy", name: "Charged", properties: { amount: 5 }, timestamp: at(2) },
          { userId: "cy", name: "Charged", properties: { amount: 70 }, timestamp: at(10) },
          { userId: "di", name: "Charged", properties: { amount: 20 }, timestamp: at(1) },
          { userId: "di", name: "Charged", properties: { amount: 30 }, timestamp: at(3) },
          { userId: "di", name: "App Launched" },
        ],
      },
      token,
    );
    expect((await evaluate({ id: "cy" })).segmentIds).toEqual([neverOpened]);
    expect((await evaluate({ id: "di" })).segmentIds).toEqual([buyers]);
    await app.query(
      TrackEventsDocument,
      { events: [{ userId: "cy", name: "Charged", properties: { amount: 11 } }] },
      token,
    );
    expect((await evaluate({ id: "cy" })).segmentIds).toEqual([buyers, neverOpened]);
  });
});

describe("bad requests", () => {
  test.each([
    [{ id: "" }, "user.id"],
    [{ id: "x".repeat(257) }, "user.id"],
    [{ id: "u", properties: [1, 2] }, "user.properties"],
    [{ id: "u", properties: "city" }, "user.properties"],
  ])("%j is BAD_USER_INPUT naming the field", async (user, field) => {
    const { token } = await freshProject();
    const response = await app.execute(EvaluateDocument, { user }, token);
    expect(response.errors?.[0]).toMatchObject({
      extensions: { code: "BAD_USER_INPUT" },
      message: expect.stringContaining(field),
    });
  });
});

describe("across restarts", () => {
  test("a server restarted on the same database gives every user the same answers", async () => {
    const database = await freshDatabase();
    const first = await startTestApp({ database });
    const token = await first.newProject();
    const make = fixtures(first, token);
    const keyId = await make.key("NUMBER", 1, "n");
    const flag = await make.featureFlag({ keyId, value: 2, rolloutPercentage: 40 });
    const test = await make.abTest({ goalIds: [await make.goal()], trafficPercentage: 60 });
    await make.start(flag.id);
    await make.start(test.id);
    const answer = async (server: TestApp, id: string) =>
      (await server.query(EvaluateDocument, { user: { id } }, token)).evaluate;
    const users = Array.from({ length: 150 }, (_, i) => `restart-${i}`);
    const before = [];
    for (const id of users) before.push(await answer(first, id));
    await first.close();

    const second = await startTestApp({ database });
    try {
      const after = [];
      for (const id of users) after.push(await answer(second, id));
      expect(after).toEqual(before);
      // A fresh server computes the same buckets for users it never saw before.
      expect((await answer(second, "newcomer")).values[0].value).toBe(
        referenceInRollout(flag.id, "newcomer", 40) ? 2 : 1,
      );
    } finally {
      await second.close();
      await database.drop();
    }
  });
});

describe("a user's stored state kept between evaluations (SQLite)", () => {
  /** Reads of a user's stored state `work` makes: on SQLite none while nothing of it was written. */
  const stateReads = (work: () => Promise<unknown>) => app.countStatements(/FROM profile WHERE/, work);
  const kept = testEngine() === "sqlite" ? 0 : 1;

  test("is read once while nothing is written; a profile, an event or a placement is seen at the next evaluation", async () => {
    const { token, evaluate } = await freshProject();
    const nyc = await make.segment(NYC);
    const buyers = await make.segment({
      match: "ALL",
      conditions: [{ event: { occurrence: "DID", event: "Charged" } }],
    });
    const test = await make.abTest({
      goalIds: [await make.goal()],
      segmentId: buyers,
      variants: [
        { name: "control", weight: 50, isControl: true },
        { name: "b", weight: 50 },
      ],
    });
    await make.start(test.id);
    await app.query(IdentifyDocument, { userId: "kim", properties: { city: "Boston" } }, token);
    expect(await stateReads(() => evaluate({ id: "kim" }))).toBe(1);
    expect(await stateReads(() => evaluate({ id: "kim" }))).toBe(kept);
    // The request's properties overlay the kept profile, and do not stay in it.
    expect((await evaluate({ id: "kim", properties: { city: "New York" } })).segmentIds).toEqual([nyc]);
    expect((await evaluate({ id: "kim" })).segmentIds).toEqual([]);

    await app.query(IdentifyDocument, { userId: "kim", properties: { city: "New York" } }, token);
    expect((await evaluate({ id: "kim" })).segmentIds).toEqual([nyc]);
    await app.query(TrackEventsDocument, { events: [{ userId: "kim", name: "Charged" }] }, token);
    // The event puts kim in the test's segment: the evaluation places kim, and the next one reads
    // again (the placement's shared commit is not a counted transaction) and finds the assignment.
    const placed = await evaluate({ id: "kim" });
    expect(placed.segmentIds.sort()).toEqual([nyc, buyers].sort());
    expect(placed.assignments).toEqual([{ abTestId: test.id, variant: expect.any(String) }]);
    expect(await stateReads(() => evaluate({ id: "kim" }))).toBe(1);
    const [after] = await Promise.all([evaluate({ id: "kim" }), evaluate({ id: "kim" })]);
    expect(after.assignments).toEqual(placed.assignments);
    expect(await app.countStatements(/^INSERT/i, () => evaluate({ id: "kim" }))).toBe(0);
  });

  test("answers by the moment of the evaluation: an event leaves a condition's window with no write", async () => {
    const clock = new TestClock(Date.now());
    const timed = await startTestApp({ clock });
    try {
      const token = await timed.newProject();
      const timedMake = fixtures(timed, token);
      const lately = await timedMake.segment({
        match: "ALL",
        conditions: [{ event: { occurrence: "DID", event: "Charged", withinDays: 7 } }],
      });
      const evaluate = async () =>
        (await timed.query(EvaluateDocument, { user: { id: "lee" } }, token)).evaluate.segmentIds;
      const sixDaysAgo = new Date(clock.now() - 6 * DAY).toISOString();
      await timed.query(
        TrackEventsDocument,
        { events: [{ userId: "lee", name: "Charged", timestamp: sixDaysAgo }] },
        token,
      );
      expect(await evaluate()).toEqual([lately]);
      clock.advance(DAY + 1);
      const reads = await timed.countStatements(/FROM profile WHERE/, async () =>
        expect(await evaluate()).toEqual([]),
      );
      expect(reads).toBe(kept);
    } finally {
      await timed.close();
    }
  });
});
