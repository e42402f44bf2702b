import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  inRollout,
  murmur3,
  pickExclusive,
  position,
  variantAt,
  variantIndex,
} from "../../src/evaluation/bucketing";
import { chiSquareSurvival } from "../../src/results/statistics";
import { referenceMurmur3, referencePosition } from "../helpers/reference-bucketing";

const USERS = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
const EXPERIENCE = "0190b2c4-1f2e-7a3b-9c4d-5e6f70819a2b";
const OTHER = "0190b2c4-1f2e-7a3b-9c4d-5e6f70819a2c";

/** Chi-square goodness of fit of observed counts against expected proportions. */
function fitPValue(observed: number[], proportions: number[]): number {
  const total = observed.reduce((a, b) => a + b, 0);
  const statistic = observed.reduce(
    (sum, count, i) => sum + (count - total * proportions[i]) ** 2 / (total * proportions[i]),
    0,
  );
  return chiSquareSurvival(statistic, observed.length - 1);
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

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
  ])(
    "murmur3(%j, seed %d) is the published value, in the server's code and in the test's reference",
    (text, seed, expected) => {
      expect(murmur3(text, seed)).toBe(expected);
      expect(referenceMurmur3(utf8(text), seed)).toBe(expected);
    },
  );

  // The bytes are written out here, not produced from the same string literal as the input, so the
  // test fails if the server hashed UTF-16 units, code points or Latin-1 instead of UTF-8.
  test.each([
    ["U+00FC ü", "\u00fc", [0xc3, 0xbc]],
    ["CJK 用户-7", "\u7528\u6237-7", [0xe7, 0x94, 0xa8, 0xe6, 0x88, 0xb7, 0x2d, 0x37]],
    ["astral 😀 (a surrogate pair in JavaScript)", "\ud83d\ude00", [0xf0, 0x9f, 0x98, 0x80]],
    ["combining e + U+0301", "e\u0301", [0x65, 0xcc, 0x81]],
  ])("a %s id hashes its UTF-8 bytes", (_what, text, bytes) => {
    expect(murmur3(text)).toBe(referenceMurmur3(Uint8Array.from(bytes)));
  });

  test("20,000 ids of every length from 0 to 600 UTF-8 bytes, ASCII and not, agree with the reference", () => {
    const pieces = ["a", "é", "用", "😀", "-", "ß"];
    for (let i = 0; i < 20_000; i++) {
      let id = "";
      for (let j = 0; j < i % 200; j++) id += pieces[(i * 7 + j * 13) % pieces.length];
      expect(murmur3(id)).toBe(referenceMurmur3(utf8(id)));
    }
  });

  /** The vector table of docs/BUCKETING.md, which every SDK is held to. */
  function documentedVectors() {
    const doc = readFileSync(path.join(__dirname, "..", "..", "docs", "BUCKETING.md"), "utf8");
    const table = doc.slice(doc.indexOf("## Vectors"), doc.indexOf("## Properties the tests check"));
    return [
      ...table.matchAll(
        /^\| `(.+?)` \| (\d+) \| (yes|no) \| (not in traffic|(\d) \(\w+ variant\)) \| ([AB]) \|$/gm,
      ),
    ].map((row) => {
      const repeated = /^"(.+)" × (\d+)$/.exec(row[1]);
      return {
        user: repeated ? repeated[1].repeat(Number(repeated[2])) : row[1],
        hash: Number(row[2]),
        inTwentyPercent: row[3] === "yes",
        variantAtHalfTraffic: row[5] === undefined ? null : Number(row[5]),
        exclusivePick: row[6],
      };
    });
  }

  test("docs/BUCKETING.md has vectors for ASCII, non-ASCII, astral-plane and 256-byte ids", () => {
    const users = documentedVectors().map((vector) => vector.user);
    expect(users.length).toBeGreaterThanOrEqual(12);
    expect(users.some((user) => [...user].some((character) => character.codePointAt(0)! > 0x7f))).toBe(true);
    expect(users.some((user) => /[\ud800-\udbff]/.test(user))).toBe(true);
    expect(users.some((user) => Buffer.byteLength(user) === 256)).toBe(true);
  });

  test.each(documentedVectors())(
    "the documented vector for %j holds, by the reference and by the server",
    (vector) => {
      const { user } = vector;
      // By the reference and the documented formulas alone.
      const at = referencePosition(EXPERIENCE, user) * 100;
      const score = (id: string, traffic: number) =>
        Math.log((referenceMurmur3(utf8(`${id}:${user}:exclusive`)) + 0.5) / 2 ** 32) / traffic;
      expect(referenceMurmur3(utf8(`${EXPERIENCE}:${user}`))).toBe(vector.hash);
      expect(at < 20).toBe(vector.inTwentyPercent);
      expect(at >= 50 ? null : (at / 50) * 100 < 50 ? 0 : 1).toBe(vector.variantAtHalfTraffic);
      expect(score(EXPERIENCE, 100) > score(OTHER, 50) ? "A" : "B").toBe(vector.exclusivePick);
      // By the server's code.
      expect(murmur3(`${EXPERIENCE}:${user}`)).toBe(vector.hash);
      expect(position(EXPERIENCE, user)).toBe(vector.hash / 2 ** 32);
      expect(inRollout(EXPERIENCE, user, 20)).toBe(vector.inTwentyPercent);
      expect(variantIndex(EXPERIENCE, user, 50, [50, 50])).toBe(vector.variantAtHalfTraffic);
      const picked = pickExclusive(user, [
        { id: EXPERIENCE, trafficPercentage: 100 },
        { id: OTHER, trafficPercentage: 50 },
      ]);
      expect(picked?.id).toBe(vector.exclusivePick === "A" ? EXPERIENCE : OTHER);
    },
  );
});

