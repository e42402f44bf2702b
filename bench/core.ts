import { GrowthBookClient } from "@growthbook/growthbook";
import { placements, resolveValues, segmentsOf, servedAssignments } from "../src/evaluation/evaluate-user";
import { compileRuleset, type Ruleset, type RulesetSource } from "../src/evaluation/ruleset";
import { ExperienceKind, ExperienceStatus } from "../src/experiences/experience-kind";
import { Match, Operator } from "../src/segments/segment-rule";
import type { UserFacts } from "../src/segments/segment-matching";
import { propertiesOf } from "../src/shared/properties";
import type { Dataset } from "./dataset";

/**
 * One "full evaluation": every key's value for one user, segments, rollouts and variants included.
 * Ours runs the pure core of `evaluate` (what the server does once the user's rows are read);
 * GrowthBook's server-side client evaluates the same data set translated to its feature format.
 */

const id = (prefix: number, index: number) =>
  `0190b2c4-0000-7000-8000-${prefix.toString().padStart(4, "0")}${index.toString().padStart(8, "0")}`;

/** The data set as the rows our ruleset is compiled from. */
export function rulesetSource(data: Dataset): RulesetSource {
  const startedAt = (order: number) => new Date(1_800_000_000_000 + order);
  const experience = (
    kind: ExperienceKind,
    index: number,
    extra: Partial<RulesetSource["experiences"][number]>,
  ) => ({
    id: id(kind === ExperienceKind.PRODUCT_CONFIG ? 3 : kind === ExperienceKind.FEATURE_FLAG ? 4 : 5, index),
    kind,
    status: ExperienceStatus.RUNNING,
    segmentId: null,
    priority: null,
    stickyTarget: null,
    rolloutPercentage: null,
    trafficPercentage: null,
    mutuallyExclusive: null,
    startedAt: startedAt(index),
    ...extra,
  });
  const source: RulesetSource = {
    keys: data.keys.map((key, i) => ({ id: id(1, i), name: key.name, defaultValue: key.defaultValue })),
    segments: data.segments.map((segment, i) => ({
      id: id(2, i),
      rule: {
        match: Match.ALL,
        conditions: segment.conditions.map((c) => ({
          type: "property" as const,
          property: c.property,
          operator: Operator.EQUALS,
          values: [c.value],
        })),
        groups: [],
      },
    })),
    experiences: [],
    values: [],
    variants: [],
    testUsers: [],
  };
  data.configs.forEach((config, i) => {
    const row = experience(ExperienceKind.PRODUCT_CONFIG, i, {
      segmentId: id(2, config.segment),
      priority: config.priority,
    });
    source.experiences.push(row);
    for (const value of config.values)
      source.values.push({
        experienceId: row.id,
        variantId: null,
        keyId: id(1, value.key),
        value: value.value,
      });
  });
  data.flags.forEach((flag, i) => {
    const row = experience(ExperienceKind.FEATURE_FLAG, i, {
      segmentId: flag.segment === null ? null : id(2, flag.segment),
      rolloutPercentage: flag.rolloutPercentage,
    });
    source.experiences.push(row);
    source.values.push({ experienceId: row.id, variantId: null, keyId: id(1, flag.key), value: flag.value });
  });
  data.tests.forEach((test, i) => {
    const row = experience(ExperienceKind.AB_TEST, i, {
      segmentId: test.segment === null ? null : id(2, test.segment),
      trafficPercentage: test.trafficPercentage,
      mutuallyExclusive: test.mutuallyExclusive,
      priority: 0,
      stickyTarget: true,
    });
    source.experiences.push(row);
    test.variants.forEach((variant, position) => {
      const variantId = id(6, i * 10 + position);
      source.variants.push({
        id: variantId,
        experienceId: row.id,
        name: variant.name,
        weight: variant.weight,
        position,
      });
      for (const value of variant.values)
        source.values.push({ experienceId: row.id, variantId, keyId: id(1, value.key), value: value.value });
    });
  });
  return source;
}

