import {
  AbTestResultsDocument,
  CreateGoalDocument,
  EvaluateDocument,
  SetTestUsersDocument,
  StopExperienceDocument,
  TrackEventsDocument,
  UpdateAbTestDocument,
  type AbTestResultsQuery,
  type CreateGoalInput,
  type EventInput,
} from "../../client/generated/graphql";
import { TestClock, DAY } from "../helpers/clock";
import { fixtures } from "../helpers/fixtures";
import {
  referenceChanceToBeatControl,
  referenceTwoProportionPValue,
  referenceWelchPValue,
} from "../helpers/reference-statistics";
import { startTestApp, type TestApp } from "../helpers/servers";

/*
 * The results rollups against a hand count. A seeded random week of a product: users arrive and are
 * placed, events come late, early (before the assignment), dated ahead of the server's clock, twice
 * under one id (the first stored wins), after the stop; QA users are pinned and unpinned; a goal is
 * added while the test runs (the rollups are rebuilt). After every simulated day the API's results
 * (all time, a window of days, and the daily series) must equal a count over what was sent, made
 * here from the rules alone.
 */

const START = Date.UTC(2026, 10, 2, 9, 0, 0);
const HOUR = 3_600_000;

let app: TestApp;
const clock = new TestClock(START);
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

/** A small seeded generator (mulberry32): the same data on every run and both engines. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
  };
}

interface SentEvent {
  userId: string;
  name: string;
  at: number;
  properties: Record<string, unknown>;
}

/** A goal as the hand count applies it: written here from RULES.md, not from the server's code. */
interface HandGoal {
  id: string;
  events: string[];
  passes: (properties: Record<string, unknown>) => boolean;
  value: ((properties: Record<string, unknown>) => number) | null;
}

interface HandTest {
  id: string;
  variants: { id: string; name: string; isControl: boolean }[];
  exposureEvent: string | null;
  goals: HandGoal[];
  stoppedAt: number | null;
  assigned: Map<string, { variant: string; at: number }>;
  pinned: Set<string>;
}

const dayOf = (at: number) => Math.floor(at / DAY);
const amountOf = (properties: Record<string, unknown>) =>
  typeof properties.amount === "number" && Number.isFinite(properties.amount) ? properties.amount : 0;

interface HandFigures {
  users: number;
  goals: { conversions: number; occurrences: number; valueTotal: number; totals: number[] }[];
}

/** The hand count: users who entered in [fromDay, toDay) by `throughDay`, and their counted events before both ends. */
function handCount(
  test: HandTest,
  events: SentEvent[],
  window: { fromDay: number | null; toDay: number | null },
  throughDay = Infinity,
): Map<string, HandFigures> {
  const figures = new Map<string, HandFigures>(
    test.variants.map((v) => [
      v.name,
      {
        users: 0,
        goals: test.goals.map(() => ({ conversions: 0, occurrences: 0, valueTotal: 0, totals: [] })),
      },
    ]),
  );
  const stop = test.stoppedAt ?? Infinity;
  const eventsOf = new Map<string, SentEvent[]>();
  for (const event of events) eventsOf.set(event.userId, [...(eventsOf.get(event.userId) ?? []), event]);
  for (const [userId, { variant, at: assignedAt }] of test.assigned) {
    if (test.pinned.has(userId)) continue;
    const mine = eventsOf.get(userId) ?? [];
    let entry: number | null = assignedAt;
    if (test.exposureEvent) {
      const exposures = mine
        .filter((e) => e.name === test.exposureEvent && e.at >= assignedAt && e.at < stop)
        .map((e) => e.at);
      entry = exposures.length ? Math.min(...exposures) : null;
    }
    if (entry === null) continue;
    const entryDay = dayOf(entry);
    if (window.fromDay !== null && entryDay < window.fromDay) continue;
    if (window.toDay !== null && entryDay >= window.toDay) continue;
    if (entryDay > throughDay) continue;
    const figure = figures.get(variant)!;
    figure.users++;
    test.goals.forEach((goal, index) => {
      const counted = mine.filter(
        (e) =>
          goal.events.includes(e.name) &&
          goal.passes(e.properties) &&
          e.at >= entry &&
          e.at < stop &&
          dayOf(e.at) <= throughDay &&
          (window.toDay === null || dayOf(e.at) < window.toDay),
      );
      const total = counted.reduce((sum, e) => sum + (goal.value ? goal.value(e.properties) : 0), 0);
      const cell = figure.goals[index];
      if (counted.length) cell.conversions++;
      cell.occurrences += counted.length;
      cell.valueTotal += total;
      cell.totals.push(total);
    });
  }
  return figures;
}

