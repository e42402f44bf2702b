import {
  AbTestResultsDocument,
  DeclareWinnerDocument,
  ExperienceHistoryDocument,
  PauseExperienceDocument,
  RevertExperienceDocument,
  RollOutVariantDocument,
  SetTestUsersDocument,
  StartExperienceDocument,
  StopExperienceDocument,
  TrackEventsDocument,
  UpdateAbTestDocument,
  GetExperienceDocument,
  type AbTestOperationsFieldsFragment,
  type ExperienceFieldsFragment,
} from "../../client/generated/graphql";
import { sql } from "../../src/db/sql";
import { CONCURRENT_WRITES } from "../helpers/database";
import { onPostgresOnly } from "../helpers/skips";
import { evaluator, fixtures } from "../helpers/fixtures";
import { referenceVariant } from "../helpers/reference-bucketing";
import { startTestApp, type TestApp } from "../helpers/servers";
import { closeWriteGate } from "../helpers/write-gate";

let app: TestApp;
let make: ReturnType<typeof fixtures>;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

/** A test as the A/B operations' mutations and GetExperience show it (lists leave the operations' fields out). */
type ABTestFields = Extract<ExperienceFieldsFragment, { __typename: "ABTest" }> &
  AbTestOperationsFieldsFragment;

/** Each test gets its own project, so keys and experiences of one do not leak into another. */
async function freshProject() {
  const token = await app.newProject();
  make = fixtures(app, token);
  const { evaluate, valueOf } = evaluator(app, token);
  const results = async (id: string) => {
    const { experience } = await app.query(AbTestResultsDocument, { id }, token);
    if (experience?.__typename !== "ABTest") throw new Error("not an A/B test");
    return new Map(experience.results.variants.map((v) => [v.variant.name, v]));
  };
  return { token, evaluate, valueOf, results };
}

/** A test whose control and treatment both set `keyId`, to `<label>-control` and `<label>-treatment`. */
async function sharedKeyTest(keyId: string, label: string, extra: Record<string, unknown> = {}) {
  return make.abTest({
    goalIds: [await make.goal()],
    variants: [
      { name: "control", weight: 50, isControl: true, values: [{ keyId, value: `${label}-control` }] },
      { name: "treatment", weight: 50, values: [{ keyId, value: `${label}-treatment` }] },
    ],
    ...extra,
  }) as Promise<ABTestFields>;
}

const rows = (text: string, parameters: Record<string, unknown> = {}) =>
  sql<Record<string, unknown>>(app.services.db.reader, text, parameters);

/** Runs `work` over the items, a few at a time: first visits are writes, and 2,000 one by one are slow. */
async function inBatches<T, R>(items: T[], work: (item: T) => Promise<R>, size = 20): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}

