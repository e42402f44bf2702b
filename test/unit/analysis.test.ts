import {
  adjustedPValues,
  Correction,
  cupedComparison,
  cupedFit,
  differenceInterval,
  harmful,
  normalQuantile,
  sequentialInterval,
  type MeasureSums,
} from "../../src/results/analysis";
import { welchPValue } from "../../src/results/statistics";
import reference from "./analysis-reference.json";

/*
 * The analysis core against values computed apart from it: test/unit/analysis-reference.json was made
 * once with SciPy 1.17 and NumPy from seeded per-user data (X, Y for each user of each arm): the
 * quantiles by scipy.stats.norm.ppf, intervals from the users' own means and ddof=1 variances,
 * Welch's p-values by scipy.stats.ttest_ind(equal_var=False), CUPED from the users' adjusted values
 * Y − θ(X − X̄) with θ from numpy.cov, and the corrections by the methods' definitions. Our code
 * sees only each arm's sums, as the rollups give them.
 */

type Case = (typeof reference.cases)[number];
const sums = (n: number, y: number, yy: number, x = 0, xx = 0, xy = 0): MeasureSums => ({
  n,
  y,
  yy,
  x,
  xx,
  xy,
});
const close = (actual: number | null | undefined, expected: number, digits = 9) =>
  expect(actual).toBeCloseTo(expected, digits);