/** Our full evaluation of one user: membership, placements, every key's value, the assignments. */
export function evaluateWithCore(
  ruleset: Ruleset,
  user: { id: string; properties: Record<string, string> },
): number {
  // Built per call, as the server builds it from the profile and the request: part of the cost.
  const facts: UserFacts = { properties: propertiesOf(user.properties), now: 0, events: () => [] };
  const segments = segmentsOf(ruleset, facts);
  const variants = new Map(
    placements(ruleset, user.id, segments, { variants: new Map(), slotTestId: null }).map((p) => [
      p.testId,
      p.variantId,
    ]),
  );
  const values = resolveValues(ruleset, user.id, segments, variants);
  return values.length + servedAssignments(ruleset, user.id, segments, variants).length;
}

/** The same data set as GrowthBook features: per key, its experiment, flag and config rules in our precedence. */
export function growthBookFeatures(
  data: Dataset,
): Record<string, { defaultValue: unknown; rules: object[] }> {
  const condition = (segment: number | null) =>
    segment === null
      ? undefined
      : Object.fromEntries(data.segments[segment].conditions.map((c) => [c.property, c.value]));
  const features: Record<string, { defaultValue: unknown; rules: object[] }> = {};
  data.keys.forEach((key) => (features[key.name] = { defaultValue: key.defaultValue, rules: [] }));
  const exclusive = data.tests.filter((test) => test.mutuallyExclusive);
  data.tests.forEach((test) => {
    const share = exclusive.indexOf(test);
    for (const { key } of test.variants.flatMap((variant) => variant.values)) {
      const name = data.keys[key].name;
      if (features[name].rules.some((rule) => (rule as { key?: string }).key === test.name)) continue;
      features[name].rules.push({
        key: test.name,
        condition: condition(test.segment),
        coverage: test.trafficPercentage / 100,
        hashAttribute: "id",
        weights: test.variants.map((variant) => variant.weight / 100),
        variations: test.variants.map(
          (variant) =>
            variant.values.find((value) => value.key === key)?.value ?? data.keys[key].defaultValue,
        ),
        ...(share >= 0
          ? { namespace: ["exclusive", share / exclusive.length, (share + 1) / exclusive.length] }
          : {}),
      });
    }
  });
  data.flags.forEach((flag) => {
    features[data.keys[flag.key].name].rules.push({
      condition: condition(flag.segment),
      force: flag.value,
      coverage: flag.rolloutPercentage / 100,
      hashAttribute: "id",
    });
  });
  [...data.configs]
    .sort((a, b) => b.priority - a.priority)
    .forEach((config) => {
      for (const value of config.values)
        features[data.keys[value.key].name].rules.push({
          condition: condition(config.segment),
          force: value.value,
        });
    });
  return features;
}

export function growthBookClient(data: Dataset): GrowthBookClient {
  return new GrowthBookClient().initSync({ payload: { features: growthBookFeatures(data) } });
}

/** GrowthBook's full evaluation of one user: every key's value. */
export function evaluateWithGrowthBook(
  client: GrowthBookClient,
  keys: string[],
  user: { id: string; properties: Record<string, string> },
): number {
  const context = { attributes: { id: user.id, ...user.properties } };
  let count = 0;
  for (const key of keys) if (client.evalFeature(key, context).value !== undefined) count++;
  return count;
}

/** Full evaluations per second over `seconds`, after a warm-up. */
export function rate(evaluate: (user: number) => number, seconds: number): number {
  const warmUntil = Date.now() + Math.min(1000, seconds * 300);
  let sink = 0;
  for (let i = 0; Date.now() < warmUntil; i++) sink += evaluate(i);
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let done = 0;
  while (process.hrtime.bigint() < end) {
    for (let batch = 0; batch < 100; batch++) sink += evaluate(done++);
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) throw new Error("unreachable: keeps the work from being optimized away");
  return done / elapsed;
}

export { compileRuleset };
