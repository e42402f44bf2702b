import { studentTTwoSided } from "./statistics";

/**
 * The analysis of A/B test results (RULES.md "Analysis"): intervals of the difference of a goal's
 * mean measure between a variant and the control, fixed-horizon and always-valid, multiple-testing
 * corrections, and CUPED's variance reduction. Pure functions over sums, so every figure comes from
 * the rollups whatever the number of events; checked in test/unit/analysis.test.ts against values
 * computed with SciPy and NumPy.
 */

/** How p-values are corrected across a test's (variant, goal) comparisons. */
export enum Correction {
  NONE = "NONE",
  HOLM = "HOLM",
  BENJAMINI_HOCHBERG = "BENJAMINI_HOCHBERG",
}

/** What a guardrail breach does besides recording it (RULES.md "Guardrails"). */
export enum GuardrailAction {
  NOTIFY = "NOTIFY",
  PAUSE = "PAUSE",
}

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
  correction: Correction.HOLM,
};

export interface Interval {
  low: number;
  high: number;
}

/** A guardrail breach as a test keeps it: which goal, which variant, when (ms), the interval that showed it. */
export interface StoredBreach {
  goalId: string;
  variantId: string;
  at: number;
  interval: Interval;
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

/** Wichura's AS 241 (PPND16) coefficients, lowest power first, as the doubles they round to. */
const CENTRAL_NUMERATOR = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const CENTRAL_DENOMINATOR = [
  1.0, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852546,
];
const NEAR_NUMERATOR = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const NEAR_DENOMINATOR = [
  1.0, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  0.0005475938084995345, 1.0507500716444169e-9,
];
const FAR_NUMERATOR = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7,
];
const FAR_DENOMINATOR = [
  1.0, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  1.8463183175100548e-5, 1.421511758316446e-7, 2.0442631033899397e-15,
];

/** Σ coefficients[i]·xⁱ, by Horner's rule. */
function polynomial(coefficients: readonly number[], x: number): number {
  let sum = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) sum = sum * x + coefficients[i];
  return sum;
}

/** The standard normal quantile Φ⁻¹(p), 0 < p < 1 (Wichura's AS 241: about 16 digits). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRAL_NUMERATOR, r)) / polynomial(CENTRAL_DENOMINATOR, r);
  }
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const value =
    r <= 5
      ? polynomial(NEAR_NUMERATOR, r - 1.6) / polynomial(NEAR_DENOMINATOR, r - 1.6)
      : polynomial(FAR_NUMERATOR, r - 5) / polynomial(FAR_DENOMINATOR, r - 5);
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
export function adjustedPValues(
  pValues: readonly (number | null)[],
  correction: Correction,
): (number | null)[] {
  if (correction === Correction.NONE) return [...pValues];
  const ranked = pValues
    .map((p, index) => ({ p, index }))
    .filter((entry): entry is { p: number; index: number } => entry.p !== null)
    .sort((a, b) => a.p - b.p);
  const m = ranked.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  if (correction === Correction.HOLM) {
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
