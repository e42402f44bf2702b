import { studentTTwoSided } from "./statistics";

/**
 * The analysis of A/B test results (RULES.md "Analysis"): intervals of the difference of a goal's
 * mean measure between a variant and the control, fixed-horizon and always-valid, multiple-testing
 * corrections, and CUPED's variance reduction. Pure functions over sums, so every figure comes from
 * the rollups whatever the number of events; checked in test/unit/analysis.test.ts against values
 * computed with SciPy and NumPy.
 */

export type Correction = "NONE" | "HOLM" | "BENJAMINI_HOCHBERG";

/** How a test's results are read (AnalysisSettings in the API). */
export interface Analysis {
  confidenceLevel: number;
  sequential: boolean;
  sequentialTuning: number;
  cuped: boolean;
  cupedPreDays: number;
  correction: Correction;
}

/** What a project starts with (RULES.md): 0.95, sequential on at 5,000, CUPED on over 14 days, Holm. */
export const DEFAULT_ANALYSIS: Analysis = {
  confidenceLevel: 0.95,
  sequential: true,
  sequentialTuning: 5000,
  cuped: true,
  cupedPreDays: 14,
  correction: "HOLM",
};

export interface Interval {
  low: number;
  high: number;
}

/**
 * One arm's sums of a goal's measure Y per counted user (a value total, or 1 if converted) and of
 * its pre-period measure X (CUPED): n, ΣY, ΣY², ΣX, ΣX², ΣXY.
 */
export interface MeasureSums {
  n: number;
  y: number;
  yy: number;
  x: number;
  xx: number;
  xy: number;
}

export function mean(arm: MeasureSums): number {
  return arm.n === 0 ? 0 : arm.y / arm.n;
}

/** The sample variance (n − 1) of Y; 0 under two users. From sums, rounding can leave it a hair below 0. */
function varianceOfY(arm: MeasureSums): number {
  return arm.n < 2 ? 0 : Math.max(0, (arm.yy - (arm.y * arm.y) / arm.n) / (arm.n - 1));
}

/** The variance of the difference of means, V = s²_v/n_v + s²_c/n_c; null when either arm has fewer than 2 users. */
function differenceVariance(control: MeasureSums, variant: MeasureSums): number | null {
  if (control.n < 2 || variant.n < 2) return null;
  return varianceOfY(variant) / variant.n + varianceOfY(control) / control.n;
}

/**
 * The standard normal quantile Φ⁻¹(p), 0 < p < 1 (Wichura's AS 241, PPND16: about 16 digits).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value =
      (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    value =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -value : value;
}

/** d ± z₁₋α/₂·√V: the fixed-horizon interval of mean(variant) − mean(control); null under 2 users an arm. */
export function differenceInterval(
  control: MeasureSums,
  variant: MeasureSums,
  confidenceLevel: number,
): Interval | null {
  const variance = differenceVariance(control, variant);
  if (variance === null) return null;
  const d = mean(variant) - mean(control);
  const half = normalQuantile(1 - (1 - confidenceLevel) / 2) * Math.sqrt(variance);
  return { low: d - half, high: d + half };
}

/**
 * The always-valid interval (a mixture sequential probability ratio test's confidence sequence, as
 * GrowthBook and Statsig document it): with N = n_v + n_c, τ the tuning and
 * ρ² = (−2 ln α + ln(−2 ln α + 1)) / τ, d ± √(V·N)·√( 2(Nρ² + 1)/(N²ρ²) · ln(√(Nρ² + 1)/α) ).
 * It may be read every day: in A/A tests watched daily, at most α of them ever exclude 0.
 */
