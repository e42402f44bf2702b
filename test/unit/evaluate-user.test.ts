import {
  placements,
  resolveValues,
  servedAssignments,
  type UserAssignments,
} from "../../src/evaluation/evaluate-user";
import { compileRuleset, type RulesetSource } from "../../src/evaluation/ruleset";
import { ExperienceKind, ExperienceStatus } from "../../src/experiences/experience-kind";
import { Match, Operator } from "../../src/segments/segment-rule";
import { referenceExclusivePick, referenceVariant } from "../helpers/reference-bucketing";

/*
 * The pure placement core: which tests a new user enters, and which of their tests serve them.
 * Rulesets are built from plain rows, as the server compiles them; expectations come from the
 * independent reference bucketing (test/helpers/reference-bucketing.ts).
 */

const KEY = "0190b2c4-0000-7000-8000-0000000000k1";
const OTHER_KEY = "0190b2c4-0000-7000-8000-0000000000k2";
const SEGMENT = "0190b2c4-0000-7000-8000-00000000seg1";

interface TestSpec {
  id: string;
  keys: string[];
  status?: ExperienceStatus;
  priority?: number;
  startedAt?: number;
  traffic?: number;
  exclusive?: boolean;
  segmentId?: string | null;
  stickyTarget?: boolean;
}

function ruleset(tests: TestSpec[], pins: RulesetSource["testUsers"] = []) {
  const source: RulesetSource = {
    keys: [
      { id: KEY, name: "headline", defaultValue: "default" },
      { id: OTHER_KEY, name: "button", defaultValue: "plain" },
    ],
    segments: [
      {
        id: SEGMENT,
        rule: {
          match: Match.ALL,
          conditions: [{ type: "property", property: "city", operator: Operator.EQUALS, values: ["Oslo"] }],
          groups: [],
        },
      },
    ],
    experiences: tests.map((test) => ({
      id: test.id,
      kind: ExperienceKind.AB_TEST,
      status: test.status ?? ExperienceStatus.RUNNING,
      segmentId: test.segmentId ?? null,
      priority: test.priority ?? 0,
      stickyTarget: test.stickyTarget ?? true,
      rolloutPercentage: null,
      trafficPercentage: test.traffic ?? 100,
      mutuallyExclusive: test.exclusive ?? false,
      startedAt: test.status === ExperienceStatus.DRAFT ? null : new Date(test.startedAt ?? 0),
    })),
    variants: tests.flatMap((test) => [
      { id: `${test.id}-a`, experienceId: test.id, name: "a", weight: 50, position: 0 },
      { id: `${test.id}-b`, experienceId: test.id, name: "b", weight: 50, position: 1 },
    ]),
    values: tests.flatMap((test) =>
      ["a", "b"].flatMap((variant) =>
        test.keys.map((keyId) => ({
          experienceId: test.id,
          variantId: `${test.id}-${variant}`,
          keyId,
          value: `${test.id}-${variant}`,
        })),
      ),
    ),
    testUsers: pins,
  };
  return compileRuleset(source);
}

const NEW_USER: UserAssignments = { variants: new Map(), slotTestId: null };
const users = Array.from({ length: 500 }, (_, i) => `user-${i}`);
const variantOf = (testId: string, userId: string, traffic = 100) =>
  `${testId}-${["a", "b"][referenceVariant(testId, userId, traffic, [50, 50])!]}`;

