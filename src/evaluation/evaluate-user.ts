import type { UserFacts } from "../segments/segment-matching";
import { inRollout, pickExclusive, variantIndex } from "./bucketing";
import { ExperienceStatus } from "../experiences/experience-kind";
import type { CompiledTest, CompiledVariant, Ruleset } from "./ruleset";

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

/**
 * Why a value was served, in OpenFeature's terms (its SDKs show it): a split by hash (an A/B variant,
 * a partial rollout), a segment's targeting, a value for everyone, or the key's default.
 */
export enum Reason {
  SPLIT = "SPLIT",
  TARGETING_MATCH = "TARGETING_MATCH",
  STATIC = "STATIC",
  DEFAULT = "DEFAULT",
}

export interface EvaluatedValue {
  key: string;
  value: unknown;
  source: ValueSource;
  experienceId: string | null;
  reason: Reason;
}

/** The user's stored A/B state. */
export interface UserAssignments {
  /** Test id → variant id. */
  variants: ReadonlyMap<string, string>;
  /** The exclusive test whose slot the user holds, if any. */
  slotTestId: string | null;
}

export interface Placement {
  testId: string;
  variantId: string;
  /** The keys the test sets: the user claims them, so no other test setting one of them gets the user. */
  keyIds: string[];
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
 * The new assignments a first qualifying evaluation records, in the order they are to be written:
 * - candidates are RUNNING tests (a PAUSED one lets nobody new in) the user is in by segment and
 *   traffic, not yet holds, and is not pinned to as a test user;
 * - tests that set a common key never share a user: a candidate setting a key of a test the user
 *   holds (RUNNING or PAUSED) or is pinned to is out, and among the rest the one of highest priority
 *   (then the earliest started) wins each key: `liveTests` is in that order;
 * - mutually exclusive tests: none while the user holds a slot in a live one; otherwise exactly one
 *   of those the user can enter, picked by hash in proportion to traffic (bucketing.ts), so tests
 *   running side by side share their common users fairly. A pick that loses its key to a test of
 *   higher precedence could not be entered: the pick is made again without it.
 * The database has the last word (EvaluationService.record): a concurrent evaluation's placement
 * that claimed a key or a slot first stands, and this one is then not written.
 */
export function placements(
  ruleset: Ruleset,
  userId: string,
  segments: Set<string>,
  state: UserAssignments,
): Placement[] {
  const pinned = ruleset.testUsers.get(userId) ?? [];
  const held = new Set<string>();
  for (const test of ruleset.liveTests)
    if (state.variants.has(test.id)) test.keys.forEach((key) => held.add(key));
  for (const { test } of pinned) test.keys.forEach((key) => held.add(key));

  const candidates: Candidate[] = [];
  for (const test of ruleset.liveTests) {
    if (
      test.status !== ExperienceStatus.RUNNING ||
      state.variants.has(test.id) ||
      !targets(test.segmentId, segments)
    )
      continue;
    if (pinned.some((pin) => pin.test === test) || sharesAKey(test, held)) continue;
    const index = variantIndex(test.id, userId, test.trafficPercentage, test.weights);
    if (index !== null)
      candidates.push({
        test,
        variantId: test.variants[index].id,
        id: test.id,
        trafficPercentage: test.trafficPercentage,
      });
  }
  const slotIsLive = state.slotTestId !== null && ruleset.liveExclusiveTestIds.has(state.slotTestId);
  let exclusives = slotIsLive ? [] : candidates.filter(({ test }) => test.mutuallyExclusive);
  for (;;) {
    const pick = pickExclusive(userId, exclusives);
    const placed = byPrecedence(candidates, pick?.test ?? null, held, state.slotTestId);
    if (!pick || placed.some((placement) => placement.testId === pick.id)) return placed;
    exclusives = exclusives.filter((candidate) => candidate !== pick);
  }
}

/** A test the user qualifies for, with the variant they would get; `id` and traffic for the exclusive pick. */
interface Candidate {
  test: CompiledTest;
  variantId: string;
  id: string;
  trafficPercentage: number;
}

/** The candidates in precedence order, each placed unless a key it sets is taken; of the exclusive ones only `exclusive`. */
function byPrecedence(
  candidates: Candidate[],
  exclusive: CompiledTest | null,
  held: Set<string>,
  slotTestId: string | null,
): Placement[] {
  const claimed = new Set(held);
  const placed: Placement[] = [];
  for (const { test, variantId } of candidates) {
    if (test.mutuallyExclusive && test !== exclusive) continue;
    if (sharesAKey(test, claimed)) continue;
    test.keys.forEach((key) => claimed.add(key));
    placed.push({
      testId: test.id,
      variantId,
      keyIds: test.keyIds,
      exclusive: test.mutuallyExclusive ? { replacesSlotOf: slotTestId } : null,
    });
  }
  return placed;
}

function sharesAKey(test: CompiledTest, claimed: Set<string>): boolean {
  for (const key of test.keys) if (claimed.has(key)) return true;
  return false;
}

/**
 * Each active key's value for the user, and where it came from. Per key, the first of: the user's
 * variant in an A/B test that serves them and sets the key; the key's running feature flag, if the
 * user is in its segment and rollout; the matching product config of the highest priority (then the
 * earliest started); the key's default.
 */
export function resolveValues(
  ruleset: Ruleset,
  userId: string,
  segments: Set<string>,
  variants: ReadonlyMap<string, string>,
): EvaluatedValue[] {
  // The keys the user's variants set, the first serving test first: built once, so each key is one lookup.
  const fromTests = new Map<string, { value: unknown; testId: string }>();
  for (const { test, variant } of servingVariants(ruleset, userId, segments, variants)) {
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
        reason: Reason.SPLIT,
      };
    const flag = key.flag;
    if (flag && targets(flag.segmentId, segments) && inRollout(flag.id, userId, flag.rolloutPercentage)) {
      return {
        key: key.name,
        value: flag.value,
        source: ValueSource.FEATURE_FLAG,
        experienceId: flag.id,
        reason: flag.rolloutPercentage < 100 ? Reason.SPLIT : targetedOrStatic(flag.segmentId),
      };
    }
    const config = key.configs.find((candidate) => targets(candidate.segmentId, segments));
    if (config)
      return {
        key: key.name,
        value: config.value,
        source: ValueSource.PRODUCT_CONFIG,
        experienceId: config.id,
        reason: targetedOrStatic(config.segmentId),
      };
    return {
      key: key.name,
      value: key.defaultValue,
      source: ValueSource.DEFAULT,
      experienceId: null,
      reason: Reason.DEFAULT,
    };
  });
}

