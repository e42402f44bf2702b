import type { Database } from "../db/database";
import { sql } from "../db/sql";
import type { ExperienceReadModel } from "../experiences/experience-read-model";
import type { Experience } from "../experiences/experience.entity";
import { ExperienceGuardrail } from "../experiences/experience-guardrail.entity";
import type { Variant } from "../experiences/variant.entity";
import type { Goal } from "../goals/goal.entity";
import type { Clock } from "../shared/clock";
import { InvalidArgument } from "../shared/invalid-argument";
import {
  adjustedPValues,
  cupedComparison,
  cupedFit,
  DEFAULT_ANALYSIS,
  differenceInterval,
  harmful,
  mean,
  sequentialInterval,
  type Analysis,
  type CupedFit,
  type Interval,
  type MeasureSums,
  type StoredBreach,
} from "./analysis";
import { addCells, DAY_MS, dayOf, ZERO_CELL, type GoalCell } from "./contributions";
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

/** What the rollups hold for a window, by day: users by entry day, goal sums by event day. */
interface DaySums {
  users: Map<string, Map<number, number>>;
  goals: Map<string, Map<number, GoalCell>>;
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
    const analysis = test.analysis ?? DEFAULT_ANALYSIS;
    const figures = (throughDay: number) => variantResults(variants, goals, analysis, sums, throughDay);
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
   * The first harm a guardrail shows (RULES.md "Guardrails"): for each guardrail goal in order and
   * each variant in order, the always-valid interval of variant − control over all time, at the
   * test's confidence and tuning (whether or not its results show that interval), wholly on the
   * goal's bad side. Null when none does.
   */
  async guardrailHarm(test: Experience): Promise<StoredBreach | null> {
    const guardrails = await this.experiences.goalsOf(test.projectId, [test.id], ExperienceGuardrail);
    if (guardrails.length === 0) return null;
    await this.rollups.ensureBuilt(test.projectId, test.id);
    const [variants, sums] = await Promise.all([
      this.experiences.variantsOf(test.projectId, [test.id]),
      this.sumsOf(test.id, null, null),
    ]);
    const analysis = test.analysis ?? DEFAULT_ANALYSIS;
    const control = variants.find((variant) => variant.isControl)!;
    const usersOf = (variant: Variant) => total(sums.users.get(variant.id), Infinity, (n) => n, 0, add);
    const measure = (variant: Variant, goal: Goal) =>
      measureOf(goal, {
        users: usersOf(variant),
        ...total(sums.goals.get(`${variant.id}|${goal.id}`), Infinity, (cell) => cell, ZERO_CELL, addCells),
      });
    for (const { goal } of guardrails) {
      for (const variant of variants) {
        if (variant === control) continue;
        const interval = finiteInterval(
          sequentialInterval(
            measure(control, goal),
            measure(variant, goal),
            analysis.confidenceLevel,
            analysis.sequentialTuning,
          ),
        );
        if (interval && harmful(interval, goal.higherIsBetter))
          return { goalId: goal.id, variantId: variant.id, at: this.clock.now(), interval };
      }
    }
    return null;
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
        x_sum: number | string;
        x_sum_of_squares: number | string;
        xy_sum: number | string;
      }>(
        this.db.reader,
        `SELECT variant_id, goal_id, event_day AS day, SUM(converters) AS converters, SUM(occurrences) AS occurrences,
                SUM(value_sum) AS value_sum, SUM(value_sum_of_squares) AS value_sum_of_squares,
                SUM(x_sum) AS x_sum, SUM(x_sum_of_squares) AS x_sum_of_squares, SUM(xy_sum) AS xy_sum
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
      const days = sums.goals.get(key) ?? new Map<number, GoalCell>();
      days.set(Number(row.day), {
        converters: Number(row.converters),
        occurrences: Number(row.occurrences),
        valueSum: Number(row.value_sum),
        valueSumOfSquares: Number(row.value_sum_of_squares),
        xSum: Number(row.x_sum),
        xSumOfSquares: Number(row.x_sum_of_squares),
        xySum: Number(row.xy_sum),
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
  analysis: Analysis,
  sums: DaySums,
  throughDay: number,
): VariantResult[] {
  const usersOf = (variant: Variant) => total(sums.users.get(variant.id), throughDay, (n) => n, 0, add);
  const cellOf = (variant: Variant, goal: Goal) =>
    total(sums.goals.get(`${variant.id}|${goal.id}`), throughDay, (cell) => cell, ZERO_CELL, addCells);
  const control = variants.find((variant) => variant.isControl)!;
  const users = new Map(variants.map((variant) => [variant.id, usersOf(variant)]));
  const perGoal = goals.map((goal) => {
    const figures = variants.map((variant) => ({ users: users.get(variant.id)!, ...cellOf(variant, goal) }));
    const measures = figures.map((figure) => measureOf(goal, figure));
    return {
      goal,
      figures,
      measures,
      fit: analysis.cuped ? cupedFit(measures) : null,
    };
  });
  const controlIndex = variants.indexOf(control);
  const results = variants.map((variant, v) => ({
    variant,
    users: users.get(variant.id)!,
    goals: perGoal.map(({ goal, figures, measures, fit }) =>
      goalResult(
        goal,
        analysis,
        figures[controlIndex],
        figures[v],
        measures[controlIndex],
        measures[v],
        fit,
        v === controlIndex,
      ),
    ),
  }));
  // The correction runs over every (variant, goal) comparison of the test at once.
  const comparisons = results.flatMap((result) => result.goals);
  const adjusted = adjustedPValues(
    comparisons.map((goalResult) => goalResult.adjustedPValue),
    analysis.correction,
  );
  comparisons.forEach((goalResult, i) => (goalResult.adjustedPValue = finiteOrNull(adjusted[i])));
  return results;
}

function add(a: number, b: number): number {
  return a + b;
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

type Figures = GoalCell & { users: number };

/**
 * A variant's sums of the goal's measure per counted user (RULES.md "Analysis"): the value total
 * with a value property, else 1 for a user who converted (so ΣY = ΣY² = converters), and of X.
 */
function measureOf(goal: Goal, figures: Figures): MeasureSums {
  const valued = goal.valueProperty !== null;
  return {
    n: figures.users,
    y: valued ? figures.valueSum : figures.converters,
    yy: valued ? figures.valueSumOfSquares : figures.converters,
    x: figures.xSum,
    xx: figures.xSumOfSquares,
    xy: figures.xySum,
  };
}

function rate(arm: Arm): number {
  return arm.users === 0 ? 0 : arm.conversions / arm.users;
}

/**
 * One variant's figures on one goal. `adjustedPValue` holds the measure's raw p-value here; the
 * caller corrects them all at once.
 */
function goalResult(
  goal: Goal,
  analysis: Analysis,
  control: Figures,
  variant: Figures,
  controlMeasure: MeasureSums,
  variantMeasure: MeasureSums,
  fit: CupedFit | null,
  isControl: boolean,
): GoalResult {
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
  const pValue = comparable ? twoProportionPValue(arm(control), arm(variant)) : null;
  const valuePValue =
    hasValue && comparable ? finiteOrNull(welchPValue(values(control), values(variant))) : null;
  const cuped =
    fit && !isControl ? cupedComparison(controlMeasure, variantMeasure, fit, analysis.confidenceLevel) : null;
  return {
    goal,
    conversions: variant.converters,
    conversionRate: rate(arm(variant)),
    uplift:
      comparable && rate(arm(control)) > 0
        ? (rate(arm(variant)) - rate(arm(control))) / rate(arm(control))
        : null,
    pValue,
    chanceToBeatControl: comparable ? chanceToBeatControl(arm(control), arm(variant)) : null,
    occurrences: variant.occurrences,
    valueTotal: hasValue ? finiteOrNull(variant.valueSum) : null,
    valuePerUser: hasValue ? finiteOrNull(variantPerUser) : null,
    valueUplift:
      hasValue && comparable && controlPerUser !== null && controlPerUser !== 0 && variantPerUser !== null
        ? finiteOrNull((variantPerUser - controlPerUser) / Math.abs(controlPerUser))
        : null,
    valuePValue,
    mean: finiteOrNull(mean(variantMeasure)) ?? 0,
    differenceInterval: isControl
      ? null
      : finiteInterval(differenceInterval(controlMeasure, variantMeasure, analysis.confidenceLevel)),
    sequentialInterval:
      isControl || !analysis.sequential
        ? null
        : finiteInterval(
            sequentialInterval(
              controlMeasure,
              variantMeasure,
              analysis.confidenceLevel,
              analysis.sequentialTuning,
            ),
          ),
    adjustedPValue: isControl ? null : hasValue ? valuePValue : pValue,
    cupedDifferenceInterval: cuped ? finiteInterval(cuped.interval) : null,
    cupedPValue: cuped ? finiteOrNull(cuped.pValue) : null,
    varianceReduction: fit ? finiteOrNull(fit.varianceReduction) : null,
  };
}

/**
 * A figure as the API can send it: GraphQL's Float has no infinity or NaN, and an error would hide
 * every other figure. Sums from before values were bounded (tracking-rules.ts) could overflow.
 */
function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

function finiteInterval(interval: Interval | null): Interval | null {
  return interval && Number.isFinite(interval.low) && Number.isFinite(interval.high) ? interval : null;
}