describe("the standard normal quantile", () => {
  test.each(reference.quantiles)("Φ⁻¹(%d) = %d (scipy.stats.norm.ppf)", (p, z) => {
    close(normalQuantile(p), z, p < 1e-6 || p > 1 - 1e-6 ? 6 : 12);
  });

  test("refuses 0, 1 and what is not a probability", () => {
    for (const p of [0, 1, -0.1, 1.5, NaN]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});

describe.each(reference.cases.map((c) => [c.name, c] as const))("%s", (_name, one: Case) => {
  const [control, ...variants] = one.arms as MeasureSums[];

  test("the fixed-horizon interval of the difference of means", () => {
    variants.forEach((variant, i) => {
      const interval = differenceInterval(control, variant, one.confidenceLevel)!;
      close(interval.low, one.comparisons[i].fixed[0]);
      close(interval.high, one.comparisons[i].fixed[1]);
    });
  });

  test("the always-valid interval, wider than the fixed one", () => {
    variants.forEach((variant, i) => {
      const interval = sequentialInterval(control, variant, one.confidenceLevel, one.tuning)!;
      close(interval.low, one.comparisons[i].sequential[0]);
      close(interval.high, one.comparisons[i].sequential[1]);
      const fixed = differenceInterval(control, variant, one.confidenceLevel)!;
      expect(interval.high - interval.low).toBeGreaterThan(fixed.high - fixed.low);
    });
  });

  test("Welch's p-value of the raw measure", () => {
    variants.forEach((variant, i) => {
      const arm = (sums: MeasureSums) => ({ users: sums.n, sum: sums.y, sumOfSquares: sums.yy });
      close(welchPValue(arm(control), arm(variant)), one.comparisons[i].welch, 8);
    });
  });

  test("CUPED: θ and X̄ pooled over every user, the variance it removes, and each adjusted comparison", () => {
    const fit = cupedFit(one.arms);
    close(fit.theta, one.theta);
    close(fit.meanX, one.meanX);
    close(fit.varianceReduction, one.varianceReduction);
    variants.forEach((variant, i) => {
      const { interval, pValue } = cupedComparison(control, variant, fit, one.confidenceLevel);
      close(interval!.low, one.comparisons[i].cupedInterval[0]);
      close(interval!.high, one.comparisons[i].cupedInterval[1]);
      close(pValue, one.comparisons[i].cupedP, 8);
    });
  });
});

describe("multiple-testing corrections", () => {
  const { p, holm, bh } = reference.multiple;

  test("Holm's step-down, capped at 1 and monotone", () => {
    adjustedPValues(p, Correction.HOLM).forEach((value, i) => close(value, holm[i], 12));
  });

  test("Benjamini–Hochberg's step-up", () => {
    adjustedPValues(p, Correction.BENJAMINI_HOCHBERG).forEach((value, i) => close(value, bh[i], 12));
  });

  test("NONE leaves them; comparisons without a p-value are not part of the family", () => {
    expect(adjustedPValues(p, Correction.NONE)).toEqual(p);
    expect(adjustedPValues([0.01, null, 0.04], Correction.HOLM)).toEqual([0.02, null, 0.04]);
    expect(adjustedPValues([null], Correction.BENJAMINI_HOCHBERG)).toEqual([null]);
  });
});

describe("edges", () => {
  test("an arm with fewer than two users has no interval", () => {
    expect(differenceInterval(sums(1, 1, 1), sums(50, 10, 10), 0.95)).toBeNull();
    expect(sequentialInterval(sums(50, 10, 10), sums(0, 0, 0), 0.95, 5000)).toBeNull();
    expect(cupedComparison(sums(1, 1, 1), sums(50, 10, 10), cupedFit([]), 0.95)).toEqual({
      interval: null,
      pValue: null,
    });
  });

  test("without pre-period data (var X = 0) θ is 0 and CUPED equals the raw comparison", () => {
    const control = sums(200, 40, 40);
    const variant = sums(210, 60, 60);
    const fit = cupedFit([control, variant]);
    expect(fit).toEqual({ theta: 0, meanX: 0, varianceReduction: 0 });
    const raw = differenceInterval(control, variant, 0.95)!;
    const adjusted = cupedComparison(control, variant, fit, 0.95).interval!;
    close(adjusted.low, raw.low, 12);
    close(adjusted.high, raw.high, 12);
  });

  test("harm is the interval wholly on the bad side of 0, for the goal's direction", () => {
    expect(harmful({ low: -0.3, high: -0.01 }, true)).toBe(true);
    expect(harmful({ low: -0.3, high: 0.01 }, true)).toBe(false);
    expect(harmful({ low: 0.01, high: 0.3 }, false)).toBe(true);
    expect(harmful({ low: 0.01, high: 0.3 }, true)).toBe(false);
  });
});

describe("watching A/A tests every day (the reason always-valid intervals exist)", () => {
  /** mulberry32: the same draws on every run. */
  function random(seed: number) {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  test("of 400 A/A tests read on each of 30 days, at most α ever show a sequential interval excluding 0; the fixed interval read the same way does far more often", () => {
    const next = random(20261207);
    const TESTS = 400;
    const DAYS = 30;
    const USERS_PER_DAY = 60;
    const alpha = 0.05;
    let sequentialFalse = 0;
    let fixedFalse = 0;
    for (let t = 0; t < TESTS; t++) {
      const arms = [sums(0, 0, 0), sums(0, 0, 0)];
      let sequentialSaw = false;
      let fixedSaw = false;
      for (let day = 0; day < DAYS; day++) {
        for (const arm of arms)
          for (let u = 0; u < USERS_PER_DAY; u++) {
            // The same conversion rate in both arms: every "difference" is noise.
            const y = next() < 0.2 ? 1 : 0;
            arm.n++;
            arm.y += y;
            arm.yy += y;
          }
        const excludes = (interval: { low: number; high: number } | null) =>
          interval !== null && (interval.low > 0 || interval.high < 0);
        sequentialSaw ||= excludes(sequentialInterval(arms[0], arms[1], 1 - alpha, 5000));
        fixedSaw ||= excludes(differenceInterval(arms[0], arms[1], 1 - alpha));
      }
      if (sequentialSaw) sequentialFalse++;
      if (fixedSaw) fixedFalse++;
    }
    expect(sequentialFalse / TESTS).toBeLessThanOrEqual(alpha);
    expect(fixedFalse / TESTS).toBeGreaterThan(2 * alpha);
  });
});
