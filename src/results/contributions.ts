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
 *   number: 0), and per user the total of those.
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

/** A user's counting, from all their events of the counted names (any order). */
export function countUser(
  test: TestCounting,
  assignment: { variantId: string; assignedAt: number },
  events: readonly CountedEvent[],
): UserCounting {
  const enteredAt = entryOf(test, assignment.assignedAt, events);
  const counting: UserCounting = { variantId: assignment.variantId, enteredAt, goals: new Map() };
  return enteredAt === null ? counting : addEvents(test, counting, events);
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
 * events, the events, the value, the conversion on the first such day, and how much the square of
 * their running value total grew that day. Nothing for a user not (yet) counted or a QA test user.
 */
export function contributionOf(
  user: UserCounting | null,
  into: RollupRows = emptyRows(),
  sign = 1,
): RollupRows {
  if (!user || user.enteredAt === null) return into;
  const entryDay = dayOf(user.enteredAt);
  addTo(into.users, `${user.variantId}|${entryDay}`, sign);
  for (const [goalId, days] of user.goals) {
    let total = 0;
    let converted = false;
    for (const day of [...days.keys()].sort((a, b) => a - b)) {
      const { occurrences, valueSum } = days.get(day)!;
      if (occurrences === 0) continue;
      const grown = (total + valueSum) ** 2 - total ** 2;
      total += valueSum;
      const key = `${user.variantId}|${goalId}|${entryDay}|${day}`;
      const cell = into.goals.get(key) ?? {
        converters: 0,
        occurrences: 0,
        valueSum: 0,
        valueSumOfSquares: 0,
      };
      into.goals.set(key, {
        converters: cell.converters + (converted ? 0 : sign),
        occurrences: cell.occurrences + sign * occurrences,
        valueSum: cell.valueSum + sign * valueSum,
        valueSumOfSquares: cell.valueSumOfSquares + sign * grown,
      });
      converted = true;
    }
  }
  return into;
}

/** What changes in the rollups when a user's counting goes from `before` to `after`. */
export function changeOf(before: UserCounting | null, after: UserCounting | null): RollupRows {
  return contributionOf(before, contributionOf(after), -1);
}

function addTo(map: Map<string, number>, key: string, amount: number): void {
  map.set(key, (map.get(key) ?? 0) + amount);
}
