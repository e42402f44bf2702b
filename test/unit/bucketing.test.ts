import { inRollout, murmur3, pickExclusive, position, variantIndex } from "../../src/evaluation/bucketing";
import { chiSquareSurvival } from "../../src/results/statistics";

const USERS = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
const EXPERIENCE = "0190b2c4-1f2e-7a3b-9c4d-5e6f70819a2b";
const OTHER = "0190b2c4-1f2e-7a3b-9c4d-5e6f70819a2c";

/** Chi-square goodness of fit of observed counts against expected proportions. */
function fitPValue(observed: number[], proportions: number[]): number {
  const total = observed.reduce((a, b) => a + b, 0);
  const statistic = observed.reduce((sum, count, i) => sum + (count - total * proportions[i]) ** 2 / (total * proportions[i]), 0);
  return chiSquareSurvival(statistic, observed.length - 1);
}

describe("the hash", () => {
  test.each([
    ["", 0, 0x00000000],
    ["", 1, 0x514e28b7],
    ["test", 0, 0xba6bd213],
    ["Hello, world!", 0, 0xc0363e43],
    ["Hello, world!", 1234, 0xfaf6cdb3],
    ["The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723],
    ["aaa", 0x9747b28c, 0x283e0130],
    ["abcd", 0x9747b28c, 0xf0478627],
  ])("murmur3(%j, seed %d) is the published value", (text, seed, expected) => {
    expect(murmur3(text, seed)).toBe(expected);
  });

  test("non-ASCII ids hash their UTF-8 bytes", () => {
    expect(murmur3("ü")).toBe(murmur3(String.fromCharCode(0xfc)));
    expect(murmur3("用户-1")).toBe(murmur3("用户-1"));
    expect(murmur3("ü")).not.toBe(murmur3("u"));
  });

  // The vectors of docs/BUCKETING.md, frozen when this implementation first matched the published
  // murmur3 values above: any change to how users are bucketed fails here (and would move users).
  test.each([
    ["user-1", 4097235267, false, null, "A"],
    ["user-2", 4258584011, false, null, "A"],
    ["user-5", 1308544006, false, 1, "B"],
    ["alice@example.com", 2566376354, false, null, "A"],
    ["42", 18728007, true, 0, "B"],
    ["用户-7", 406712015, true, 0, "A"],
  ] as const)("bucketing vector for %j", (user, hash, inTwentyPercent, variantAtHalfTraffic, exclusivePick) => {
    expect(murmur3(`${EXPERIENCE}:${user}`)).toBe(hash);
    expect(position(EXPERIENCE, user)).toBe(hash / 2 ** 32);
    expect(inRollout(EXPERIENCE, user, 20)).toBe(inTwentyPercent);
    expect(variantIndex(EXPERIENCE, user, 50, [50, 50])).toBe(variantAtHalfTraffic);
    const picked = pickExclusive(user, [
      { id: EXPERIENCE, trafficPercentage: 100 },
      { id: OTHER, trafficPercentage: 50 },
    ]);
    expect(picked?.id).toBe(exclusivePick === "A" ? EXPERIENCE : OTHER);
  });
});

describe("positions", () => {
  test("are uniform: 100,000 ids over 100 buckets pass a chi-square test at p = 0.001", () => {
    const buckets = new Array(100).fill(0);
    for (const user of USERS) buckets[Math.floor(position(EXPERIENCE, user) * 100)]++;
    expect(fitPValue(buckets, new Array(100).fill(0.01))).toBeGreaterThan(0.001);
  });

  test("are independent between experiences: the joint 10 × 10 buckets are uniform", () => {
    const joint = new Array(100).fill(0);
    for (const user of USERS) joint[Math.floor(position(EXPERIENCE, user) * 10) * 10 + Math.floor(position(OTHER, user) * 10)]++;
    expect(fitPValue(joint, new Array(100).fill(0.01))).toBeGreaterThan(0.001);
  });

  test("are the same on every call: nothing but the two ids goes in", () => {
    expect(USERS.slice(0, 1000).map((u) => position(EXPERIENCE, u))).toEqual(USERS.slice(0, 1000).map((u) => position(EXPERIENCE, u)));
  });
});

describe("rollouts", () => {
  test("widening from 20% to 50% keeps every user who was in, and the shares are right", () => {
    const at20 = USERS.filter((u) => inRollout(EXPERIENCE, u, 20));
    const at50 = new Set(USERS.filter((u) => inRollout(EXPERIENCE, u, 50)));
    expect(at20.every((u) => at50.has(u))).toBe(true);
    expect(at20.length / USERS.length).toBeCloseTo(0.2, 2);
    expect(at50.size / USERS.length).toBeCloseTo(0.5, 2);
  });

  test("0% lets nobody in and 100% everybody", () => {
    expect(USERS.some((u) => inRollout(EXPERIENCE, u, 0))).toBe(false);
    expect(USERS.every((u) => inRollout(EXPERIENCE, u, 100))).toBe(true);
  });
});

describe("variants", () => {
  test("a test with 60% traffic takes 60% of users and splits them 20/30/50 as weighted", () => {
    const counts = [0, 0, 0];
    let outside = 0;
    for (const user of USERS) {
      const index = variantIndex(EXPERIENCE, user, 60, [20, 30, 50]);
      if (index === null) outside++;
      else counts[index]++;
    }
    expect(fitPValue([outside, ...counts], [0.4, 0.6 * 0.2, 0.6 * 0.3, 0.6 * 0.5])).toBeGreaterThan(0.001);
  });

  test("weights that sum to 100 only within rounding still place everyone", () => {
    const counts = [0, 0, 0];
    for (const user of USERS) counts[variantIndex(EXPERIENCE, user, 100, [33.33, 33.33, 33.34])!]++;
    expect(counts.reduce((a, b) => a + b)).toBe(USERS.length);
  });
});

describe("the exclusive pick", () => {
  const tests = [
    { id: EXPERIENCE, trafficPercentage: 100 },
    { id: OTHER, trafficPercentage: 50 },
  ];

  test("shares common users in proportion to the tests' traffic", () => {
    const counts = [0, 0];
    for (const user of USERS) counts[tests.indexOf(pickExclusive(user, tests)!)]++;
    expect(fitPValue(counts, [2 / 3, 1 / 3])).toBeGreaterThan(0.001);
  });

  test("a new test only takes users: nobody moves between the old ones", () => {
    const third = { id: "0190b2c4-1f2e-7a3b-9c4d-5e6f70819a2d", trafficPercentage: 100 };
    for (const user of USERS.slice(0, 20_000)) {
      const before = pickExclusive(user, tests)!;
      const after = pickExclusive(user, [...tests, third])!;
      expect([before.id, third.id]).toContain(after.id);
    }
  });

  test("no candidates, no pick", () => {
    expect(pickExclusive("user-1", [])).toBeNull();
  });
});
