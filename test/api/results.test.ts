import {
  AbTestResultsDocument,
  CreateGoalDocument,
  EvaluateDocument,
  StopExperienceDocument,
  TrackEventsDocument,
  type EventInput,
} from "../../client/generated/graphql";
import { fixtures } from "../helpers/fixtures";
import {
  referenceChanceToBeatControl,
  referenceSampleRatioMismatch,
  referenceTwoProportionPValue,
} from "../helpers/reference-statistics";
import { startTestApp, type TestApp } from "../helpers/servers";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

interface ResultsView {
  sampleRatioMismatchPValue: number | null;
  variants: {
    variant: { name: string; isControl: boolean };
    users: number;
    goals: {
      goal: { name: string };
      conversions: number;
      conversionRate: number;
      uplift: number | null;
      pValue: number | null;
      chanceToBeatControl: number | null;
    }[];
  }[];
}

async function resultsOf(id: string, token: string): Promise<ResultsView> {
  const { experience } = await app.query(AbTestResultsDocument, { id }, token);
  return (experience as { results: ResultsView }).results;
}

async function sendInBatches(events: EventInput[], token: string) {
  for (let i = 0; i < events.length; i += 1000) {
    const { trackEvents } = await app.query(
      TrackEventsDocument,
      { events: events.slice(i, i + 1000) },
      token,
    );
    expect(trackEvents.userErrors).toEqual([]);
  }
}

test("results for 2,000 users equal a hand count: only conversions after assignment and before the stop count", async () => {
  const token = await app.newProject();
  const make = fixtures(app, token);
  const purchase = await make.goal(["Charged", "Purchase Completed"], "Purchase");
  const signup = await make.goal(["Signed Up"], "Signup");
  const test = await make.abTest({
    goalIds: [purchase, signup],
    variants: [
      { name: "control", weight: 50, isControl: true },
      { name: "b", weight: 25 },
      { name: "c", weight: 25 },
    ],
  });
  const users = Array.from({ length: 2000 }, (_, i) => `res-${i}`);
  // Events from before the test: they happened before any assignment, so they never count.
  await sendInBatches(
    users.map((userId) => ({
      userId,
      name: "Charged",
      timestamp: new Date(Date.now() - 3600_000).toISOString(),
    })),
    token,
  );
  await make.start(test.id);

  const variantOf = new Map<string, string>();
  for (const id of users) {
    const { evaluate } = await app.query(EvaluateDocument, { user: { id } }, token);
    variantOf.set(id, evaluate.assignments[0].variant);
  }
  // Who converts: a fixed pattern with different rates per variant, by both of a goal's events.
  const rates: Record<string, number> = { control: 10, b: 14, c: 9 };
  const converts = (id: string, index: number) => index % 100 < rates[variantOf.get(id)!];
  const signsUp = (index: number) => index % 7 === 0;
  const afterAssignment: EventInput[] = [];
  users.forEach((userId, index) => {
    if (converts(userId, index))
      afterAssignment.push({ userId, name: index % 2 ? "Charged" : "Purchase Completed" });
    if (converts(userId, index) && index % 3 === 0) afterAssignment.push({ userId, name: "Charged" });
    if (signsUp(index)) afterAssignment.push({ userId, name: "Signed Up" });
  });
  await sendInBatches(afterAssignment, token);

  const { stopExperience } = await app.query(StopExperienceDocument, { id: test.id }, token);
  // After the stop: converting now is too late (the stop itself is the first instant that no longer counts).
  const stoppedAt = Date.parse((stopExperience.experience as { stoppedAt: string }).stoppedAt);
  await sendInBatches(
    users.map((userId, i) => ({
      userId,
      name: "Signed Up",
      timestamp: new Date(stoppedAt + (i % 2)).toISOString(),
    })),
    token,
  );

  const hand = new Map<string, { users: number; purchase: number; signup: number }>();
  users.forEach((id, index) => {
    const counts = hand.get(variantOf.get(id)!) ?? { users: 0, purchase: 0, signup: 0 };
    counts.users++;
    if (converts(id, index)) counts.purchase++;
    if (signsUp(index)) counts.signup++;
    hand.set(variantOf.get(id)!, counts);
  });
  const control = hand.get("control")!;

  const results = await resultsOf(test.id, token);
  expect(results.variants.map((v) => v.variant.name)).toEqual(["control", "b", "c"]);
  for (const result of results.variants) {
    const mine = hand.get(result.variant.name)!;
    expect(result.users).toBe(mine.users);
    const [purchaseResult, signupResult] = result.goals;
    expect([purchaseResult.goal.name, signupResult.goal.name]).toEqual(["Purchase", "Signup"]);
    expect(purchaseResult.conversions).toBe(mine.purchase);
    expect(signupResult.conversions).toBe(mine.signup);
    expect(purchaseResult.conversionRate).toBeCloseTo(mine.purchase / mine.users, 12);
    if (result.variant.isControl) {
      expect(purchaseResult).toMatchObject({ uplift: null, pValue: null, chanceToBeatControl: null });
      continue;
    }
    const arms = [
      { users: control.users, conversions: control.purchase },
      { users: mine.users, conversions: mine.purchase },
    ] as const;
    expect(purchaseResult.uplift).toBeCloseTo(
      (mine.purchase / mine.users - control.purchase / control.users) / (control.purchase / control.users),
      12,
    );
    // Against independent routes: a polynomial normal tail (error < 1.5e-7) and numerical integration.
    expect(Math.abs(purchaseResult.pValue! - referenceTwoProportionPValue(...arms))).toBeLessThan(1e-6);
    expect(
      Math.abs(purchaseResult.chanceToBeatControl! - referenceChanceToBeatControl(...arms)),
    ).toBeLessThan(0.001);
  }
  const srm = referenceSampleRatioMismatch(
    ["control", "b", "c"].map((name) => hand.get(name)!.users),
    [50, 25, 25],
  );
  expect(Math.abs(results.sampleRatioMismatchPValue! - srm)).toBeLessThan(1e-6);
  // The split follows the weights: no sample ratio mismatch here.
  expect(results.sampleRatioMismatchPValue).toBeGreaterThan(0.001);
});

