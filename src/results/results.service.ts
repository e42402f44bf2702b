import type { Database } from "../db/database";
import { sql } from "../db/sql";
import type { ExperienceReadModel } from "../experiences/experience-read-model";
import type { Experience } from "../experiences/experience.entity";
import type { Variant } from "../experiences/variant.entity";
import type { Goal } from "../goals/goal.entity";
import type { Clock } from "../shared/clock";
import { InvalidArgument } from "../shared/invalid-argument";
import { DAY_MS, dayOf } from "./contributions";
import type { ResultRollups } from "./rollups";
import type { ABTestResults, GoalResult, VariantResult } from "./results.types";
import {
  chanceToBeatControl,
  sampleRatioMismatchPValue,
  twoProportionPValue,
  welchPValue,
  type Arm,
  type ValueArm,
} from "./statistics";

/** `results(from, to)`: whole UTC days, as the rollups keep them; null: from the start, or up to now. */
export interface ResultsWindow {
  from?: Date | null;
  to?: Date | null;
}

/** A variant's sums on one goal. */
interface GoalSums {
  converters: number;
  occurrences: number;
  valueSum: number;
  valueSumOfSquares: number;
}

/** What the rollups hold for a window, by day: users by entry day, goal sums by event day. */
interface DaySums {
  users: Map<string, Map<number, number>>;
  goals: Map<string, Map<number, GoalSums>>;
}

/**
 * `ABTest.results`: read from the rollups (rollups.ts), so a read costs the same whatever the events
 * table holds: two statements summing at most days × variants × goals rows, then the statistics.
 */
export class ResultsService {
  constructor(
    private readonly db: Database,
    private readonly experiences: ExperienceReadModel,
    private readonly rollups: ResultRollups,
    private readonly clock: Clock,
  ) {}

  async resultsOf(test: Experience, window: ResultsWindow = {}): Promise<ABTestResults> {
    const fromDay = windowDay("from", window.from);
    const toDay = windowDay("to", window.to);
    if (fromDay !== null && toDay !== null && toDay <= fromDay)
      throw new InvalidArgument("to", "must be after from");
    await this.rollups.ensureBuilt(test.projectId, test.id);
    const [variants, links, sums] = await Promise.all([
      this.experiences.variantsOf(test.projectId, [test.id]),
      this.experiences.goalsOf(test.projectId, [test.id]),
      this.sumsOf(test.id, fromDay, toDay),
    ]);
    const goals = links.map((link) => link.goal);
    const figures = (throughDay: number) => variantResults(variants, goals, sums, throughDay);
    const all = figures(Number.MAX_SAFE_INTEGER);
    return {
      variants: all,
      sampleRatioMismatchPValue: sampleRatioMismatchPValue(
        all.map((result) => result.users),
        variants.map((variant) => variant.weight),
      ),
      series: { days: daysOf(test, fromDay, toDay, this.clock.now()), figures },
    };
  }

  /**
   * The window's sums by day: users who entered in it, and their counted events before its end
   * (every counted event is at or after its user's entry, so the entry bounds the start).
   */
  private async sumsOf(testId: string, fromDay: number | null, toDay: number | null): Promise<DaySums> {
    const parameters = { testId, fromDay, toDay };
    const entered = `${fromDay === null ? "" : " AND entry_day >= :fromDay"}${toDay === null ? "" : " AND entry_day < :toDay"}`;
    const [users, goals] = await Promise.all([
      sql<{ variant_id: string; day: number | string; users: number | string }>(
        this.db.reader,
        `SELECT variant_id, entry_day AS day, SUM(users) AS users FROM rollup_users
          WHERE experience_id = :testId${entered} GROUP BY variant_id, entry_day`,
        parameters,
      ),
      sql<{
        variant_id: string;
        goal_id: string;
        day: number | string;
        converters: number | string;
        occurrences: number | string;
        value_sum: number | string;
        value_sum_of_squares: number | string;
      }>(
        this.db.reader,
        `SELECT variant_id, goal_id, event_day AS day, SUM(converters) AS converters, SUM(occurrences) AS occurrences,
                SUM(value_sum) AS value_sum, SUM(value_sum_of_squares) AS value_sum_of_squares
           FROM rollup_goals WHERE experience_id = :testId${entered}${toDay === null ? "" : " AND event_day < :toDay"}
          GROUP BY variant_id, goal_id, event_day`,
        parameters,
      ),
    ]);
    const sums: DaySums = { users: new Map(), goals: new Map() };
    for (const row of users) {
      const days = sums.users.get(row.variant_id) ?? new Map<number, number>();
      days.set(Number(row.day), Number(row.users));
      sums.users.set(row.variant_id, days);
    }
    for (const row of goals) {
      const key = `${row.variant_id}|${row.goal_id}`;
      const days = sums.goals.get(key) ?? new Map<number, GoalSums>();
      days.set(Number(row.day), {
        converters: Number(row.converters),
        occurrences: Number(row.occurrences),
        valueSum: Number(row.value_sum),
        valueSumOfSquares: Number(row.value_sum_of_squares),
      });
      sums.goals.set(key, days);
    }
    return sums;
  }
}

