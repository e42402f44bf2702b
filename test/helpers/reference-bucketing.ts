/**
 * A second MurmurHash3 x86 32-bit, written from the algorithm's description for the tests only and
 * deliberately unlike src/evaluation/bucketing.ts: it takes bytes (the caller says which), reads the
 * blocks with a DataView, and multiplies 32-bit words by splitting them into 16-bit halves instead
 * of Math.imul. Agreement between the two is what the bucketing vectors rest on.
 */
export function referenceMurmur3(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h = seed >>> 0;
  const whole = bytes.length - (bytes.length % 4);
  for (let offset = 0; offset < whole; offset += 4) {
    let k = view.getUint32(offset, true);
    k = multiply(k, c1);
    k = rotateLeft(k, 15);
    k = multiply(k, c2);
    h = (h ^ k) >>> 0;
    h = rotateLeft(h, 13);
    h = (multiply(h, 5) + 0xe6546b64) >>> 0;
  }
  let k = 0;
  for (let i = bytes.length - 1; i >= whole; i--) k = ((k << 8) | bytes[i]) >>> 0;
  if (bytes.length > whole) {
    k = multiply(k, c1);
    k = rotateLeft(k, 15);
    k = multiply(k, c2);
    h = (h ^ k) >>> 0;
  }
  h = (h ^ bytes.length) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = multiply(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = multiply(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** (a × b) mod 2^32 from 16-bit halves, so no partial product leaves the exact range of a double. */
function multiply(a: number, b: number): number {
  const low = (a & 0xffff) * b;
  const high = (((a >>> 16) * b) & 0xffff) << 16;
  return (low + high) >>> 0;
}

function rotateLeft(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/** The reference position of a user in an experience: the documented formula, on the reference hash. */
export function referencePosition(experienceId: string, userId: string): number {
  return referenceMurmur3(new Uint8Array(Buffer.from(`${experienceId}:${userId}`, "utf8"))) / 2 ** 32;
}

/** docs/BUCKETING.md's rollout rule on the reference hash. */
export function referenceInRollout(experienceId: string, userId: string, rolloutPercentage: number): boolean {
  return referencePosition(experienceId, userId) * 100 < rolloutPercentage;
}

/** docs/BUCKETING.md's variant rule on the reference hash: the variant's index, or null outside the traffic. */
export function referenceVariant(
  experienceId: string,
  userId: string,
  trafficPercentage: number,
  weights: number[],
): number | null {
  const at = referencePosition(experienceId, userId) * 100;
  if (at >= trafficPercentage) return null;
  const within = (at / trafficPercentage) * 100;
  let sum = 0;
  const index = weights.findIndex((weight) => within < (sum += weight));
  return index === -1 ? weights.length - 1 : index;
}

/** docs/BUCKETING.md's exclusive pick on the reference hash: the id of the test with the highest score. */
export function referenceExclusivePick(
  userId: string,
  tests: { id: string; trafficPercentage: number }[],
): string | null {
  const scored = tests.map((test) => {
    const u =
      (referenceMurmur3(new Uint8Array(Buffer.from(`${test.id}:${userId}:exclusive`, "utf8"))) + 0.5) /
      2 ** 32;
    return { id: test.id, score: Math.log(u) / test.trafficPercentage };
  });
  scored.sort((a, b) => b.score - a.score);
  return scored[0]?.id ?? null;
}