describe("test priority and shared keys", () => {
  test("of 2,000 users none is in two tests setting one key, each gets the key from the test they count in, and priority decides the split", async () => {
    const { evaluate, results } = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const otherKey = await make.key("STRING", "plain", "button");
    // Started first, but of lower priority: start order decides only between equal priorities.
    const low = await sharedKeyTest(keyId, "low");
    const high = await sharedKeyTest(keyId, "high", { priority: 5, trafficPercentage: 40 });
    const side = await sharedKeyTest(otherKey, "side");
    for (const test of [low, high, side]) await make.start(test.id);

    const users = Array.from({ length: 2000 }, (_, i) => `shared-${i}`);
    const answers = await inBatches(users, (id) => evaluate({ id }));
    const expected = { high: 0, low: 0 };
    answers.forEach((answer, i) => {
      const id = users[i];
      const inHigh = referenceVariant(high.id, id, 40, [50, 50]);
      const test = inHigh !== null ? high : low;
      const variant = inHigh ?? referenceVariant(low.id, id, 100, [50, 50])!;
      const name = ["control", "treatment"][variant];
      const sideVariant = ["control", "treatment"][referenceVariant(side.id, id, 100, [50, 50])!];
      expected[test === high ? "high" : "low"]++;
      expect(answer.assignments).toEqual(
        [
          { abTestId: test.id, variant: name },
          { abTestId: side.id, variant: sideVariant },
        ].sort((a, b) => (a.abTestId === high.id ? -1 : b.abTestId === high.id ? 1 : 0)),
      );
      expect(answer.values.find((v) => v.key === "headline")).toEqual({
        key: "headline",
        value: `${test === high ? "high" : "low"}-${name}`,
        source: "AB_TEST",
        experienceId: test.id,
      });
    });
    // Close to the 40% the high-priority test takes; the rest go to the other.
    expect(expected.high).toBeGreaterThan(700);
    expect(expected.high).toBeLessThan(900);

    const [twice] = await rows(
      `SELECT COUNT(*) AS n FROM (SELECT user_id FROM assignment WHERE experience_id IN (:...ids)
         GROUP BY user_id HAVING COUNT(*) > 1) AS doubled`,
      { ids: [low.id, high.id] },
    );
    expect(Number(twice.n)).toBe(0);
    const counted = async (id: string) =>
      [...(await results(id)).values()].reduce((sum, variant) => sum + variant.users, 0);
    expect(await counted(high.id)).toBe(expected.high);
    expect(await counted(low.id)).toBe(expected.low);
    expect(await counted(side.id)).toBe(users.length);
  });

  test("a user already in a test keeps it when a test of higher priority setting the same key starts", async () => {
    const { evaluate } = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const first = await sharedKeyTest(keyId, "first");
    await make.start(first.id);
    const placed = Array.from({ length: 30 }, (_, i) => `early-${i}`);
    for (const id of placed) await evaluate({ id });

    const later = await sharedKeyTest(keyId, "later", { priority: 10 });
    await make.start(later.id);
    for (const id of placed) {
      const { assignments, values } = await evaluate({ id });
      expect(assignments.map((a) => a.abTestId)).toEqual([first.id]);
      expect(values[0].experienceId).toBe(first.id);
    }
    const { assignments } = await evaluate({ id: "newcomer" });
    expect(assignments.map((a) => a.abTestId)).toEqual([later.id]);
  });

  test("a paused test keeps its users and lets another test that sets its key take the new ones", async () => {
    const { token, evaluate } = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const paused = await sharedKeyTest(keyId, "paused", { priority: 3 });
    const other = await sharedKeyTest(keyId, "other");
    await make.start(paused.id);
    await make.start(other.id);
    const before = await evaluate({ id: "placed" });
    expect(before.assignments.map((a) => a.abTestId)).toEqual([paused.id]);

    await app.query(PauseExperienceDocument, { id: paused.id }, token);
    expect(await evaluate({ id: "placed" })).toEqual(before);
    const { assignments } = await evaluate({ id: "arrived-during-pause" });
    expect(assignments.map((a) => a.abTestId)).toEqual([other.id]);
  });

  test(`many evaluations of one user at once place them in one of the tests sharing a key (${CONCURRENT_WRITES})`, async () => {
    const { evaluate } = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const goalId = await make.goal();
    const tests = [
      await sharedKeyTest(keyId, "a"),
      await sharedKeyTest(keyId, "b", { priority: 1 }),
      await make.abTest({ goalIds: [goalId], mutuallyExclusive: true }),
      await make.abTest({ goalIds: [goalId], mutuallyExclusive: true }),
    ];
    for (const test of tests) await make.start(test.id);
    for (let user = 0; user < 10; user++) {
      const answers = await Promise.all(Array.from({ length: 12 }, () => evaluate({ id: `racer-${user}` })));
      const stored = await rows("SELECT experience_id FROM assignment WHERE user_id = :userId", {
        userId: `racer-${user}`,
      });
      const held = stored.map((row) => row.experience_id);
      expect(held.filter((id) => id === tests[0].id || id === tests[1].id)).toEqual([tests[1].id]);
      expect(held.filter((id) => id === tests[2].id || id === tests[3].id)).toHaveLength(1);
      for (const answer of answers) expect(answer.values[0].experienceId).toBe(tests[1].id);
    }
  });
});