/** A window bound as a UTC day number; anything but a UTC midnight is refused, naming the argument. */
function windowDay(argument: string, at: Date | null | undefined): number | null {
  if (at === null || at === undefined) return null;
  if (at.getTime() % DAY_MS !== 0)
    throw new InvalidArgument(
      argument,
      "must be a UTC midnight (results are kept per UTC day), e.g. 2026-11-01T00:00:00Z",
    );
  return dayOf(at.getTime());
}

/** The UTC days `daily` shows: from the test's first day (or the window's) to its last so far (or the window's). */
function daysOf(test: Experience, fromDay: number | null, toDay: number | null, now: number): number[] {
  if (!test.startedAt) return [];
  const first = Math.max(dayOf(test.startedAt.getTime()), fromDay ?? -Infinity);
  const last = Math.min(dayOf(test.stoppedAt?.getTime() ?? now), toDay === null ? Infinity : toDay - 1);
  const days: number[] = [];
  for (let day = first; day <= last; day++) days.push(day);
  return days;
}

/** Every variant's figures cumulated through a day, with the statistics against the control. */
function variantResults(
  variants: Variant[],
  goals: Goal[],
  sums: DaySums,
  throughDay: number,
): VariantResult[] {
  const usersOf = (variant: Variant) => total(sums.users.get(variant.id), throughDay, (n) => n, 0, add);
  const goalOf = (variant: Variant, goal: Goal) =>
    total(sums.goals.get(`${variant.id}|${goal.id}`), throughDay, (cell) => cell, ZERO, addCells);
  const control = variants.find((variant) => variant.isControl)!;
  const controlUsers = usersOf(control);
  return variants.map((variant) => {
    const users = usersOf(variant);
    return {
      variant,
      users,
      goals: goals.map((goal) =>
        goalResult(
          goal,
          { users: controlUsers, ...goalOf(control, goal) },
          { users, ...goalOf(variant, goal) },
          variant === control,
        ),
      ),
    };
  });
}

const ZERO: GoalSums = { converters: 0, occurrences: 0, valueSum: 0, valueSumOfSquares: 0 };

function add(a: number, b: number): number {
  return a + b;
}

function addCells(a: GoalSums, b: GoalSums): GoalSums {
  return {
    converters: a.converters + b.converters,
    occurrences: a.occurrences + b.occurrences,
    valueSum: a.valueSum + b.valueSum,
    valueSumOfSquares: a.valueSumOfSquares + b.valueSumOfSquares,
  };
}

/** The sum of a series' entries up to a day. */
function total<T, R>(
  days: Map<number, T> | undefined,
  throughDay: number,
  value: (entry: T) => R,
  zero: R,
  plus: (a: R, b: R) => R,
): R {
  let sum = zero;
  for (const [day, entry] of days ?? []) if (day <= throughDay) sum = plus(sum, value(entry));
  return sum;
}

type Figures = GoalSums & { users: number };

function rate(arm: Arm): number {
  return arm.users === 0 ? 0 : arm.conversions / arm.users;
}

function goalResult(goal: Goal, control: Figures, variant: Figures, isControl: boolean): GoalResult {
  const arm = (figures: Figures): Arm => ({ users: figures.users, conversions: figures.converters });
  const values = (figures: Figures): ValueArm => ({
    users: figures.users,
    sum: figures.valueSum,
    sumOfSquares: figures.valueSumOfSquares,
  });
  const comparable = !isControl && control.users > 0 && variant.users > 0;
  const perUser = (figures: Figures) => (figures.users === 0 ? null : figures.valueSum / figures.users);
  const hasValue = goal.valueProperty !== null;
  const controlPerUser = perUser(control);
  const variantPerUser = perUser(variant);
  return {
    goal,
    conversions: variant.converters,
    conversionRate: rate(arm(variant)),
    uplift:
      comparable && rate(arm(control)) > 0
        ? (rate(arm(variant)) - rate(arm(control))) / rate(arm(control))
        : null,
    pValue: comparable ? twoProportionPValue(arm(control), arm(variant)) : null,
    chanceToBeatControl: comparable ? chanceToBeatControl(arm(control), arm(variant)) : null,
    occurrences: variant.occurrences,
    valueTotal: hasValue ? finiteOrNull(variant.valueSum) : null,
    valuePerUser: hasValue ? finiteOrNull(variantPerUser) : null,
    valueUplift:
      hasValue && comparable && controlPerUser !== null && controlPerUser !== 0 && variantPerUser !== null
        ? finiteOrNull((variantPerUser - controlPerUser) / Math.abs(controlPerUser))
        : null,
    valuePValue: hasValue && comparable ? finiteOrNull(welchPValue(values(control), values(variant))) : null,
  };
}

/**
 * A figure as the API can send it: GraphQL's Float has no infinity or NaN, and an error would hide
 * every other figure. Sums from before values were bounded (tracking-rules.ts) could overflow.
 */
function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