describe("positions", () => {
  test("are uniform: 100,000 ids over 100 buckets pass a chi-square test at p = 0.001", () => {
    const buckets = new Array(100).fill(0);
    for (const user of USERS) buckets[Math.floor(position(EXPERIENCE, user) * 100)]++;
    expect(fitPValue(buckets, new Array(100).fill(0.01))).toBeGreaterThan(0.001);
  });

  test("are independent between experiences: the joint 10 × 10 buckets are uniform", () => {
    const joint = new Array(100).fill(0);
    for (const user of USERS)
      joint[Math.floor(position(EXPERIENCE, user) * 10) * 10 + Math.floor(position(OTHER, user) * 10)]++;
    expect(fitPValue(joint, new Array(100).fill(0.01))).toBeGreaterThan(0.001);
  });

  test("are the same in another process: nothing but the two ids goes in (no seed, clock or state of this process)", () => {
    const ROOT = path.join(__dirname, "..", "..");
    const elsewhere = execFileSync(
      process.execPath,
      [
        "-r",
        path.join(ROOT, "scripts", "register-ts.js"),
        "-e",
        `const { position } = require(${JSON.stringify(path.join(ROOT, "src", "evaluation", "bucketing.ts"))});
         process.stdout.write(JSON.stringify(Array.from({ length: 1000 }, (_, i) => position(${JSON.stringify(EXPERIENCE)}, "user-" + i))));`,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(JSON.parse(elsewhere)).toEqual(USERS.slice(0, 1000).map((u) => position(EXPERIENCE, u)));
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

  test("weights that sum to 100 only within rounding give the sliver at the top to the last variant", () => {
    // 0.02 + 68.46 + 31.52 is 99.99999999999999 in binary64: a position in [that, 100) is past every sum.
    const weights = [0.02, 68.46, 31.52];
    const sum = weights.reduce((a, b) => a + b);
    expect(sum).toBeLessThan(100);
    expect(variantAt(sum, weights)).toBe(2);
    expect(variantAt(99.99999999999999, weights)).toBe(2);
    expect(variantAt(0, weights)).toBe(0);
    expect(variantAt(0.02, weights)).toBe(1);
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
