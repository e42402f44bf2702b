import {
  changeOf,
  contributionOf,
  countUser,
  DAY_MS,
  movesEntry,
  addEvents,
  touchesPrePeriod,
  ZERO_CELL as ZERO,
  type CountedEvent,
  type TestCounting,
} from "../../src/results/contributions";
import { propertiesOf } from "../../src/shared/properties";

/*
 * The pure core of the results rollups: what one user adds to a test's figures. The API test
 * (test/api/results-rollups.test.ts) checks the whole against a hand count; these pin the rules.
 */

const T0 = Date.UTC(2026, 10, 2, 10, 0, 0);
const DAY0 = Math.floor(T0 / DAY_MS);
const event = (name: string, offsetMs: number, properties: Record<string, unknown> = {}): CountedEvent => ({
  name,
  at: T0 + offsetMs,
  properties: propertiesOf(properties),
});
const revenue = {
  id: "g-revenue",
  events: new Set(["Charged"]),
  passes: () => true,
  valueProperty: "amount",
};
const plain: TestCounting = { exposureEvent: null, stoppedAt: null, goals: [revenue], preDays: 14 };
const X0 = { xSum: 0, xSumOfSquares: 0, xySum: 0 };
const exposed: TestCounting = { ...plain, exposureEvent: "Seen" };
const assignment = { variantId: "v", assignedAt: T0 };

test("a user counts from the assignment; events before it, and at or after the stop, do not", () => {
  const stopped = { ...plain, stoppedAt: T0 + 2 * DAY_MS };
  const user = countUser(stopped, assignment, [
    event("Charged", -1, { amount: 5 }),
    event("Charged", 0, { amount: 7 }),
    event("Charged", DAY_MS, { amount: "n/a" }),
    event("Charged", 2 * DAY_MS, { amount: 100 }),
  ]);
  expect(user.enteredAt).toBe(T0);
  expect([...user.goals.get("g-revenue")!]).toEqual([
    [DAY0, { occurrences: 1, valueSum: 7 }],
    [DAY0 + 1, { occurrences: 1, valueSum: 0 }],
  ]);
});

test("with an exposure event a user counts from the first exposure after the assignment", () => {
  const events = [
    event("Seen", -5),
    event("Charged", 1, { amount: 3 }),
    event("Seen", DAY_MS),
    event("Charged", DAY_MS + 1, { amount: 4 }),
  ];
  const user = countUser(exposed, assignment, events);
  expect(user.enteredAt).toBe(T0 + DAY_MS);
  expect([...user.goals.get("g-revenue")!.values()]).toEqual([{ occurrences: 1, valueSum: 4 }]);
  // An exposure arriving late, dated before the known one, moves the entry: the user is counted again.
  expect(movesEntry(exposed, user, T0, [event("Seen", 10)])).toBe(true);
  expect(movesEntry(exposed, user, T0, [event("Seen", 2 * DAY_MS)])).toBe(false);
});

test("the rollup rows of a user: one user on the entry day; per day the events, the value, the conversion once, and the growth of the squared total", () => {
  const user = countUser(plain, assignment, [
    event("Charged", 0, { amount: 2 }),
    event("Charged", DAY_MS, { amount: 3 }),
    event("Charged", DAY_MS + 5, { amount: 5 }),
  ]);
  const rows = contributionOf(plain, user);
  expect([...rows.users]).toEqual([[`v|${DAY0}`, 1]]);
  expect([...rows.goals]).toEqual([
    [
      `v|g-revenue|${DAY0}|${DAY0}`,
      { converters: 1, occurrences: 1, valueSum: 2, valueSumOfSquares: 4, ...X0 },
    ],
    // The total goes from 2 to 10 that day: the squares grow by 100 − 4.
    [
      `v|g-revenue|${DAY0}|${DAY0 + 1}`,
      { converters: 0, occurrences: 2, valueSum: 8, valueSumOfSquares: 96, ...X0 },
    ],
  ]);
});

