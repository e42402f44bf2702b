/**
 * The benchmark's data set, described once and deterministically (a seeded generator), so the HTTP
 * server, our in-memory core and GrowthBook all see the same keys, segments and experiences.
 *
 * At scale 1: 300 keys, 50 segments of 2 property conditions, 40 running product configs of 10
 * keys, 20 feature flags at 50% rollout, 10 A/B tests (5 mutually exclusive) of 2 variants that set
 * 3 keys each. Scale s multiplies every count by s.
 */

export type KeyType = "NUMBER" | "STRING" | "BOOLEAN";

export interface DatasetKey {
  name: string;
  type: KeyType;
  defaultValue: number | string | boolean;
}

export interface Dataset {
  keys: DatasetKey[];
  segments: { name: string; conditions: { property: string; value: string }[] }[];
  configs: { name: string; segment: number; priority: number; values: { key: number; value: unknown }[] }[];
  flags: { name: string; key: number; segment: number | null; rolloutPercentage: number; value: unknown }[];
  tests: {
    name: string;
    segment: number | null;
    trafficPercentage: number;
    mutuallyExclusive: boolean;
    variants: {
      name: string;
      weight: number;
      isControl: boolean;
      values: { key: number; value: unknown }[];
    }[];
  }[];
}

export const CITIES = ["New York", "Miami", "Paris", "Berlin", "Tokyo", "Lagos", "Lima", "Delhi"];
export const DEVICES = ["iPhone", "Pixel", "Galaxy", "iPad", "Web"];
export const PLANS = ["free", "pro", "team"];

/** A small, seeded PRNG (mulberry32): the same data set on every run and machine. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function valueOf(type: KeyType, next: () => number): number | string | boolean {
  if (type === "NUMBER") return Math.floor(next() * 1000);
  if (type === "BOOLEAN") return next() < 0.5;
  return `value-${Math.floor(next() * 1e6)}`;
}

export function dataset(scale = 1): Dataset {
  const next = random(20261128 + scale);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const types: KeyType[] = ["NUMBER", "STRING", "BOOLEAN"];
  const keys = Array.from({ length: 300 * scale }, (_, i) => {
    const type = types[i % 3];
    return { name: `key_${i}`, type, defaultValue: valueOf(type, next) };
  });
  const segments = Array.from({ length: 50 * scale }, (_, i) => ({
    name: `Segment ${i}`,
    conditions: [
      { property: "city", value: pick(CITIES) },
      { property: i % 2 ? "device" : "plan", value: i % 2 ? pick(DEVICES) : pick(PLANS) },
    ],
  }));
  // Flags own the first keys (one live flag per key); configs and tests spread over the rest.
  const flags = Array.from({ length: 20 * scale }, (_, i) => ({
    name: `Flag ${i}`,
    key: i,
    segment: i % 4 === 0 ? null : Math.floor(next() * segments.length),
    rolloutPercentage: 50,
    value: valueOf(keys[i].type, next),
  }));
  const someKeys = (count: number) =>
    Array.from({ length: count }, () => 20 * scale + Math.floor(next() * (keys.length - 20 * scale))).filter(
      (key, index, all) => all.indexOf(key) === index,
    );
  const configs = Array.from({ length: 40 * scale }, (_, i) => ({
    name: `Config ${i}`,
    segment: Math.floor(next() * segments.length),
    priority: Math.floor(next() * 10),
    values: someKeys(10).map((key) => ({ key, value: valueOf(keys[key].type, next) })),
  }));
  const tests = Array.from({ length: 10 * scale }, (_, i) => {
    const testKeys = someKeys(3);
    return {
      name: `Test ${i}`,
      segment: i % 2 ? Math.floor(next() * segments.length) : null,
      trafficPercentage: 80,
      mutuallyExclusive: i % 2 === 0,
      variants: [
        { name: "control", weight: 50, isControl: true, values: [] },
        {
          name: "treatment",
          weight: 50,
          isControl: false,
          values: testKeys.map((key) => ({ key, value: valueOf(keys[key].type, next) })),
        },
      ],
    };
  });
  return { keys, segments, configs, flags, tests };
}

/** App users with the properties the segments look at. */
export function users(count: number, seed = 7): { id: string; properties: Record<string, string> }[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  return Array.from({ length: count }, (_, i) => ({
    id: `bench-user-${i}`,
    properties: { city: pick(CITIES), device: pick(DEVICES), plan: pick(PLANS) },
  }));
}