type Served = NonNullable<
  Extract<NonNullable<AbTestResultsQuery["experience"]>, { __typename: "ABTest" }>["results"]
>["variants"];

/** The API's figures must equal the hand count: counts exactly, values to rounding. */
function expectSame(served: Served, hand: Map<string, HandFigures>, test: HandTest, where: string) {
  for (const result of served) {
    const expected = hand.get(result.variant.name)!;
    expect({ where, variant: result.variant.name, users: result.users }).toEqual({
      where,
      variant: result.variant.name,
      users: expected.users,
    });
    result.goals.forEach((goalResult, index) => {
      const cell = expected.goals[index];
      const label = { where, variant: result.variant.name, goal: goalResult.goal.name };
      expect({ ...label, conversions: goalResult.conversions, occurrences: goalResult.occurrences }).toEqual({
        ...label,
        conversions: cell.conversions,
        occurrences: cell.occurrences,
      });
      if (test.goals[index].value) {
        expect(goalResult.valueTotal).toBeCloseTo(cell.valueTotal, 6);
        if (expected.users) expect(goalResult.valuePerUser).toBeCloseTo(cell.valueTotal / expected.users, 6);
      } else {
        expect(goalResult.valueTotal).toBeNull();
      }
    });
  }
}

test("the rollups equal a hand count over a random week: late, early, future-dated and duplicate events, exposure, QA users, a stop, a goal added", async () => {
  const rng = random(20261128);
  const token = await app.newProject();
  const make = fixtures(app, token);
  const goal = async (input: CreateGoalInput) =>
    (await app.query(CreateGoalDocument, { input }, token)).createGoal.goal!.id;
  const purchase: HandGoal = {
    id: await goal({
      name: "Big USD purchase",
      events: ["Charged", "Purchase Completed"],
      where: [
        { property: "amount", operator: "GREATER_THAN", values: [50] },
        { property: "currency", operator: "EQUALS", values: ["usd"] },
      ],
      valueProperty: "amount",
    }),
    events: ["Charged", "Purchase Completed"],
    passes: (p) =>
      typeof p.amount === "number" &&
      p.amount > 50 &&
      typeof p.currency === "string" &&
      p.currency.toLowerCase() === "usd",
    value: amountOf,
  };
  const signup: HandGoal = {
    id: await goal({ name: "Signup", events: ["Signed Up"] }),
    events: ["Signed Up"],
    passes: () => true,
    value: null,
  };
  const revenue: HandGoal = {
    id: await goal({ name: "Revenue", events: ["Charged"], valueProperty: "amount" }),
    events: ["Charged"],
    passes: () => true,
    value: amountOf,
  };
  const refund: HandGoal = {
    id: await goal({ name: "Refund", events: ["Refunded"] }),
    events: ["Refunded"],
    passes: () => true,
    value: null,
  };

  const created = async (
    input: Parameters<typeof make.abTest>[0],
    exposureEvent: string | null,
    goals: HandGoal[],
  ) => {
    const experience = (await make.abTest({ ...input, exposureEvent })) as unknown as HandTest & {
      variants: HandTest["variants"];
    };
    return {
      id: experience.id,
      variants: experience.variants.map(({ id, name, isControl }) => ({ id, name, isControl })),
      exposureEvent,
      goals,
      stoppedAt: null,
      assigned: new Map(),
      pinned: new Set<string>(),
    } as HandTest;
  };
  const exposed = await created(
    {
      goalIds: [purchase.id, signup.id, revenue.id],
      variants: [
        { name: "control", weight: 40, isControl: true },
        { name: "b", weight: 30 },
        { name: "c", weight: 30 },
      ],
    },
    "Checkout Viewed",
    [purchase, signup, revenue],
  );
  const plain = await created({ goalIds: [revenue.id, signup.id], trafficPercentage: 60 }, null, [
    revenue,
    signup,
  ]);
  const tests = [exposed, plain];
  for (const test of tests) await make.start(test.id);

  const sent: SentEvent[] = [];
  const cases = { future: 0, retried: 0, beforeAssignment: 0, afterStop: 0 };
  const knownIds = new Map<string, SentEvent>();
  const users = Array.from({ length: 160 }, (_, i) => `week-${i}`);
  const arrived: string[] = [];
  let nextEventId = 0;
  const NAMES = ["Charged", "Purchase Completed", "Signed Up", "Checkout Viewed", "Refunded", "Other"];

  const evaluate = async (userId: string) => {
    const { evaluate: answer } = await app.query(EvaluateDocument, { user: { id: userId } }, token);
    for (const assignment of answer.assignments) {
      const test = tests.find((t) => t.id === assignment.abTestId)!;
      if (!test.assigned.has(userId))
        test.assigned.set(userId, { variant: assignment.variant, at: clock.now() });
    }
  };
  const randomEvent = (userId: string): { input: EventInput; event: SentEvent } => {
    const roll = rng.next();
    // Mostly recent; some late by up to 3 days (often before the assignment); some dated ahead.
    const at =
      roll < 0.6
        ? clock.now() - rng.int(2 * HOUR)
        : roll < 0.85
          ? clock.now() - rng.int(3 * DAY)
          : clock.now() + 1 + rng.int(20 * HOUR);
    const properties: Record<string, unknown> = {};
    const amount = rng.next();
    if (amount < 0.8) properties.amount = Math.round(rng.next() * 15000) / 100;
    else if (amount < 0.9) properties.amount = "n/a";
    properties.currency = rng.pick(["USD", "usd", "EUR"]);
    const event = { userId, name: rng.pick(NAMES), at, properties };
    const input: EventInput = { userId, name: event.name, timestamp: new Date(at).toISOString(), properties };
    const idRoll = rng.next();
    if (idRoll < 0.1 && knownIds.size) {
      // A retry under a known id, even with other content: the first stored one stands.
      return { input: { ...input, id: rng.pick([...knownIds.keys()]) }, event: null as unknown as SentEvent };
    }
    if (idRoll < 0.4) {
      const id = `evt-${nextEventId++}`;
      knownIds.set(id, event);
      return { input: { ...input, id }, event };
    }
    return { input, event };
  };
  const sendEvents = async (count: number, pool: string[]) => {
    const batch = Array.from({ length: count }, () => randomEvent(rng.pick(pool)));
    const { trackEvents } = await app.query(
      TrackEventsDocument,
      { events: batch.map((b) => b.input) },
      token,
    );
    expect(trackEvents.userErrors).toEqual([]);
    for (const { event } of batch) {
      if (!event) {
        cases.retried++;
        continue;
      }
      sent.push(event);
      if (event.at > clock.now()) cases.future++;
      const assignedAt = exposed.assigned.get(event.userId)?.at;
      if (assignedAt !== undefined && event.at < assignedAt) cases.beforeAssignment++;
      if (plain.stoppedAt !== null && plain.assigned.has(event.userId)) cases.afterStop++;
    }
  };
  const served = async (test: HandTest, variables: { from?: string; to?: string; daily?: boolean } = {}) => {
    const { experience } = await app.query(AbTestResultsDocument, { id: test.id, ...variables }, token);
    if (experience?.__typename !== "ABTest") throw new Error("not a test");
    return experience.results;
  };
  const check = async (label: string) => {
    const today = dayOf(clock.now());
    const firstDay = dayOf(START);
    for (const test of tests) {
      const all = await served(test, { daily: true });
      expectSame(all.variants, handCount(test, sent, { fromDay: null, toDay: null }), test, `${label} all`);
      for (const day of all.daily ?? []) {
        const through = dayOf(Date.parse(`${day.date}T00:00:00Z`));
        expectSame(
          day.variants,
          handCount(test, sent, { fromDay: null, toDay: null }, through),
          test,
          `${label} daily ${day.date}`,
        );
      }
      const lastDay = dayOf(test.stoppedAt ?? clock.now());
      expect((all.daily ?? []).map((d) => d.date)).toEqual(
        Array.from({ length: lastDay - firstDay + 1 }, (_, i) =>
          new Date((firstDay + i) * DAY).toISOString().slice(0, 10),
        ),
      );
      if (today > firstDay) {
        const window = { fromDay: firstDay + 1, toDay: today + 1 };
        const windowed = await served(test, {
          from: new Date(window.fromDay * DAY).toISOString(),
          to: new Date(window.toDay * DAY).toISOString(),
        });
        expectSame(windowed.variants, handCount(test, sent, window), test, `${label} window`);
      }
    }
  };

  for (let day = 0; day < 5; day++) {
    for (let step = 0; step < 4; step++) {
      clock.advance(2 * HOUR + rng.int(5 * HOUR));
      // Some users send events before their first evaluation: early, and sometimes dated ahead.
      const newcomers = users.slice(arrived.length, arrived.length + 10);
      await sendEvents(15, newcomers.length ? newcomers : users);
      // Together: on SQLite their placements are written as one batch (group commit).
      arrived.push(...newcomers);
      await Promise.all(newcomers.map(evaluate));
      await sendEvents(60, arrived);
    }
    if (day === 1) {
      // Pin three users who are in the exposed test (they leave its figures), then let one go.
      const inTest = [...exposed.assigned.keys()].slice(0, 3);
      const pin = async (userIds: string[]) => {
        const { setTestUsers } = await app.query(
          SetTestUsersDocument,
          { id: exposed.id, users: userIds.map((userId) => ({ userId, variantId: exposed.variants[1].id })) },
          token,
        );
        expect(setTestUsers.userErrors).toEqual([]);
        exposed.pinned = new Set(userIds);
      };
      await pin(inTest);
      await check("after pinning");
      await pin(inTest.slice(1));
    }
    if (day === 2) {
      // A goal added while the test runs: the rollups are rebuilt from the raw rows at the next read.
      const { updateABTest } = await app.query(
        UpdateAbTestDocument,
        { input: { id: plain.id, goalIds: [revenue.id, signup.id, refund.id] } },
        token,
      );
      expect(updateABTest.userErrors).toEqual([]);
      plain.goals = [revenue, signup, refund];
    }
    if (day === 3) {
      const { stopExperience } = await app.query(StopExperienceDocument, { id: plain.id }, token);
      expect(stopExperience.userErrors).toEqual([]);
      plain.stoppedAt = clock.now();
    }
    await check(`day ${day}`);
  }

  // The statistics of the final figures, against the independent references.
  const final = await served(exposed);
  const hand = handCount(exposed, sent, { fromDay: null, toDay: null });
  const control = hand.get("control")!;
  for (const result of final.variants.filter((v) => !v.variant.isControl)) {
    const mine = hand.get(result.variant.name)!;
    result.goals.forEach((goalResult, index) => {
      const c = { users: control.users, conversions: control.goals[index].conversions };
      const v = { users: mine.users, conversions: mine.goals[index].conversions };
      if (c.conversions > 0 && v.conversions > 0) {
        expect(goalResult.pValue).toBeCloseTo(referenceTwoProportionPValue(c, v), 5);
        expect(goalResult.chanceToBeatControl).toBeCloseTo(referenceChanceToBeatControl(c, v), 3);
      }
      if (exposed.goals[index].value) {
        expect(goalResult.valuePValue).toBeCloseTo(
          referenceWelchPValue(control.goals[index].totals, mine.goals[index].totals),
          5,
        );
      }
    });
  }
  // Every kind of case really happened, more than a few times each.
  expect(cases.future).toBeGreaterThan(5);
  expect(cases.retried).toBeGreaterThan(5);
  expect(cases.beforeAssignment).toBeGreaterThan(5);
  expect(cases.afterStop).toBeGreaterThan(5);
  expect(dayOf(clock.now()) - dayOf(START)).toBeGreaterThanOrEqual(3);
  expect(exposed.assigned.size).toBeGreaterThan(100);
  expect(plain.assigned.size).toBeGreaterThan(50);
});

