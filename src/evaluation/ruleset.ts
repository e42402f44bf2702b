import { ExperienceKind, ExperienceStatus } from "../experiences/experience-kind";
import { compileRule, type SegmentPredicate } from "../segments/segment-matching";
import { MAX_EVENTS_READ, type Condition, type Rule } from "../segments/segment-rule";

/**
 * What `evaluate` needs of a project, compiled once per config version and kept in memory: active
 * keys with what can override each, running experiences, and segment rules as predicates. Pure: it
 * is built from plain rows (RulesetSource), so it can be tested and benchmarked without a database.
 */

export interface RulesetSource {
  keys: { id: string; name: string; defaultValue: unknown }[];
  segments: { id: string; rule: Rule }[];
  /** Unarchived RUNNING and PAUSED experiences, and DRAFT A/B tests that have test users. */
  experiences: {
    id: string;
    kind: ExperienceKind;
    status: ExperienceStatus;
    segmentId: string | null;
    priority: number | null;
    stickyTarget: boolean | null;
    rolloutPercentage: number | null;
    trafficPercentage: number | null;
    mutuallyExclusive: boolean | null;
    startedAt: Date | null;
  }[];
  values: { experienceId: string; variantId: string | null; keyId: string; value: unknown }[];
  variants: { id: string; experienceId: string; name: string; weight: number; position: number }[];
  /** QA users pinned to variants of tests that have not stopped. */
  testUsers: { experienceId: string; userId: string; variantId: string }[];
}

type SourceExperience = RulesetSource["experiences"][number];

export interface CompiledFlag {
  id: string;
  segmentId: string | null;
  rolloutPercentage: number;
  value: unknown;
}

export interface CompiledConfig {
  id: string;
  segmentId: string | null;
  value: unknown;
}

export interface CompiledKey {
  id: string;
  name: string;
  defaultValue: unknown;
  /** The key's RUNNING feature flag, if any (a key has at most one live flag). */
  flag: CompiledFlag | null;
  /** RUNNING product configs that set the key: highest priority first, then the earliest started. */
  configs: CompiledConfig[];
}

export interface CompiledVariant {
  id: string;
  name: string;
  values: Map<string, unknown>;
}

export interface CompiledTest {
  id: string;
  status: ExperienceStatus;
  segmentId: string | null;
  trafficPercentage: number;
  mutuallyExclusive: boolean;
  /** true: a placed user keeps the variant outside the segment; false: served only while in it. */
  stickyTarget: boolean;
  /** The keys any of its variants sets: tests sharing one never share a user. */
  keys: Set<string>;
  keyIds: string[];
  variants: CompiledVariant[];
  weights: number[];
}

/**
 * Which of a user's events of one name evaluation reads: the most recent ones, inside the longest
 * window a condition on the name uses, and no more than the conditions need (the largest minCount,
 * or MAX_EVENTS_READ when a condition filters on the events' properties).
 */
export interface EventRead {
  name: string;
  /** Events older than this many milliseconds are not needed; null: any age. */
  windowMs: number | null;
  limit: number;
  /** Only conditions with `where` filters look at the events' properties. */
  withProperties: boolean;
}

export interface Ruleset {
  /** By name, the order evaluate answers in. */
  keys: CompiledKey[];
  /** Active segments, oldest first. */
  segments: { id: string; matches: SegmentPredicate }[];
  /**
   * RUNNING and PAUSED A/B tests in precedence order: the highest priority first, then the earliest
   * started. New users enter in this order, and a user's tests serve in it.
   */
  liveTests: CompiledTest[];
  /** RUNNING or PAUSED exclusive tests: a slot in one of them is taken. */
  liveExclusiveTestIds: Set<string>;
  /** QA pins by user id: the test (any status but STOPPED, DRAFT included) and the variant served. */
  testUsers: Map<string, { test: CompiledTest; variant: CompiledVariant }[]>;
  /** One read per event name the active segments' conditions mention. */
  events: EventRead[];
}

const DAY_MS = 86_400_000;

