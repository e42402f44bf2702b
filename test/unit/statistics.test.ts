import {
  chanceToBeatControl,
  chiSquareSurvival,
  logGamma,
  probabilityGreater,
  sampleRatioMismatchPValue,
  twoProportionPValue,
  welchPValue,
} from "../../src/results/statistics";
import {
  integratedProbabilityGreater,
  referenceChiSquareSurvival,
  referenceTwoSidedNormal,
  referenceWelchPValue,
  referenceZ,
} from "../helpers/reference-statistics";

describe("special functions", () => {
  test("ln Γ matches known values", () => {
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 11);
    let lnFactorial = 0;
    for (let n = 2; n < 171; n++) lnFactorial += Math.log(n);
    expect(logGamma(171) / lnFactorial).toBeCloseTo(1, 12);
  });

  test.each([
    [3.841459, 1, 0.05],
    [6.634897, 1, 0.01],
    [0.454936, 1, 0.5],
    [5.991465, 2, 0.05],
    [7.814728, 3, 0.05],
    [16.918978, 9, 0.05],
    [21.665994, 9, 0.01],
    [10, 1, 0.001565402],
  ])("the chi-square tail at %d with %d degrees of freedom is %d (published tables)", (x, df, p) => {
    expect(chiSquareSurvival(x, df)).toBeCloseTo(p, 6);
  });
});

describe("the pooled two-proportion z-test", () => {
  test.each([
    [
      { users: 1000, conversions: 100 },
      { users: 1000, conversions: 130 },
    ],
    [
      { users: 5000, conversions: 400 },
      { users: 4800, conversions: 380 },
    ],
    [
      { users: 80, conversions: 3 },
      { users: 75, conversions: 11 },
    ],
    [
      { users: 20000, conversions: 10000 },
      { users: 20000, conversions: 10300 },
    ],
  ])("p-value of %j against %j agrees with the textbook formula", (control, variant) => {
    expect(twoProportionPValue(control, variant)).toBeCloseTo(
      referenceTwoSidedNormal(referenceZ(control, variant)),
      6,
    );
  });

  test("z = 1.96 gives the familiar 0.05", () => {
    // Rates chosen so that z is 1.96 exactly: the p-value is 0.0499958 by the normal table.
    const control = { users: 10000, conversions: 1000 };
    const pooled = 0.1;
    const z = 1.96;
    const difference = z * Math.sqrt(pooled * (1 - pooled) * (2 / 10000));
    const variantConversions = (pooled + difference / 2) * 10000;
    const controlConversions = (pooled - difference / 2) * 10000;
    expect(
      twoProportionPValue(
        { ...control, conversions: controlConversions },
        { users: 10000, conversions: variantConversions },
      ),
    ).toBeCloseTo(0.0499958, 6);
  });

  test("no users, or no variance at all, gives null", () => {
    expect(twoProportionPValue({ users: 0, conversions: 0 }, { users: 10, conversions: 1 })).toBeNull();
    expect(twoProportionPValue({ users: 10, conversions: 0 }, { users: 10, conversions: 0 })).toBeNull();
    expect(twoProportionPValue({ users: 10, conversions: 10 }, { users: 10, conversions: 10 })).toBeNull();
  });
});

describe("the chance to beat the control", () => {
  test.each([
    [
      { users: 100, conversions: 10 },
      { users: 100, conversions: 15 },
    ],
    [
      { users: 1000, conversions: 100 },
      { users: 1000, conversions: 90 },
    ],
    [
      { users: 50, conversions: 48 },
      { users: 60, conversions: 59 },
    ],
    [
      { users: 3, conversions: 0 },
      { users: 4, conversions: 1 },
    ],
    [
      { users: 2000, conversions: 1200 },
      { users: 2100, conversions: 1290 },
    ],
  ])("for %j and %j agrees with numerical integration to 0.001", (control, variant) => {
    const reference = integratedProbabilityGreater(
      1 + control.conversions,
      1 + control.users - control.conversions,
      1 + variant.conversions,
      1 + variant.users - variant.conversions,
    );
    expect(Math.abs(chanceToBeatControl(control, variant)! - reference)).toBeLessThan(0.001);
  });

  test("identical arms give one half; the four summation forms agree", () => {
    expect(chanceToBeatControl({ users: 500, conversions: 50 }, { users: 500, conversions: 50 })).toBeCloseTo(
      0.5,
      10,
    );
    // Each argument order makes a different parameter the shortest, so each form is used once.
    const forms = [
      probabilityGreater(3, 40, 5, 38),
      probabilityGreater(5, 38, 3, 40),
      probabilityGreater(40, 3, 38, 5),
      probabilityGreater(38, 5, 40, 3),
    ];
    expect(forms[0]).toBeCloseTo(1 - forms[1], 12);
    expect(forms[2]).toBeCloseTo(1 - forms[0], 12);
    expect(forms[3]).toBeCloseTo(forms[0], 12);
  });

  test("very large arms take the normal form, still within 0.001 of the integral", () => {
    const [a1, b1, a2, b2] = [60_001, 140_001, 61_001, 139_001];
    expect(
      Math.abs(probabilityGreater(a1, b1, a2, b2) - integratedProbabilityGreater(a1, b1, a2, b2)),
    ).toBeLessThan(0.001);
  });

  test("an arm without users gives null", () => {
    expect(chanceToBeatControl({ users: 0, conversions: 0 }, { users: 5, conversions: 1 })).toBeNull();
  });
});