describe("edges the random week does not reach", () => {
  async function runningTest(token: string, goalNames: string[]) {
    const make = fixtures(app, token);
    const goalIds = [];
    for (const name of goalNames)
      goalIds.push(
        (await app.query(CreateGoalDocument, { input: { name, events: [name] } }, token)).createGoal.goal!.id,
      );
    const test = await make.abTest({ goalIds });
    await make.start(test.id);
    return { test, goalIds };
  }
  const totals = async (testId: string, token: string) => {
    const { experience } = await app.query(AbTestResultsDocument, { id: testId }, token);
    if (experience?.__typename !== "ABTest") throw new Error("not a test");
    const variants = experience.results.variants;
    return {
      users: variants.reduce((sum, v) => sum + v.users, 0),
      conversions: variants[0].goals.map((_, g) =>
        variants.reduce((sum, v) => sum + v.goals[g].conversions, 0),
      ),
    };
  };

  test("an event in the very millisecond of its user's placement counts, whichever arrives first; one a millisecond before does not", async () => {
    const token = await app.newProject();
    const { test } = await runningTest(token, ["Buy"]);
    const track = (userId: string, at: number) =>
      app.query(
        TrackEventsDocument,
        { events: [{ userId, name: "Buy", timestamp: new Date(at).toISOString() }] },
        token,
      );
    const place = (userId: string) => app.query(EvaluateDocument, { user: { id: userId } }, token);
    // Placed first, then the event dated at the placement's millisecond (and one a millisecond before).
    await place("placed-first");
    await place("placed-first-early");
    await track("placed-first", clock.now());
    await track("placed-first-early", clock.now() - 1);
    // The event first, dated ahead; the placement then comes at that very millisecond.
    const at = clock.now() + 60_000;
    await track("event-first", at);
    await track("event-first-early", at - 1);
    clock.advance(60_000);
    await place("event-first");
    await place("event-first-early");
    expect(await totals(test.id, token)).toEqual({ users: 4, conversions: [2] });
  });

  test("a rebuild counts every user: 450 converted users, recounted in chunks when a goal is added", async () => {
    const token = await app.newProject();
    const { test, goalIds } = await runningTest(token, ["Buy"]);
    const users = Array.from({ length: 450 }, (_, i) => `rebuilt-${i}`);
    await Promise.all(users.map((id) => app.query(EvaluateDocument, { user: { id } }, token)));
    clock.advance(1000);
    await app.query(TrackEventsDocument, { events: users.map((userId) => ({ userId, name: "Buy" })) }, token);
    expect(await totals(test.id, token)).toEqual({ users: 450, conversions: [450] });
    // A goal added while it runs: the rollups are rebuilt from the raw rows at the next read.
    const signUp = (
      await app.query(CreateGoalDocument, { input: { name: "SignUp", events: ["SignUp"] } }, token)
    ).createGoal.goal!.id;
    const { updateABTest } = await app.query(
      UpdateAbTestDocument,
      { input: { id: test.id, goalIds: [...goalIds, signUp] } },
      token,
    );
    expect(updateABTest.userErrors).toEqual([]);
    expect(await totals(test.id, token)).toEqual({ users: 450, conversions: [450, 0] });
  });
});
