import type { Properties } from "../shared/properties";

/**
 * What one user adds to a test's results, as rollup rows (rollup.entities.ts). Pure: the rollup
 * service loads a user's assignment, state and events, and writes the difference between what the
 * user added before and what they add now. The rules (RULES.md, "Results"):
 * - a user counts from their entry: the assignment, or with an exposure event the first exposure at
 *   or after it (and before the stop);
 * - a goal event counts when it is one of the goal's events, passes the goal's filters, and happens
 *   at or after the entry and before the stop; the user converts on the day of the first one;
 * - a goal's value is the sum of the value property over the counted events (absent or not a finite
 *   number: 0), and per user the total of those;
 * - CUPED's X (RULES.md "Analysis"): the user's same measure over the `preDays` days before their
 *   assignment (the goal's events and filters; the value total, or 1 if any such event), whatever
 *   their entry or the stop.
 */

export const DAY_MS = 86_400_000;

/** The UTC day number of an instant: days since 1970-01-01. */
export function dayOf(at: number): number {
  return Math.floor(at / DAY_MS);
}

export interface CountedGoal {
  id: string;
  events: ReadonlySet<string>;
  passes: (properties: Properties) => boolean;
  valueProperty: string | null;
}

/** What a test counts, and until when. */
export interface TestCounting {
  exposureEvent: string | null;
  /** Events at or after this do not count; null while the test runs. */
  stoppedAt: number | null;
  goals: CountedGoal[];
  /** Days before a user's assignment that make their pre-period measure (CUPED's X). */
  preDays: number;
}

export interface CountedEvent {
  name: string;
  at: number;
  properties: Properties;
}

export interface DayTotals {
  occurrences: number;
  valueSum: number;
}

/** A user's counted events of each goal, by day: the state new events are added to. */
export type GoalDays = Map<string, Map<number, DayTotals>>;

export interface UserCounting {
  variantId: string;
  /** Null: not counted (yet): no exposure since the assignment. */
  enteredAt: number | null;
  goals: GoalDays;
  /** Per goal, the user's events of its pre-period (only goals with any). */
  pre: Map<string, DayTotals>;
}

/** The event names that matter to a test's results. */
export function countedNames(test: TestCounting): Set<string> {
  const names = new Set<string>();
  if (test.exposureEvent) names.add(test.exposureEvent);
  for (const goal of test.goals) goal.events.forEach((name) => names.add(name));
  return names;
}

function beforeStop(test: TestCounting, at: number): boolean {
  return test.stoppedAt === null || at < test.stoppedAt;
}

/** When the user entered the results, from their assignment and their events (any order). */
export function entryOf(
  test: TestCounting,
  assignedAt: number,
  events: readonly CountedEvent[],
): number | null {
  if (!test.exposureEvent) return assignedAt;
  let first: number | null = null;
  for (const event of events) {
    if (event.name !== test.exposureEvent || event.at < assignedAt || !beforeStop(test, event.at)) continue;
    if (first === null || event.at < first) first = event.at;
  }
  return first;
}

/** When a user's pre-period starts: `preDays` before their assignment (it ends at the assignment). */
export function preStartOf(test: TestCounting, assignedAt: number): number {
  return assignedAt - test.preDays * DAY_MS;
}

/** A user's counting, from all their events of the counted names (any order). */
export function countUser(
  test: TestCounting,
  assignment: { variantId: string; assignedAt: number },
  events: readonly CountedEvent[],
): UserCounting {
  const enteredAt = entryOf(test, assignment.assignedAt, events);
  const counting: UserCounting = {
    variantId: assignment.variantId,
    enteredAt,
    goals: new Map(),
    pre: preOf(test, assignment.assignedAt, events),
  };
  return enteredAt === null ? counting : addEvents(test, counting, events);
}

/** Each goal's events in the user's pre-period, [assignment − preDays, assignment). */
function preOf(
  test: TestCounting,
  assignedAt: number,
  events: readonly CountedEvent[],
): Map<string, DayTotals> {
  const pre = new Map<string, DayTotals>();
  const from = preStartOf(test, assignedAt);
  for (const event of events) {
    if (event.at < from || event.at >= assignedAt) continue;
    for (const goal of test.goals) {
      if (!goal.events.has(event.name) || !goal.passes(event.properties)) continue;
      const totals = pre.get(goal.id) ?? { occurrences: 0, valueSum: 0 };
      pre.set(goal.id, {
        occurrences: totals.occurrences + 1,
        valueSum: totals.valueSum + valueOf(goal, event.properties),
      });
    }
  }
  return pre;
}

/** Whether new events fall in the user's pre-period: their X changes, and they are counted again from their events. */
export function touchesPrePeriod(
  test: TestCounting,
  assignedAt: number,
  events: readonly CountedEvent[],
): boolean {
  const from = preStartOf(test, assignedAt);
  return events.some((event) => event.at >= from && event.at < assignedAt);
}

/**
 * Whether new events move the user's entry (a first exposure, or one earlier than the known one):
 * events between the old and the new entry then count too, and the user is counted again from all
 * their events instead of adding the new ones.
 */
export function movesEntry(
  test: TestCounting,
  user: UserCounting,
  assignedAt: number,
  events: readonly CountedEvent[],
): boolean {
  const entry = entryOf(test, assignedAt, events);
  return entry !== null && (user.enteredAt === null || entry < user.enteredAt);
}

