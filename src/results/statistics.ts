/**
 * The statistics of A/B test results: pure functions, checked in test/unit/statistics.test.ts
 * against reference values computed another way.
 */

export interface Arm {
  users: number;
  conversions: number;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

const EPSILON = 1e-15;
const TINY = 1e-300;

/** The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a). */
function upperRegularizedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x), then Q = 1 − P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Continued fraction for Q(a, x), evaluated by the modified Lentz method.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.min(1, Math.exp(logPrefix) * h);
}

/** P(X ≥ x) for X chi-square distributed with `degreesOfFreedom`. */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  return upperRegularizedGamma(degreesOfFreedom / 2, x / 2);
}

/**
 * Two-sided p-value of the pooled two-proportion z-test of `variant` against `control`; null when
 * an arm has no users or nobody (or everybody) converted, where the test has nothing to say.
 */
export function twoProportionPValue(control: Arm, variant: Arm): number | null {
  if (control.users === 0 || variant.users === 0) return null;
  const pooled = (control.conversions + variant.conversions) / (control.users + variant.users);
  const variance = pooled * (1 - pooled) * (1 / control.users + 1 / variant.users);
  if (variance <= 0) return null;
  const z = (variant.conversions / variant.users - control.conversions / control.users) / Math.sqrt(variance);
  // 2 · (1 − Φ(|z|)) is the chi-square(1) tail at z².
  return chiSquareSurvival(z * z, 1);
}

/**
 * P(rate of `variant` > rate of `control`) when each rate has the posterior
 * Beta(1 + conversions, 1 + users − conversions); null when an arm has no users.
 */
export function chanceToBeatControl(control: Arm, variant: Arm): number | null {
  if (control.users === 0 || variant.users === 0) return null;
  const a1 = 1 + control.conversions;
  const b1 = 1 + control.users - control.conversions;
  const a2 = 1 + variant.conversions;
  const b2 = 1 + variant.users - variant.conversions;
  return clamp01(probabilityGreater(a1, b1, a2, b2));
}

/** Beyond this many terms the Beta posteriors are so close to normal that the normal answer is exact to 1e-4. */
const EXACT_SUM_LIMIT = 50_000;

/**
 * P(X2 > X1), X1 ~ Beta(a1, b1), X2 ~ Beta(a2, b2), with integer parameters. The closed form is a
 * sum over one parameter; four equivalent forms (by symmetry and by 1 − X) sum over a1, a2, b1 or
 * b2, so the shortest is used.
 */
export function probabilityGreater(a1: number, b1: number, a2: number, b2: number): number {
  const shortest = Math.min(a1, a2, b1, b2);
  if (shortest > EXACT_SUM_LIMIT) return normalApproximation(a1, b1, a2, b2);
  if (shortest === a2) return betaSum(a1, b1, a2, b2);
  if (shortest === a1) return 1 - betaSum(a2, b2, a1, b1);
  if (shortest === b1) return betaSum(b2, a2, b1, a1);
  return 1 - betaSum(b1, a1, b2, a2);
}

/**
 * Σ_{i<a2} B(a1 + i, b1 + b2) / ((b2 + i) · B(1 + i, b2) · B(a1, b1)) = P(X2 > X1). Each term is the
 * previous one times (a1 + i − 1)(b2 + i − 1) / ((a1 + b1 + b2 + i − 1) · i), so the sum costs a few
 * multiplications a term (a results read with daily figures sums many of these). The running term is
 * kept as mantissa × e^exponent, so it neither underflows nor overflows however small the first term.
 */
function betaSum(a1: number, b1: number, a2: number, b2: number): number {
  let exponent = logBeta(a1, b1 + b2) - Math.log(b2) - logBeta(1, b2) - logBeta(a1, b1);
  let term = 1;
  let total = 1;
  for (let i = 1; i < a2; i++) {
    term *= ((a1 + i - 1) * (b2 + i - 1)) / ((a1 + b1 + b2 + i - 1) * i);
    total += term;
    if (total > 1e250) {
      exponent += Math.log(total);
      term /= total;
      total = 1;
    }
  }
  return total * Math.exp(exponent);
}

function normalApproximation(a1: number, b1: number, a2: number, b2: number): number {
  const mean = (a: number, b: number) => a / (a + b);
  const variance = (a: number, b: number) => (a * b) / ((a + b) ** 2 * (a + b + 1));
  const z = (mean(a2, b2) - mean(a1, b1)) / Math.sqrt(variance(a1, b1) + variance(a2, b2));
  return z >= 0 ? 1 - chiSquareSurvival(z * z, 1) / 2 : chiSquareSurvival(z * z, 1) / 2;
}

/**
 * p-value of a chi-square goodness-of-fit test of the users each variant got against the split the
 * weights (percent) ask for. A low value means the split is broken (a sample ratio mismatch). Null
 * when a variant has no users.
 */
export function sampleRatioMismatchPValue(
  users: readonly number[],
  weights: readonly number[],
): number | null {
  if (users.length < 2 || users.some((count) => count === 0)) return null;
  const total = users.reduce((sum, count) => sum + count, 0);
  const weightTotal = weights.reduce((sum, weight) => sum + weight, 0);
  let statistic = 0;
  users.forEach((observed, i) => {
    const expected = (total * weights[i]) / weightTotal;
    statistic += (observed - expected) ** 2 / expected;
  });
  return chiSquareSurvival(statistic, users.length - 1);
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** A variant's per-user values on one goal: users, the sum of their totals and of the totals' squares. */
export interface ValueArm {
  users: number;
  sum: number;
  sumOfSquares: number;
}

/**
 * Two-sided p-value of Welch's t-test of the variant's mean per-user total against the control's
 * (unequal variances, Welch–Satterthwaite degrees of freedom); null with fewer than 2 users in an
 * arm or no variance in either, where the test has nothing to say.
 */
export function welchPValue(control: ValueArm, variant: ValueArm): number | null {
  if (control.users < 2 || variant.users < 2) return null;
  const part = (arm: ValueArm) => {
    const mean = arm.sum / arm.users;
    // From sums, rounding can leave a variance a hair below zero.
    const variance = Math.max(0, (arm.sumOfSquares - arm.users * mean * mean) / (arm.users - 1));
    return { mean, spread: variance / arm.users, users: arm.users };
  };
  const c = part(control);
  const v = part(variant);
  const spread = c.spread + v.spread;
  if (!(spread > 0)) return null;
  const t = (v.mean - c.mean) / Math.sqrt(spread);
  const df = spread ** 2 / (c.spread ** 2 / (c.users - 1) + v.spread ** 2 / (v.users - 1));
  return studentTTwoSided(t, df);
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTTwoSided(t: number, df: number): number {
  return clamp01(regularizedBeta(df / (df + t * t), df / 2, 0.5));
}

/** The regularized incomplete beta function I_x(a, b), by its continued fraction (modified Lentz). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - logBeta(a, b));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use the symmetry.
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 10_000; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + even * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + even / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + odd * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + odd / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return (front * h) / a;
}