describe("the sample ratio mismatch test", () => {
  test("a split exactly as weighted gives 1; a 550/450 split of a 50/50 test gives 0.0016", () => {
    expect(sampleRatioMismatchPValue([500, 500], [50, 50])).toBeCloseTo(1, 10);
    expect(sampleRatioMismatchPValue([550, 450], [50, 50])).toBeCloseTo(0.001565402, 6);
  });

  test("expected counts follow the weights", () => {
    // 20/30/50 of 1000 expects 200/300/500; observed 210/290/500 → χ² = 0.5 + 0.3333 = 0.8333, df 2.
    expect(sampleRatioMismatchPValue([210, 290, 500], [20, 30, 50])).toBeCloseTo(
      Math.exp(-0.8333333333 / 2),
      6,
    );
  });

  test.each([
    [
      [1030, 970],
      [50, 50],
    ],
    [
      [412, 298, 290],
      [40, 30, 30],
    ],
    [
      [95, 210, 305, 390],
      [10, 20, 30, 40],
    ],
  ])("%j against weights %j agrees with the chi-square tail integrated numerically", (users, weights) => {
    const total = users.reduce((a, b) => a + b);
    const statistic = users.reduce(
      (sum, observed, i) => sum + (observed - (total * weights[i]) / 100) ** 2 / ((total * weights[i]) / 100),
      0,
    );
    expect(sampleRatioMismatchPValue(users, weights)).toBeCloseTo(
      referenceChiSquareSurvival(statistic, users.length - 1),
      6,
    );
  });

  test("a variant without users gives null", () => {
    expect(sampleRatioMismatchPValue([10, 0], [50, 50])).toBeNull();
  });
});

describe("Welch's t-test on per-user values", () => {
  /** Per-user totals: most users 0 (no purchase), the rest a spread of amounts, from a seed. */
  function values(seed: number, users: number, buyers: number, scale: number): number[] {
    let state = seed;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    return Array.from({ length: users }, (_, i) => (i < buyers ? Math.round(next() * scale * 100) / 100 : 0));
  }
  const arm = (list: number[]) => ({
    users: list.length,
    sum: list.reduce((a, b) => a + b, 0),
    sumOfSquares: list.reduce((a, b) => a + b * b, 0),
  });

  test.each([
    [values(1, 400, 60, 120), values(2, 420, 80, 120)],
    [values(3, 50, 10, 30), values(4, 30, 12, 45)],
    [values(5, 2000, 300, 80), values(6, 1900, 290, 80)],
    [
      [1, 2, 3, 4, 5],
      [2, 4, 6, 8, 10, 12],
    ],
  ])("agrees with the textbook computation by numerical integration (case %#)", (control, variant) => {
    expect(welchPValue(arm(control), arm(variant))).toBeCloseTo(referenceWelchPValue(control, variant), 6);
  });

  test("a published value: the first example of Wikipedia's article on Welch's t-test (t = −2.46, 24.9 df) has p = 0.021", () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    expect(welchPValue(arm(a), arm(b))).toBeCloseTo(0.021, 3);
  });

  test("fewer than two users in an arm, or no variance anywhere, gives null", () => {
    expect(welchPValue(arm([5]), arm([1, 2, 3]))).toBeNull();
    expect(welchPValue(arm([2, 2, 2]), arm([2, 2]))).toBeNull();
  });
});
