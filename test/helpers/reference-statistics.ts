/**
 * Second routes to the statistics of src/results/statistics.ts, written for the tests from the
 * textbook definitions by other methods (a polynomial approximation, numerical integration), so a
 * test that compares the server's figures with these is not comparing the code with itself.
 */

export interface ReferenceArm {
  users: number;
  conversions: number;
}

/** Two-sided normal tail by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7). */
export function referenceTwoSidedNormal(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * Math.exp(-x * x);
}

/** The pooled two-proportion z statistic of the variant against the control. */
export function referenceZ(control: ReferenceArm, variant: ReferenceArm): number {
  const p = (control.conversions + variant.conversions) / (control.users + variant.users);
  return (
    (variant.conversions / variant.users - control.conversions / control.users) /
    Math.sqrt(p * (1 - p) * (1 / control.users + 1 / variant.users))
  );
}

export function referenceTwoProportionPValue(control: ReferenceArm, variant: ReferenceArm): number {
  return referenceTwoSidedNormal(referenceZ(control, variant));
}

/**
 * P(X2 > X1) for X1 ~ Beta(a1, b1), X2 ~ Beta(a2, b2) by integrating f2 · F1 over a fine grid, the
 * densities normalized on the grid itself: no Beta functions, no closed form.
 */
export function integratedProbabilityGreater(a1: number, b1: number, a2: number, b2: number): number {
  const mean = (a: number, b: number) => a / (a + b);
  const sd = (a: number, b: number) => Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  const lo = Math.max(1e-12, Math.min(mean(a1, b1) - 14 * sd(a1, b1), mean(a2, b2) - 14 * sd(a2, b2)));
  const hi = Math.min(1 - 1e-12, Math.max(mean(a1, b1) + 14 * sd(a1, b1), mean(a2, b2) + 14 * sd(a2, b2)));
  const steps = 200_000;
  const width = (hi - lo) / steps;
  const logDensity = (a: number, b: number, x: number) => (a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x);
  const grid = (a: number, b: number) => {
    const values = new Float64Array(steps);
    let peak = -Infinity;
    for (let i = 0; i < steps; i++)
      peak = Math.max(peak, (values[i] = logDensity(a, b, lo + (i + 0.5) * width)));
    let total = 0;
    for (let i = 0; i < steps; i++) total += values[i] = Math.exp(values[i] - peak);
    for (let i = 0; i < steps; i++) values[i] /= total;
    return values;
  };
  const f1 = grid(a1, b1);
  const f2 = grid(a2, b2);
  let below = 0;
  let probability = 0;
  for (let i = 0; i < steps; i++) {
    probability += f2[i] * (below + f1[i] / 2);
    below += f1[i];
  }
  return probability;
}

/** The chance to beat the control under Beta(1 + conversions, 1 + users − conversions) posteriors. */
export function referenceChanceToBeatControl(control: ReferenceArm, variant: ReferenceArm): number {
  return integratedProbabilityGreater(
    1 + control.conversions,
    1 + control.users - control.conversions,
    1 + variant.conversions,
    1 + variant.users - variant.conversions,
  );
}

/**
 * P(χ²_k > x) by Simpson's rule, no gamma functions: with t = u² the density t^(k/2−1)·e^(−t/2) dt
 * becomes 2·u^(k−1)·e^(−u²/2) du, smooth from 0 for every k ≥ 1, so the same rule gives both the
 * tail from √x and the normalizing area from 0.
 */
export function referenceChiSquareSurvival(x: number, k: number): number {
  const integrand = (u: number) => 2 * u ** (k - 1) * Math.exp(-(u * u) / 2);
  const end = Math.sqrt(Math.max(x, k)) + 40;
  const simpson = (from: number, to: number) => {
    const n = 200_000;
    const h = (to - from) / n;
    let sum = integrand(from) + integrand(to);
    for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * integrand(from + i * h);
    return (sum * h) / 3;
  };
  return simpson(Math.sqrt(x), end) / simpson(0, end);
}

/** Sample ratio mismatch: Pearson's chi-square of observed users against the weights, df = variants − 1. */
export function referenceSampleRatioMismatch(users: number[], weights: number[]): number {
  const total = users.reduce((a, b) => a + b, 0);
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  const statistic = users.reduce((sum, observed, i) => {
    const expected = (total * weights[i]) / weightTotal;
    return sum + (observed - expected) ** 2 / expected;
  }, 0);
  return referenceChiSquareSurvival(statistic, users.length - 1);
}

/**
 * Welch's two-sided t-test from per-user values, by the textbook: sample means and variances,
 * Welch–Satterthwaite degrees of freedom, and the t tail by integrating the t density numerically
 * (its normalizing constant found on the same grid, so no Gamma or Beta functions are involved).
 */
export function referenceWelchPValue(control: number[], variant: number[]): number {
  const stats = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
    return { mean, spread: variance / values.length, n: values.length };
  };
  const c = stats(control);
  const v = stats(variant);
  const t = Math.abs((v.mean - c.mean) / Math.sqrt(c.spread + v.spread));
  const df = (c.spread + v.spread) ** 2 / (c.spread ** 2 / (c.n - 1) + v.spread ** 2 / (v.n - 1));
  const density = (x: number) => Math.pow(1 + (x * x) / df, -(df + 1) / 2);
  // ∫ from 0 to ∞ by the substitution x = u / (1 − u), Simpson's rule on u ∈ [0, 1).
  const integral = (upper: number) => {
    const steps = 200_000;
    const end = upper === Infinity ? 1 - 1e-9 : upper / (1 + upper);
    const h = end / steps;
    let sum = 0;
    for (let i = 0; i <= steps; i++) {
      const u = i * h;
      const f = density(u / (1 - u)) / (1 - u) ** 2;
      sum += f * (i === 0 || i === steps ? 1 : i % 2 ? 4 : 2);
    }
    return (sum * h) / 3;
  };
  return 1 - integral(t) / integral(Infinity);
}