/** The user's counting with new events added (the entry stays: see movesEntry). */
export function addEvents(
  test: TestCounting,
  user: UserCounting,
  events: readonly CountedEvent[],
): UserCounting {
  const goals: GoalDays = new Map([...user.goals].map(([id, days]) => [id, new Map(days)]));
  const enteredAt = user.enteredAt;
  if (enteredAt === null) return { ...user, goals };
  for (const event of events) {
    if (event.at < enteredAt || !beforeStop(test, event.at)) continue;
    for (const goal of test.goals) {
      if (!goal.events.has(event.name) || !goal.passes(event.properties)) continue;
      const days = goals.get(goal.id) ?? new Map<number, DayTotals>();
      const day = dayOf(event.at);
      const totals = days.get(day) ?? { occurrences: 0, valueSum: 0 };
      days.set(day, {
        occurrences: totals.occurrences + 1,
        valueSum: totals.valueSum + valueOf(goal, event.properties),
      });
      goals.set(goal.id, days);
    }
  }
  return { ...user, goals };
}

function valueOf(goal: CountedGoal, properties: Properties): number {
  if (goal.valueProperty === null) return 0;
  const value = properties.get(goal.valueProperty);
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

export interface GoalCell {
  converters: number;
  occurrences: number;
  valueSum: number;
  valueSumOfSquares: number;
  /** CUPED: Σ X of the users entering (on their entry day), Σ X², and Σ X·ΔY of the day's growth of Y. */
  xSum: number;
  xSumOfSquares: number;
  xySum: number;
}

export const ZERO_CELL: GoalCell = {
  converters: 0,
  occurrences: 0,
  valueSum: 0,
  valueSumOfSquares: 0,
  xSum: 0,
  xSumOfSquares: 0,
  xySum: 0,
};

/** The sum of two cells, field by field. */
export function addCells(a: GoalCell, b: GoalCell): GoalCell {
  return {
    converters: a.converters + b.converters,
    occurrences: a.occurrences + b.occurrences,
    valueSum: a.valueSum + b.valueSum,
    valueSumOfSquares: a.valueSumOfSquares + b.valueSumOfSquares,
    xSum: a.xSum + b.xSum,
    xSumOfSquares: a.xSumOfSquares + b.xSumOfSquares,
    xySum: a.xySum + b.xySum,
  };
}

/** A user's pre-period measure X on a goal: the value total with a value property, else 1 if any event. */
function preMeasure(goal: CountedGoal, pre: DayTotals | undefined): number {
  if (!pre) return 0;
  return goal.valueProperty === null ? (pre.occurrences > 0 ? 1 : 0) : pre.valueSum;
}

/** Rollup rows, keyed: users by "variant|entryDay", goals by "variant|goal|entryDay|eventDay". */
export interface RollupRows {
  users: Map<string, number>;
  goals: Map<string, GoalCell>;
}

export function emptyRows(): RollupRows {
  return { users: new Map(), goals: new Map() };
}

/**
 * What a user adds to the rollups: one user on their entry day and, per goal and day with counted
 * events, the events, the value, the conversion on the first such day, how much the square of their
 * running value total grew that day, and X times the growth of their measure Y that day (the value,
 * or 1 on the day they converted); and per goal, their X and X² on their entry day. Nothing for a
 * user not (yet) counted or a QA test user.
 */
export function contributionOf(
  test: TestCounting,
  user: UserCounting | null,
  into: RollupRows = emptyRows(),
  sign = 1,
): RollupRows {
  if (!user || user.enteredAt === null) return into;
  const entryDay = dayOf(user.enteredAt);
  addTo(into.users, `${user.variantId}|${entryDay}`, sign);
  const add = (goalId: string, day: number, cell: Partial<GoalCell>) => {
    const key = `${user.variantId}|${goalId}|${entryDay}|${day}`;
    const scaled = Object.fromEntries(Object.entries(cell).map(([field, value]) => [field, sign * value]));
    into.goals.set(key, addCells(into.goals.get(key) ?? ZERO_CELL, { ...ZERO_CELL, ...scaled }));
  };
  for (const goal of test.goals) {
    const x = preMeasure(goal, user.pre.get(goal.id));
    if (x !== 0) add(goal.id, entryDay, { xSum: x, xSumOfSquares: x * x });
    const days = user.goals.get(goal.id);
    if (!days) continue;
    let total = 0;
    let converted = false;
    for (const day of [...days.keys()].sort((a, b) => a - b)) {
      const { occurrences, valueSum } = days.get(day)!;
      if (occurrences === 0) continue;
      const grown = (total + valueSum) ** 2 - total ** 2;
      total += valueSum;
      const measureGrowth = goal.valueProperty === null ? (converted ? 0 : 1) : valueSum;
      add(goal.id, day, {
        converters: converted ? 0 : 1,
        occurrences,
        valueSum,
        valueSumOfSquares: grown,
        xySum: x * measureGrowth,
      });
      converted = true;
    }
  }
  return into;
}

/** What changes in the rollups when a user's counting goes from `before` to `after`. */
export function changeOf(
  test: TestCounting,
  before: UserCounting | null,
  after: UserCounting | null,
): RollupRows {
  return contributionOf(test, before, contributionOf(test, after), -1);
}

function addTo(map: Map<string, number>, key: string, amount: number): void {
  map.set(key, (map.get(key) ?? 0) + amount);
}