export function compileRuleset(source: RulesetSource): Ruleset {
  const running = source.experiences
    .filter((experience) => experience.status === ExperienceStatus.RUNNING)
    .sort((a, b) => startedAt(a) - startedAt(b) || (a.id < b.id ? -1 : 1));
  const valuesOf = groupBy(source.values, (value) => value.variantId ?? value.experienceId);

  const flags = new Map<string, CompiledFlag>();
  const configs = new Map<string, (CompiledConfig & { priority: number })[]>();
  for (const experience of running) {
    if (experience.kind === ExperienceKind.FEATURE_FLAG) {
      const [flagValue] = valuesOf.get(experience.id) ?? [];
      if (!flagValue) continue;
      flags.set(flagValue.keyId, {
        id: experience.id,
        segmentId: experience.segmentId,
        rolloutPercentage: experience.rolloutPercentage ?? 0,
        value: flagValue.value,
      });
    } else if (experience.kind === ExperienceKind.PRODUCT_CONFIG) {
      for (const entry of valuesOf.get(experience.id) ?? []) {
        const list = configs.get(entry.keyId) ?? [];
        list.push({
          id: experience.id,
          segmentId: experience.segmentId,
          value: entry.value,
          priority: experience.priority ?? 0,
        });
        configs.set(entry.keyId, list);
      }
    }
  }

  const variantsOf = groupBy(source.variants, (variant) => variant.experienceId);
  const compileTest = (test: SourceExperience): CompiledTest => {
    const variants = [...(variantsOf.get(test.id) ?? [])].sort((a, b) => a.position - b.position);
    const compiled = variants.map((variant) => ({
      id: variant.id,
      name: variant.name,
      values: new Map((valuesOf.get(variant.id) ?? []).map((entry) => [entry.keyId, entry.value])),
    }));
    const keyIds = [...new Set(compiled.flatMap((variant) => [...variant.values.keys()]))];
    return {
      id: test.id,
      status: test.status,
      segmentId: test.segmentId,
      trafficPercentage: test.trafficPercentage ?? 0,
      mutuallyExclusive: test.mutuallyExclusive === true,
      stickyTarget: test.stickyTarget !== false,
      keys: new Set(keyIds),
      keyIds,
      weights: variants.map((variant) => variant.weight),
      variants: compiled,
    };
  };
  const abTests = source.experiences.filter((experience) => experience.kind === ExperienceKind.AB_TEST);
  const tests = new Map(abTests.map((test) => [test.id, compileTest(test)]));
  const liveTests = abTests
    .filter((test) => test.status !== ExperienceStatus.DRAFT)
    .sort(
      (a, b) =>
        (b.priority ?? 0) - (a.priority ?? 0) || startedAt(a) - startedAt(b) || (a.id < b.id ? -1 : 1),
    )
    .map((test) => tests.get(test.id)!);
  const testUsers = new Map<string, { test: CompiledTest; variant: CompiledVariant }[]>();
  for (const pin of source.testUsers) {
    const test = tests.get(pin.experienceId);
    const variant = test?.variants.find((candidate) => candidate.id === pin.variantId);
    if (!test || !variant) continue;
    testUsers.set(pin.userId, [...(testUsers.get(pin.userId) ?? []), { test, variant }]);
  }

  return {
    keys: [...source.keys]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((key) => ({
        id: key.id,
        name: key.name,
        defaultValue: key.defaultValue,
        flag: flags.get(key.id) ?? null,
        // `running` is in start order and sort is stable: equal priorities keep the earliest started first.
        configs: (configs.get(key.id) ?? []).sort((a, b) => b.priority - a.priority),
      })),
    segments: source.segments.map((segment) => ({ id: segment.id, matches: compileRule(segment.rule) })),
    liveTests,
    liveExclusiveTestIds: new Set(liveTests.filter((test) => test.mutuallyExclusive).map((test) => test.id)),
    testUsers,
    events: eventReads(source.segments.map((segment) => segment.rule)),
  };
}

function startedAt(experience: { startedAt: Date | null }): number {
  return experience.startedAt?.getTime() ?? 0;
}

function groupBy<T>(rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(keyOf(row));
    if (list) list.push(row);
    else groups.set(keyOf(row), [row]);
  }
  return groups;
}

/** What to read of each event name the rules mention (see EventRead). */
function eventReads(rules: Rule[]): EventRead[] {
  const reads = new Map<string, EventRead>();
  const visit = (rule: Rule) => {
    rule.conditions.forEach((condition: Condition) => {
      if (condition.type !== "event") return;
      const filtered = condition.where.length > 0;
      const limit = Math.min(MAX_EVENTS_READ, filtered ? MAX_EVENTS_READ : (condition.minCount ?? 1));
      const windowMs = condition.withinDays === null ? null : condition.withinDays * DAY_MS;
      const known = reads.get(condition.event);
      reads.set(condition.event, {
        name: condition.event,
        windowMs:
          known === undefined
            ? windowMs
            : known.windowMs === null || windowMs === null
              ? null
              : Math.max(known.windowMs, windowMs),
        limit: Math.max(known?.limit ?? 0, limit),
        withProperties: (known?.withProperties ?? false) || filtered,
      });
    });
    rule.groups.forEach(visit);
  };
  rules.forEach(visit);
  return [...reads.values()];
}