onPostgresOnly("transactions interleave only on PostgreSQL").describe(
  "shared keys under a change of tests, interleaving on PostgreSQL",
  () => {
    test("two evaluations of one user, from before and after a higher-priority test sharing a key started, leave the user in one test", async () => {
      const { token, evaluate } = await freshProject();
      const keyId = await make.key("STRING", "default", "headline");
      const low = await sharedKeyTest(keyId, "low");
      const high = await sharedKeyTest(keyId, "high", { priority: 9 });
      await make.start(low.id);
      // The first evaluation, which knows only `low`, waits behind the gate on low's row (holding the
      // user). Then `high` starts, and a second evaluation of the user, which would place them in
      // `high`, waits for the first. The first placement stands; the second finds the key claimed.
      const gate = await closeWriteGate({ database: app.database }, { experience: low.id });
      const before = (await gate.send(() => evaluate({ id: "switcher" }))).answer;
      await app.query(StartExperienceDocument, { id: high.id }, token);
      const after = (await gate.send(() => evaluate({ id: "switcher" }))).answer;
      await gate.open();
      const answers = await Promise.all([before, after]);
      const held = await rows("SELECT experience_id FROM assignment WHERE user_id = 'switcher'");
      expect(held.map((row) => row.experience_id)).toEqual([low.id]);
      expect(await rows("SELECT experience_id FROM key_claim WHERE user_id = 'switcher'")).toEqual([
        { experience_id: low.id },
      ]);
      for (const answer of [...answers, await evaluate({ id: "switcher" })]) {
        expect(answer.assignments.map((a) => a.abTestId)).toEqual([low.id]);
        expect(answer.values[0].experienceId).toBe(low.id);
      }
    });
  },
);

describe("sticky target", () => {
  const NYC = {
    match: "ALL" as const,
    conditions: [{ property: { property: "city", operator: "EQUALS" as const, values: ["New York"] } }],
  };

  test.each([
    [true, "keeps serving a placed user who left the segment"],
    [false, "serves a placed user only while in the segment, and again when they return"],
  ])("stickyTarget %s %s", async (stickyTarget, _) => {
    const { evaluate, results } = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const segmentId = await make.segment(NYC);
    const test = await sharedKeyTest(keyId, "t", { segmentId, stickyTarget });
    expect(test.stickyTarget).toBe(stickyTarget);
    await make.start(test.id);
    const inNyc = await evaluate({ id: "mover", properties: { city: "New York" } });
    expect(inNyc.assignments).toHaveLength(1);
    const away = await evaluate({ id: "mover", properties: { city: "Boston" } });
    if (stickyTarget) {
      expect(away).toEqual({ ...inNyc, segmentIds: [] });
    } else {
      expect(away.assignments).toEqual([]);
      expect(away.values[0]).toMatchObject({ value: "default", source: "DEFAULT" });
    }
    expect(await evaluate({ id: "mover", properties: { city: "New York" } })).toEqual(inNyc);
    // The assignment is kept either way: the user counts once, in the variant they got.
    const counted = [...(await results(test.id)).values()].reduce((sum, v) => sum + v.users, 0);
    expect(counted).toBe(1);
  });
});

