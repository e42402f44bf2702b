import type { UserFacts } from "../segments/segment-matching";
import { inRollout, pickExclusive, variantIndex } from "./bucketing";
import type { CompiledTest, Ruleset } from "./ruleset";

/**
 * What one user gets, decided in memory from a compiled ruleset and the user's facts. Pure: the
 * service loads the facts, writes the new assignments this asks for, and resolves the values.
 */

export enum ValueSource {
  DEFAULT = "DEFAULT",
  PRODUCT_CONFIG = "PRODUCT_CONFIG",
  FEATURE_FLAG = "FEATURE_FLAG",
  AB_TEST = "AB_TEST",
}

export interface EvaluatedValue {
  key: string;
  value: unknown;
  source: ValueSource;
  experienceId: string | null;
}

/** The user's stored A/B state. */
export interface UserAssignments {
  /** Test id → variant id. */
  variants: Map<string, string>;
  /** The exclusive test whose slot the user holds, if any. */
  slotTestId: string | null;
}

export interface Placement {
  testId: string;
  variantId: string;
  /** For an exclusive test: the slot to take, replacing this test's stale slot if set. */
  exclusive: { replacesSlotOf: string | null } | null;
}

/** The ids of the active segments the user is in. */
export function segmentsOf(ruleset: Ruleset, facts: UserFacts): Set<string> {
  const member = new Set<string>();
  for (const segment of ruleset.segments) if (segment.matches(facts)) member.add(segment.id);
  return member;
}

function targets(segmentId: string | null, segments: Set<string>): boolean {
  return segmentId === null || segments.has(segmentId);
}

/**
 * The new assignments a first qualifying evaluation records: each running test the user is in
 * (segment and traffic) but not yet assigned to; among exclusive tests, at most one, and none while
 * the user holds a slot in a running or paused one.
 */
export function placements(
  ruleset: Ruleset,
  userId: string,
  segments: Set<string>,
  state: UserAssignments,
): Placement[] {
  const placed: Placement[] = [];
  const exclusiveCandidates: {
    test: CompiledTest;
    variantId: string;
    id: string;
    trafficPercentage: number;
  }[] = [];
  for (const test of ruleset.runningTests) {
    if (state.variants.has(test.id) || !targets(test.segmentId, segments)) continue;
    const index = variantIndex(test.id, userId, test.trafficPercentage, test.weights);
    if (index === null) continue;
    const variantId = test.variants[index].id;
    if (test.mutuallyExclusive)
      exclusiveCandidates.push({ test, variantId, id: test.id, trafficPercentage: test.trafficPercentage });
    else placed.push({ testId: test.id, variantId, exclusive: null });
  }
  const slotIsLive = state.slotTestId !== null && ruleset.liveExclusiveTestIds.has(state.slotTestId);
  if (!slotIsLive) {
    const pick = pickExclusive(userId, exclusiveCandidates);
    if (pick)
      placed.push({
        testId: pick.id,
        variantId: pick.variantId,
        exclusive: { replacesSlotOf: state.slotTestId },
      });
  }
  return placed;
}

/**
 * Each active key's value for the user, and where it came from. Per key, the first of: the
 * variant of a running test the user is assigned to that sets the key (earliest started test
 * first); the key's running feature flag, if the user is in its segment and rollout; the matching
 * product config of the highest priority (then the earliest started); the key's default.
 */
export function resolveValues(
  ruleset: Ruleset,
  userId: string,
  segments: Set<string>,
  variants: Map<string, string>,
): EvaluatedValue[] {
  // The keys the user's variants set, first test first: built once, so each key is one lookup.
  const fromTests = new Map<string, { value: unknown; testId: string }>();
  for (const { test, variant } of assignedVariants(ruleset, variants)) {
    for (const [keyId, value] of variant.values)
      if (!fromTests.has(keyId)) fromTests.set(keyId, { value, testId: test.id });
  }
  return ruleset.keys.map((key) => {
    const fromTest = fromTests.get(key.id);
    if (fromTest)
      return {
        key: key.name,
        value: fromTest.value,
        source: ValueSource.AB_TEST,
        experienceId: fromTest.testId,
      };
    const flag = key.flag;
    if (flag && targets(flag.segmentId, segments) && inRollout(flag.id, userId, flag.rolloutPercentage)) {
      return { key: key.name, value: flag.value, source: ValueSource.FEATURE_FLAG, experienceId: flag.id };
    }
    const config = key.configs.find((candidate) => targets(candidate.segmentId, segments));
    if (config)
      return {
        key: key.name,
        value: config.value,
        source: ValueSource.PRODUCT_CONFIG,
        experienceId: config.id,
      };
    return { key: key.name, value: key.defaultValue, source: ValueSource.DEFAULT, experienceId: null };
  });
}

/** The user's variants in the running tests, by name, as evaluate reports them. */
export function runningAssignments(
  ruleset: Ruleset,
  variants: Map<string, string>,
): { abTestId: string; variant: string }[] {
  return assignedVariants(ruleset, variants).map(({ test, variant }) => ({
    abTestId: test.id,
    variant: variant.name,
  }));
}

/** The running tests the user is assigned to, earliest started first, with the variant of each. */
function assignedVariants(ruleset: Ruleset, variants: Map<string, string>) {
  return ruleset.runningTests.flatMap((test) => {
    const variant = test.variants.find((candidate) => candidate.id === variants.get(test.id));
    return variant ? [{ test, variant }] : [];
  });
}