describe("placements", () => {
  test("of tests sharing a key a new user enters the highest priority one, then the earliest started", () => {
    const rules = ruleset([
      { id: "t-early", keys: [KEY], startedAt: 1 },
      { id: "t-late", keys: [KEY], startedAt: 2 },
      { id: "t-high", keys: [KEY, OTHER_KEY], priority: 2, startedAt: 3, traffic: 30 },
    ]);
    for (const user of users) {
      const inHigh = referenceVariant("t-high", user, 30, [50, 50]) !== null;
      const expected = inHigh
        ? [
            {
              testId: "t-high",
              variantId: variantOf("t-high", user, 30),
              keyIds: [KEY, OTHER_KEY],
              exclusive: null,
            },
          ]
        : [{ testId: "t-early", variantId: variantOf("t-early", user), keyIds: [KEY], exclusive: null }];
      expect(placements(rules, user, new Set(), NEW_USER)).toEqual(expected);
    }
  });

  test("a user holding a test sharing a key enters no other test setting it, paused or not, whatever its priority", () => {
    for (const status of [ExperienceStatus.RUNNING, ExperienceStatus.PAUSED]) {
      const rules = ruleset([
        { id: "t-held", keys: [KEY], status },
        { id: "t-high", keys: [KEY], priority: 9 },
        { id: "t-free", keys: [OTHER_KEY] },
      ]);
      const state = { variants: new Map([["t-held", "t-held-a"]]), slotTestId: null };
      expect(placements(rules, "u", new Set(), state).map((p) => p.testId)).toEqual(["t-free"]);
    }
  });

  test("a paused test lets nobody new in", () => {
    const rules = ruleset([{ id: "t-paused", keys: [KEY], status: ExperienceStatus.PAUSED }]);
    for (const user of users) expect(placements(rules, user, new Set(), NEW_USER)).toEqual([]);
  });

  test("an exclusive test that shares a key with a held test is not picked: the user gets the other exclusive test", () => {
    const rules = ruleset([
      { id: "t-held", keys: [KEY] },
      { id: "t-ex-shared", keys: [KEY], exclusive: true },
      { id: "t-ex-free", keys: [OTHER_KEY], exclusive: true },
    ]);
    for (const user of users) {
      const state = { variants: new Map([["t-held", "t-held-a"]]), slotTestId: null };
      expect(placements(rules, user, new Set(), state).map((p) => p.testId)).toEqual(["t-ex-free"]);
    }
  });

  test("an exclusive pick that loses its key to a test of higher priority is picked again among the others", () => {
    const rules = ruleset([
      { id: "t-top", keys: [KEY], priority: 5 },
      { id: "t-ex-shared", keys: [KEY], exclusive: true },
      { id: "t-ex-free", keys: [OTHER_KEY], exclusive: true, traffic: 50 },
    ]);
    for (const user of users) {
      const ids = placements(rules, user, new Set(), NEW_USER).map((p) => p.testId);
      const inFree = referenceVariant("t-ex-free", user, 50, [50, 50]) !== null;
      expect(ids).toEqual(inFree ? ["t-top", "t-ex-free"] : ["t-top"]);
    }
  });

  test("exclusive tests without shared keys are picked by hash in proportion to traffic", () => {
    const rules = ruleset([
      { id: "t-ex-1", keys: [KEY], exclusive: true },
      { id: "t-ex-2", keys: [OTHER_KEY], exclusive: true, traffic: 40 },
    ]);
    for (const user of users) {
      const qualified = [{ id: "t-ex-1", trafficPercentage: 100 }];
      if (referenceVariant("t-ex-2", user, 40, [50, 50]) !== null)
        qualified.push({ id: "t-ex-2", trafficPercentage: 40 });
      const ids = placements(rules, user, new Set(), NEW_USER).map((p) => p.testId);
      expect(ids).toEqual([referenceExclusivePick(user, qualified)]);
    }
  });

  test("a QA user is never placed in the test they are pinned to, nor in another test setting its keys", () => {
    const rules = ruleset(
      [
        { id: "t-pinned", keys: [KEY], status: ExperienceStatus.DRAFT },
        { id: "t-rival", keys: [KEY], priority: 3 },
        { id: "t-free", keys: [OTHER_KEY] },
      ],
      [{ experienceId: "t-pinned", userId: "qa", variantId: "t-pinned-b" }],
    );
    expect(placements(rules, "qa", new Set(), NEW_USER).map((p) => p.testId)).toEqual(["t-free"]);
  });
});

describe("what serves", () => {
  test("a QA user's pin serves first, whatever the test's status, segment and traffic", () => {
    const rules = ruleset(
      [
        { id: "t-draft", keys: [KEY], status: ExperienceStatus.DRAFT, segmentId: SEGMENT, traffic: 1 },
        { id: "t-running", keys: [KEY, OTHER_KEY], priority: 7 },
      ],
      [{ experienceId: "t-draft", userId: "qa", variantId: "t-draft-b" }],
    );
    const variants = new Map([["t-running", "t-running-a"]]);
    expect(
      resolveValues(rules, "qa", new Set(), variants).map((v) => [v.key, v.value, v.experienceId]),
    ).toEqual([
      ["button", "t-running-a", "t-running"],
      ["headline", "t-draft-b", "t-draft"],
    ]);
    expect(servedAssignments(rules, "qa", new Set(), variants)).toEqual([
      { abTestId: "t-draft", variant: "b" },
      { abTestId: "t-running", variant: "a" },
    ]);
  });

  test("a pin decides over the user's own assignment in the same test: the pinned variant serves, once", () => {
    const rules = ruleset(
      [{ id: "t", keys: [KEY, OTHER_KEY] }],
      [{ experienceId: "t", userId: "placed-then-pinned", variantId: "t-b" }],
    );
    const variants = new Map([["t", "t-a"]]);
    expect(
      resolveValues(rules, "placed-then-pinned", new Set(), variants).map((v) => [v.key, v.value, v.source]),
    ).toEqual([
      ["button", "t-b", "AB_TEST"],
      ["headline", "t-b", "AB_TEST"],
    ]);
    expect(servedAssignments(rules, "placed-then-pinned", new Set(), variants)).toEqual([
      { abTestId: "t", variant: "b" },
    ]);
  });

  test("a paused test serves its users; a stopped or unknown one does not", () => {
    const rules = ruleset([{ id: "t-paused", keys: [KEY], status: ExperienceStatus.PAUSED }]);
    const served = (variants: Map<string, string>) => resolveValues(rules, "u", new Set(), variants)[1];
    expect(served(new Map([["t-paused", "t-paused-b"]]))).toMatchObject({
      value: "t-paused-b",
      source: "AB_TEST",
    });
    expect(served(new Map([["t-stopped", "t-stopped-b"]]))).toMatchObject({
      value: "default",
      source: "DEFAULT",
    });
  });

  test("stickyTarget false serves a placed user only while they are in the segment", () => {
    for (const stickyTarget of [true, false]) {
      const rules = ruleset([{ id: "t", keys: [KEY], segmentId: SEGMENT, stickyTarget }]);
      const variants = new Map([["t", "t-a"]]);
      expect(servedAssignments(rules, "u", new Set([SEGMENT]), variants)).toHaveLength(1);
      expect(servedAssignments(rules, "u", new Set(), variants)).toHaveLength(stickyTarget ? 1 : 0);
    }
  });
});