describe("QA test users", () => {
  async function pinned() {
    const project = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const segmentId = await make.segment();
    const test = await sharedKeyTest(keyId, "qa", {
      segmentId,
      trafficPercentage: 1,
      mutuallyExclusive: true,
    });
    const [control, treatment] = test.variants;
    const { setTestUsers } = await app.query(
      SetTestUsersDocument,
      {
        id: test.id,
        users: [
          { userId: "qa-1", variantId: treatment.id },
          { userId: "qa-2", variantId: control.id },
        ],
      },
      project.token,
    );
    expect(setTestUsers.userErrors).toEqual([]);
    return { ...project, keyId, test, control, treatment, set: setTestUsers.experience as ABTestFields };
  }

  test("are served their variant while the test is a DRAFT, outside its segment and traffic, and nobody else is", async () => {
    const { evaluate, test, set } = await pinned();
    expect(set.testUsers).toEqual([
      { userId: "qa-1", variant: { id: test.variants[1].id, name: "treatment" } },
      { userId: "qa-2", variant: { id: test.variants[0].id, name: "control" } },
    ]);
    expect(set.version).toBe(2);
    const qa = await evaluate({ id: "qa-1" });
    expect(qa.values[0]).toEqual({
      key: "headline",
      value: "qa-treatment",
      source: "AB_TEST",
      experienceId: test.id,
    });
    expect(qa.assignments).toEqual([{ abTestId: test.id, variant: "treatment" }]);
    expect((await evaluate({ id: "qa-2" })).values[0].value).toBe("qa-control");
    const someone = await evaluate({ id: "someone", properties: { city: "Paris" } });
    expect(someone.values[0].source).toBe("DEFAULT");
    expect(someone.assignments).toEqual([]);
  });

  test("are never assigned, never hold an exclusive slot, never count in results, even if placed before being pinned", async () => {
    const { token, evaluate, results, test } = await pinned();
    await app.query(UpdateAbTestDocument, { input: { id: test.id, trafficPercentage: 100 } }, token);
    await make.start(test.id);
    for (const id of ["qa-1", "qa-2"]) await evaluate({ id, properties: { city: "Paris" } });
    const placed = await evaluate({ id: "real", properties: { city: "Paris" } });
    expect(placed.assignments).toHaveLength(1);
    await app.query(
      TrackEventsDocument,
      { events: ["qa-1", "qa-2", "real"].map((userId) => ({ userId, name: "Purchase" })) },
      token,
    );
    const stored = await rows(
      "SELECT user_id FROM assignment WHERE experience_id = :id UNION ALL SELECT user_id FROM exclusive_slot WHERE experience_id = :id",
      { id: test.id },
    );
    expect(stored.map((row) => row.user_id)).toEqual(["real", "real"]);
    const users = (map: Awaited<ReturnType<typeof results>>) =>
      [...map.values()].reduce((sum, v) => sum + v.users, 0);
    expect(users(await results(test.id))).toBe(1);

    // "real" becomes a QA user of the other variant than the one they were placed in: served the
    // pinned variant from now on, and no longer counted.
    const other = test.variants.find((variant) => variant.name !== placed.assignments[0].variant)!;
    const { setTestUsers } = await app.query(
      SetTestUsersDocument,
      { id: test.id, users: [{ userId: "real", variantId: other.id }] },
      token,
    );
    expect(setTestUsers.userErrors).toEqual([]);
    expect((await evaluate({ id: "real" })).assignments).toEqual([
      { abTestId: test.id, variant: other.name },
    ]);
    expect(users(await results(test.id))).toBe(0);
  });

  test("a user pinned while their first evaluation waits to place them is not placed: the database's pins decide, not the ruleset that evaluation read", async () => {
    const { token, evaluate, test, treatment } = await pinned();
    await app.query(UpdateAbTestDocument, { input: { id: test.id, trafficPercentage: 100 } }, token);
    await make.start(test.id);
    // Behind a closed gate: the pin first, then an evaluation that read the ruleset before the pin
    // committed, so it asks to place the user.
    const gate = await closeWriteGate(
      { database: app.database, db: app.services.db },
      { experience: test.id },
    );
    const pin = (
      await gate.send(() =>
        app.query(
          SetTestUsersDocument,
          { id: test.id, users: [{ userId: "late-qa", variantId: treatment.id }] },
          token,
        ),
      )
    ).answer;
    const placing = (await gate.send(() => evaluate({ id: "late-qa", properties: { city: "Paris" } })))
      .answer;
    await gate.open();
    expect((await pin).setTestUsers.userErrors).toEqual([]);
    await placing;
    const stored = await rows(
      "SELECT user_id FROM assignment WHERE experience_id = :id UNION ALL SELECT user_id FROM exclusive_slot WHERE experience_id = :id",
      { id: test.id },
    );
    expect(stored).toEqual([]);
    expect((await evaluate({ id: "late-qa" })).assignments).toEqual([
      { abTestId: test.id, variant: "treatment" },
    ]);
  });

  test("a pinned user gets no other test that sets the same key, but may enter other exclusive tests", async () => {
    const { evaluate, keyId, test } = await pinned();
    const rival = await sharedKeyTest(keyId, "rival", { priority: 50 });
    const exclusive = await make.abTest({ goalIds: [await make.goal()], mutuallyExclusive: true });
    await make.start(rival.id);
    await make.start(exclusive.id);
    const { assignments, values } = await evaluate({ id: "qa-1" });
    expect(assignments.map((a) => a.abTestId).sort()).toEqual([test.id, exclusive.id].sort());
    expect(values[0].experienceId).toBe(test.id);
  });

  test("are checked: at most 100, valid ids listed once, variants of this test, not once it stopped", async () => {
    const { token, test, control } = await pinned();
    const other = (await make.abTest({ goalIds: [await make.goal()] })) as ABTestFields;
    const set = async (users: { userId: string; variantId: string }[], expectedVersion?: number) =>
      (await app.query(SetTestUsersDocument, { id: test.id, users, expectedVersion }, token)).setTestUsers;

    const tooMany = Array.from({ length: 101 }, (_, i) => ({ userId: `u${i}`, variantId: control.id }));
    expect((await set(tooMany)).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["users"] }),
    ]);
    const problems = await set([
      { userId: "a", variantId: control.id },
      { userId: "a", variantId: control.id },
      { userId: "  ", variantId: control.id },
      { userId: "b", variantId: other.variants[0].id },
    ]);
    expect(problems.userErrors.map((e) => [e.code, e.field])).toEqual([
      ["INVALID", ["users", "1", "userId"]],
      ["INVALID", ["users", "2", "userId"]],
      ["NOT_FOUND", ["users", "3", "variantId"]],
    ]);
    expect((await set([], 1)).userErrors).toEqual([
      expect.objectContaining({ code: "CONFLICT", field: ["expectedVersion"] }),
    ]);
    // The same list again is no change: no new version.
    const same = await set([
      { userId: "qa-2", variantId: test.variants[0].id },
      { userId: "qa-1", variantId: test.variants[1].id },
    ]);
    expect(same.experience!.version).toBe(2);
    const hundred = await set(tooMany.slice(0, 100));
    expect(hundred.userErrors).toEqual([]);
    expect((hundred.experience as ABTestFields).testUsers).toHaveLength(100);

    await make.start(test.id);
    await app.query(StopExperienceDocument, { id: test.id }, token);
    expect((await set([])).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE", field: ["users"] }),
    ]);
  });

  test("stay pinned through a DRAFT edit that keeps their variant's name, and go with a variant that goes", async () => {
    const { token, evaluate, keyId, test } = await pinned();
    const { updateABTest } = await app.query(
      UpdateAbTestDocument,
      {
        input: {
          id: test.id,
          variants: [
            { name: "CONTROL", weight: 30, isControl: true, values: [{ keyId, value: "new-control" }] },
            { name: "fresh", weight: 70, values: [{ keyId, value: "fresh" }] },
          ],
        },
      },
      token,
    );
    expect(updateABTest.userErrors).toEqual([]);
    const updated = (await app.query(GetExperienceDocument, { id: test.id }, token))
      .experience as ABTestFields;
    expect(updated.variants[0].id).toBe(test.variants[0].id);
    expect(updated.testUsers).toEqual([
      { userId: "qa-2", variant: { id: test.variants[0].id, name: "CONTROL" } },
    ]);
    expect((await evaluate({ id: "qa-2" })).values[0].value).toBe("new-control");
    expect((await evaluate({ id: "qa-1" })).values[0].source).toBe("DEFAULT");
  });
});