export function sequentialInterval(
  control: MeasureSums,
  variant: MeasureSums,
  confidenceLevel: number,
  tuning: number,
): Interval | null {
  const variance = differenceVariance(control, variant);
  if (variance === null) return null;
  const alpha = 1 - confidenceLevel;
  const n = control.n + variant.n;
  const rho2 = (-2 * Math.log(alpha) + Math.log(-2 * Math.log(alpha) + 1)) / tuning;
  const half =
    Math.sqrt(variance * n) *
    Math.sqrt(((2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(n * rho2 + 1) / alpha));
  const d = mean(variant) - mean(control);
  return { low: d - half, high: d + half };
}

/**
 * p-values corrected for testing several (variant, goal) comparisons at once: Holm's step-down
 * (family-wise error) or Benjamini–Hochberg's step-up (false discovery rate), each capped at 1 and
 * monotone in the order of the raw p-values; NONE leaves them. Null entries have no p-value and are
 * not part of the family.
 */
export function adjustedPValues(pValues: readonly (number | null)[], correction: Correction): (number | null)[] {
  if (correction === "NONE") return [...pValues];
  const ranked = pValues
    .map((p, index) => ({ p, index }))
    .filter((entry): entry is { p: number; index: number } => entry.p !== null)
    .sort((a, b) => a.p - b.p);
  const m = ranked.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  if (correction === "HOLM") {
    let running = 0;
    ranked.forEach(({ p, index }, i) => {
      running = Math.max(running, Math.min(1, (m - i) * p));
      adjusted[index] = running;
    });
  } else {
    let running = 1;
    for (let i = m - 1; i >= 0; i--) {
      const { p, index } = ranked[i];
      running = Math.min(running, Math.min(1, (m / (i + 1)) * p));
      adjusted[index] = running;
    }
  }
  return adjusted;
}

/** CUPED's adjustment of one goal over the whole test (every counted user of every arm). */
export interface CupedFit {
  /** θ = cov(X, Y) / var(X) over all counted users (0 when var(X) = 0). */
  theta: number;
  /** X̄ over all counted users. */
  meanX: number;
  /** 1 − var(Y′)/var(Y) over all counted users; null when var(Y) = 0 or under 2 users. */
  varianceReduction: number | null;
}

export function cupedFit(arms: readonly MeasureSums[]): CupedFit {
  const all = arms.reduce(
    (sum, arm) => ({
      n: sum.n + arm.n,
      y: sum.y + arm.y,
      yy: sum.yy + arm.yy,
      x: sum.x + arm.x,
      xx: sum.xx + arm.xx,
      xy: sum.xy + arm.xy,
    }),
    { n: 0, y: 0, yy: 0, x: 0, xx: 0, xy: 0 },
  );
  if (all.n < 2) return { theta: 0, meanX: all.n ? all.x / all.n : 0, varianceReduction: null };
  const varX = (all.xx - (all.x * all.x) / all.n) / (all.n - 1);
  const covXY = (all.xy - (all.x * all.y) / all.n) / (all.n - 1);
  const varY = varianceOfY(all);
  const theta = varX > 0 ? covXY / varX : 0;
  const adjustedVariance = Math.max(0, varY - 2 * theta * covXY + theta * theta * Math.max(0, varX));
  return {
    theta,
    meanX: all.x / all.n,
    varianceReduction: varY > 0 ? 1 - adjustedVariance / varY : null,
  };
}

/** One arm of Y′ = Y − θ(X − X̄): its mean and sample variance, from the arm's sums. */
function adjustedArm(arm: MeasureSums, fit: CupedFit): { n: number; mean: number; variance: number } {
  const { theta, meanX } = fit;
  const adjustedMean = mean(arm) - theta * ((arm.n === 0 ? 0 : arm.x / arm.n) - meanX);
  if (arm.n < 2) return { n: arm.n, mean: adjustedMean, variance: 0 };
  const varX = (arm.xx - (arm.x * arm.x) / arm.n) / (arm.n - 1);
  const covXY = (arm.xy - (arm.x * arm.y) / arm.n) / (arm.n - 1);
  const variance = Math.max(0, varianceOfY(arm) - 2 * theta * covXY + theta * theta * varX);
  return { n: arm.n, mean: adjustedMean, variance };
}

/**
 * The CUPED-adjusted comparison of a variant with the control: the fixed-horizon interval and
 * Welch's two-sided p-value of mean(Y′_v) − mean(Y′_c); nulls under 2 users an arm or no variance.
 */
export function cupedComparison(
  control: MeasureSums,
  variant: MeasureSums,
  fit: CupedFit,
  confidenceLevel: number,
): { interval: Interval | null; pValue: number | null } {
  if (control.n < 2 || variant.n < 2) return { interval: null, pValue: null };
  const c = adjustedArm(control, fit);
  const v = adjustedArm(variant, fit);
  const spreadC = c.variance / c.n;
  const spreadV = v.variance / v.n;
  const spread = spreadC + spreadV;
  const d = v.mean - c.mean;
  const half = normalQuantile(1 - (1 - confidenceLevel) / 2) * Math.sqrt(spread);
  if (!(spread > 0)) return { interval: { low: d, high: d }, pValue: null };
  const df = spread ** 2 / (spreadC ** 2 / (c.n - 1) + spreadV ** 2 / (v.n - 1));
  return { interval: { low: d - half, high: d + half }, pValue: studentTTwoSided(d / Math.sqrt(spread), df) };
}

/** Whether an interval of variant − control lies wholly on the harmful side of 0 for a goal's direction. */
export function harmful(interval: Interval, higherIsBetter: boolean): boolean {
  return higherIsBetter ? interval.high < 0 : interval.low > 0;
}