test("adding a late event changes the rows exactly as counting the user again from all events would", () => {
  const events = [event("Charged", DAY_MS, { amount: 3 }), event("Charged", 3 * DAY_MS, { amount: 4 })];
  const before = countUser(plain, assignment, events);
  const late = event("Charged", 0, { amount: 10 });
  const incremental = addEvents(plain, before, [late]);
  expect(incremental).toEqual(countUser(plain, assignment, [...events, late]));
  const change = changeOf(plain, before, incremental);
  // The conversion moves to the late event's day; the squares of every later day grow.
  expect(change.goals.get(`v|g-revenue|${DAY0}|${DAY0}`)).toEqual({
    converters: 1,
    occurrences: 1,
    valueSum: 10,
    valueSumOfSquares: 100,
    ...X0,
  });
  expect(change.goals.get(`v|g-revenue|${DAY0}|${DAY0 + 1}`)).toMatchObject({
    converters: -1,
    occurrences: 0,
  });
  expect(change.users.get(`v|${DAY0}`)).toBe(0);
});

test("a QA user (null) adds nothing; taking one out removes exactly what they added", () => {
  const user = countUser(plain, assignment, [event("Charged", 0, { amount: 2 })]);
  expect(contributionOf(plain, null)).toEqual({ users: new Map(), goals: new Map() });
  const removed = changeOf(plain, user, null);
  expect([...removed.users.values()]).toEqual([-1]);
  expect([...removed.goals.values()]).toEqual([
    { converters: -1, occurrences: -1, valueSum: -2, valueSumOfSquares: -4, ...X0 },
  ]);
});

describe("CUPED's pre-period measure X", () => {
  const signUp = { id: "g-signup", events: new Set(["Signed Up"]), passes: () => true, valueProperty: null };
  const both: TestCounting = { ...plain, goals: [revenue, signUp], preDays: 2 };

  test("X is the goal's measure over the preDays before the assignment: the value total, or 1 if any event", () => {
    const user = countUser(both, assignment, [
      event("Charged", -3 * DAY_MS, { amount: 50 }), // before the pre-period
      event("Charged", -2 * DAY_MS, { amount: 7 }), // its first millisecond
      event("Charged", -1, { amount: 5 }),
      event("Signed Up", -DAY_MS),
      event("Signed Up", -DAY_MS + 1),
      event("Charged", 0, { amount: 4 }), // the assignment: Y, not X
    ]);
    expect([...user.pre]).toEqual([
      ["g-revenue", { occurrences: 2, valueSum: 12 }],
      ["g-signup", { occurrences: 2, valueSum: 0 }],
    ]);
    const rows = contributionOf(both, user);
    // X on the entry day (12 and 1), and X times the growth of Y on each day Y grew.
    expect(rows.goals.get(`v|g-revenue|${DAY0}|${DAY0}`)).toEqual({
      converters: 1,
      occurrences: 1,
      valueSum: 4,
      valueSumOfSquares: 16,
      xSum: 12,
      xSumOfSquares: 144,
      xySum: 48,
    });
    expect(rows.goals.get(`v|g-signup|${DAY0}|${DAY0}`)).toEqual({ ...ZERO, xSum: 1, xSumOfSquares: 1 });
  });

  test("a late event in the pre-period moves X: the user is counted again, and the change is exactly the difference", () => {
    const events = [event("Charged", DAY_MS, { amount: 3 })];
    const before = countUser(both, assignment, events);
    const late = event("Signed Up", -5);
    expect(touchesPrePeriod(both, T0, [late])).toBe(true);
    expect(touchesPrePeriod(both, T0, [event("Charged", 5, { amount: 1 })])).toBe(false);
    const after = countUser(both, assignment, [...events, late]);
    const change = changeOf(both, before, after);
    expect([...change.goals].filter(([, cell]) => Object.values(cell).some((v) => v !== 0))).toEqual([
      [`v|g-signup|${DAY0}|${DAY0}`, { ...ZERO, xSum: 1, xSumOfSquares: 1 }],
    ]);
  });
});