describe("declare winner", () => {
  test("marks a variant and changes nothing else; null clears; a variant of another test is NOT_FOUND", async () => {
    const { token, evaluate } = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const test = await sharedKeyTest(keyId, "w");
    await make.start(test.id);
    const before = await evaluate({ id: "someone" });
    const declare = async (variantId: string | null) =>
      (await app.query(DeclareWinnerDocument, { id: test.id, variantId }, token)).declareWinner;

    const declared = await declare(test.variants[1].id);
    expect(declared.userErrors).toEqual([]);
    expect(declared.experience).toMatchObject({
      status: "RUNNING",
      version: 3,
      winner: { id: test.variants[1].id, name: "treatment" },
    });
    expect(await evaluate({ id: "someone" })).toEqual(before);
    expect((await declare(test.variants[1].id)).experience!.version).toBe(3);
    const { experience } = await app.query(ExperienceHistoryDocument, { id: test.id, first: 1 }, token);
    expect(experience!.history.nodes[0]).toMatchObject({
      action: "declareWinner",
      changedFields: ["winnerVariantId"],
    });

    const other = (await make.abTest({ goalIds: [await make.goal()] })) as ABTestFields;
    expect((await declare(other.variants[0].id)).userErrors).toEqual([
      expect.objectContaining({ code: "NOT_FOUND", field: ["variantId"] }),
    ]);
    expect((await declare(null)).experience).toMatchObject({ winner: null, version: 4 });
    await app.query(StopExperienceDocument, { id: test.id }, token);
    expect((await declare(test.variants[0].id)).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE", field: ["variantId"] }),
    ]);
  });
});