test("a test without users has zero counts, a mean of 0 and null statistics, intervals and CUPED figures", async () => {
  const token = await app.newProject();
  const make = fixtures(app, token);
  const test = await make.abTest({ goalIds: [await make.goal()] });
  const results = await resultsOf(test.id, token);
  expect(results.sampleRatioMismatchPValue).toBeNull();
  for (const variant of results.variants) {
    expect(variant.users).toBe(0);
    expect(variant.goals).toEqual([
      {
        goal: expect.any(Object),
        conversions: 0,
        conversionRate: 0,
        uplift: null,
        pValue: null,
        chanceToBeatControl: null,
        occurrences: 0,
        valueTotal: null,
        valuePerUser: null,
        valueUplift: null,
        valuePValue: null,
        mean: 0,
        differenceInterval: null,
        sequentialInterval: null,
        adjustedPValue: null,
        cupedDifferenceInterval: null,
        cupedPValue: null,
        varianceReduction: null,
      },
    ]);
  }
});

test("a results window is whole UTC days: another instant, or an end before the start, is BAD_USER_INPUT naming the argument", async () => {
  const token = await app.newProject();
  const make = fixtures(app, token);
  const test = await make.abTest({ goalIds: [await make.goal()] });
  const ask = (from: string, to: string) =>
    app.execute(
      `query ($id: ID!, $from: DateTime, $to: DateTime) { experience(id: $id) { ... on ABTest { results(from: $from, to: $to) { variants { users } } } } }`,
      { id: test.id, from, to },
      token,
    );
  const midday = await ask("2026-11-02T12:00:00Z", "2026-11-05T00:00:00Z");
  expect(midday.errors?.[0]).toMatchObject({
    message: expect.stringContaining("from must be a UTC midnight"),
    extensions: { code: "BAD_USER_INPUT" },
  });
  const backwards = await ask("2026-11-05T00:00:00Z", "2026-11-02T00:00:00Z");
  expect(backwards.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
  const fine = await ask("2026-11-02T00:00:00Z", "2026-11-05T00:00:00Z");
  expect(fine.errors).toBeUndefined();
});

test("amounts beyond ±10^15 are refused at their property, so results stay finite; sums that overflowed anyway (older data) read as null, not an error", async () => {
  const token = await app.newProject();
  const make = fixtures(app, token);
  const { createGoal } = await app.query(
    CreateGoalDocument,
    { input: { name: "Bounded revenue", events: ["Paid"], valueProperty: "amount" } },
    token,
  );
  const test = await make.abTest({ goalIds: [createGoal.goal!.id] });
  await make.start(test.id);
  const users = Array.from({ length: 20 }, (_, i) => `bounded-${i}`);
  for (const id of users) await app.query(EvaluateDocument, { user: { id } }, token);
  const { trackEvents } = await app.query(
    TrackEventsDocument,
    {
      events: [
        { userId: users[0], name: "Paid", properties: { amount: 1e15 } },
        { userId: users[1], name: "Paid", properties: { amount: -1e15 } },
        { userId: users[2], name: "Paid", properties: { amount: 1.7e308 } },
        { userId: users[3], name: "Paid", properties: { amount: -1e16, note: "refused too" } },
      ],
    },
    token,
  );
  expect(trackEvents.accepted).toBe(2);
  expect(trackEvents.userErrors).toEqual([
    expect.objectContaining({ code: "INVALID", field: ["events", "2", "properties", "amount"] }),
    expect.objectContaining({ code: "INVALID", field: ["events", "3", "properties", "amount"] }),
  ]);
  const read = async () => {
    const response = await app.execute(AbTestResultsDocument, { id: test.id }, token);
    expect(response.errors).toBeUndefined();
    const results = (response.data!.experience as { results: { variants: { goals: unknown[] }[] } }).results;
    return results.variants.flatMap((variant) => variant.goals) as { valueTotal: number | null }[];
  };
  const totals = (await read()).map((goal) => goal.valueTotal);
  expect(totals.every((total) => total !== null && Number.isFinite(total))).toBe(true);
  expect(totals.reduce((sum, total) => sum! + total!, 0)).toBe(0);
  // Rows as an older server could have written them: amounts near the largest double, on two days,
  // whose sum is beyond it.
  const $ = (n: number) => (app.database.config.engine === "postgres" ? `$${n}` : "?");
  await app.database.query(
    `UPDATE rollup_goals SET value_sum = 1.7e308, value_sum_of_squares = 1.7e308 WHERE experience_id = ${$(1)}`,
    [test.id],
  );
  await app.database.query(
    `INSERT INTO rollup_goals (experience_id, variant_id, goal_id, entry_day, event_day, converters, occurrences, value_sum, value_sum_of_squares)
     SELECT experience_id, variant_id, goal_id, entry_day - 1, event_day - 1, converters, occurrences, value_sum, value_sum_of_squares
       FROM rollup_goals WHERE experience_id = ${$(1)}`,
    [test.id],
  );
  // Every figure is a number or null: none is an error that would hide the others.
  const overflowed = (await read()) as Record<string, unknown>[];
  const figures = overflowed.flatMap((goal) =>
    Object.values(goal).filter((v) => typeof v !== "object" || v === null),
  );
  expect(figures.every((v) => v === null || (typeof v === "number" && Number.isFinite(v)))).toBe(true);
  expect(overflowed.map((goal) => goal.valueTotal)).toContain(null);
});