function targetedOrStatic(segmentId: string | null): Reason {
  return segmentId === null ? Reason.STATIC : Reason.TARGETING_MATCH;
}

/** The user's variants in the tests that serve them, by name, as evaluate reports them. */
export function servedAssignments(
  ruleset: Ruleset,
  userId: string,
  segments: Set<string>,
  variants: ReadonlyMap<string, string>,
): { abTestId: string; variant: string }[] {
  return servingVariants(ruleset, userId, segments, variants).map(({ test, variant }) => ({
    abTestId: test.id,
    variant: variant.name,
  }));
}

/**
 * The tests that serve the user, each with its variant: first the tests the user is pinned to as a
 * test user (whatever their status, segment or traffic), then, in precedence order, the RUNNING or
 * PAUSED tests the user is assigned to (a test with `stickyTarget` false only while the user is in
 * its segment: the assignment is kept and serves again when they are).
 */
function servingVariants(
  ruleset: Ruleset,
  userId: string,
  segments: Set<string>,
  variants: ReadonlyMap<string, string>,
) {
  const serving: { test: CompiledTest; variant: CompiledVariant }[] = [
    ...(ruleset.testUsers.get(userId) ?? []),
  ];
  for (const test of ruleset.liveTests) {
    if (serving.some((pin) => pin.test === test)) continue;
    const variant = test.variants.find((candidate) => candidate.id === variants.get(test.id));
    if (variant && (test.stickyTarget || targets(test.segmentId, segments))) serving.push({ test, variant });
  }
  return serving;
}