describe("roll out", () => {
  test("stops the test and gives its segment the variant's values through a new running config above every config setting those keys", async () => {
    const { token, evaluate } = await freshProject();
    const headline = await make.key("STRING", "default", "headline");
    const color = await make.key("STRING", "grey", "color");
    const segmentId = await make.segment();
    const existing = await make.productConfig({
      values: [{ keyId: headline, value: "configured" }],
      priority: 7,
    });
    const unrelated = await make.productConfig({
      values: [{ keyId: await make.key() }].map((v) => ({ ...v, value: true })),
      priority: 100,
    });
    await make.start(existing.id);
    await make.start(unrelated.id);
    const test = (await make.abTest({
      goalIds: [await make.goal()],
      segmentId,
      variants: [
        { name: "control", weight: 50, isControl: true },
        {
          name: "bold",
          weight: 50,
          values: [
            { keyId: headline, value: "BOLD" },
            { keyId: color, value: "red" },
          ],
        },
      ],
    })) as ABTestFields;
    await make.start(test.id);
    const bold = test.variants[1];

    const { rollOutVariant } = await app.query(
      RollOutVariantDocument,
      { id: test.id, variantId: bold.id },
      token,
    );
    expect(rollOutVariant.userErrors).toEqual([]);
    const stopped = rollOutVariant.experience as ABTestFields;
    expect(stopped).toMatchObject({
      status: "STOPPED",
      rolledOutVariant: { id: bold.id, name: "bold" },
      rolledOutTo: { name: test.name, status: "RUNNING", priority: 8 },
    });
    const configId = stopped.rolledOutTo!.id;

    const inSegment = await evaluate({ id: "anyone", properties: { city: "Oslo" } });
    expect(inSegment.assignments).toEqual([]);
    expect(inSegment.values.filter((v) => ["color", "headline"].includes(v.key))).toEqual([
      { key: "color", value: "red", source: "PRODUCT_CONFIG", experienceId: configId },
      { key: "headline", value: "BOLD", source: "PRODUCT_CONFIG", experienceId: configId },
    ]);
    const outside = await evaluate({ id: "anyone" });
    expect(outside.values.find((v) => v.key === "headline")).toMatchObject({
      value: "configured",
      experienceId: existing.id,
    });

    const history = async (id: string) =>
      (await app.query(ExperienceHistoryDocument, { id }, token)).experience!.history.nodes.map(
        (n) => n.action,
      );
    expect((await history(test.id))[0]).toBe("rollOut");
    expect(await history(configId)).toEqual(["start", "create"]);
  });

  test("is refused for the control, a variant of another test, a test that is not live, and when no priority is left", async () => {
    const { token } = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const test = await sharedKeyTest(keyId, "r");
    const rollOut = async (variantId: string) =>
      (await app.query(RollOutVariantDocument, { id: test.id, variantId }, token)).rollOutVariant;
    expect((await rollOut(test.variants[1].id)).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE", field: ["id"] }),
    ]);
    await make.start(test.id);
    expect((await rollOut(test.variants[0].id)).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["variantId"] }),
    ]);
    const other = (await make.abTest({ goalIds: [await make.goal()] })) as ABTestFields;
    expect((await rollOut(other.variants[1].id)).userErrors).toEqual([
      expect.objectContaining({ code: "NOT_FOUND", field: ["variantId"] }),
    ]);
    await make.productConfig({ values: [{ keyId, value: "top" }], priority: 2_147_483_647 });
    expect((await rollOut(test.variants[1].id)).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["variantId"] }),
    ]);
    const { experience } = await app.query(ExperienceHistoryDocument, { id: test.id }, token);
    expect(experience).toMatchObject({ version: 2 });
  });

  test("names the config after the test, or with (rolled out) when a config has that name", async () => {
    const { token } = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const test = await sharedKeyTest(keyId, "n");
    await make.productConfig({ name: test.name, values: [{ keyId, value: "x" }] });
    await make.start(test.id);
    const { rollOutVariant } = await app.query(
      RollOutVariantDocument,
      { id: test.id, variantId: test.variants[1].id },
      token,
    );
    expect((rollOutVariant.experience as ABTestFields).rolledOutTo).toMatchObject({
      name: `${test.name} (rolled out)`,
      priority: 1,
    });
  });
});

describe("priority, sticky target and exposure event as content", () => {
  test("change until the test stops, are checked, and a revert restores them", async () => {
    const { token } = await freshProject();
    const keyId = await make.key("STRING", "default", "headline");
    const test = await sharedKeyTest(keyId, "c", { exposureEvent: "  Screen Viewed " });
    expect(test).toMatchObject({ priority: 0, stickyTarget: true, exposureEvent: "Screen Viewed" });
    await make.start(test.id);
    const update = async (input: Record<string, unknown>) =>
      (await app.query(UpdateAbTestDocument, { input: { id: test.id, ...input } }, token)).updateABTest;

    const changed = await update({ priority: 4, stickyTarget: false, exposureEvent: "" });
    expect(changed.userErrors).toEqual([]);
    expect(changed.experience).toMatchObject({
      priority: 4,
      stickyTarget: false,
      exposureEvent: null,
      version: 3,
    });
    expect((await update({ exposureEvent: "x".repeat(129) })).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "exposureEvent"] }),
    ]);
    const { revertExperience } = await app.query(
      RevertExperienceDocument,
      { id: test.id, toVersion: 2 },
      token,
    );
    expect(revertExperience.experience).toMatchObject({
      priority: 0,
      stickyTarget: true,
      exposureEvent: "Screen Viewed",
    });

    await app.query(StopExperienceDocument, { id: test.id }, token);
    expect((await update({ priority: 1 })).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE", field: ["input", "priority"] }),
    ]);
  });
});
