/**
 * Deterministic bucketing: where a user falls in an experience depends only on the experience's id
 * and the user's id, so every process, restart and SDK computes the same answer.
 *
 *   position(experienceId, userId) = murmur3_x86_32(utf8("<experienceId>:<userId>"), seed 0) / 2^32
 *
 * - Feature flag: the user is in the rollout when position < rolloutPercentage / 100. Raising the
 *   percentage only adds users: everyone below the old threshold is below the new one.
 * - A/B test: the user is in the traffic when position < trafficPercentage / 100; the variant is
 *   the one whose cumulative weight range (in variant order, percent) holds position / traffic × 100,
 *   which is uniform over [0, 100) for the users in the traffic.
 * - Mutually exclusive tests: among the running exclusive tests a free user qualifies for, the one
 *   with the highest ln(u) / trafficPercentage wins, where u = (murmur3 of
 *   "<experienceId>:<userId>:exclusive" + 0.5) / 2^32. This weighted rendezvous pick gives each test
 *   a share of the common users in proportion to its traffic, and a test's users stay put when
 *   other tests come or go.
 *
 * docs/BUCKETING.md has test vectors for SDK authors.
 */

const TWO_POW_32 = 4294967296;

/** MurmurHash3 x86 32-bit of the UTF-8 bytes of `text`. */
export function murmur3(text: string, seed = 0): number {
  const bytes = utf8(text);
  const length = bytes.length;
  const blocks = length & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = bytes[blocks];
    if (tail >= 2) k ^= bytes[blocks + 1] << 8;
    if (tail === 3) k ^= bytes[blocks + 2] << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();
const asciiBuffer = new Uint8Array(512);

/** UTF-8 bytes; ids are nearly always ASCII, so that case avoids an allocation. */
function utf8(text: string): Uint8Array {
  if (text.length <= asciiBuffer.length) {
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) {
        ascii = false;
        break;
      }
      asciiBuffer[i] = code;
    }
    if (ascii) return asciiBuffer.subarray(0, text.length);
  }
  return encoder.encode(text);
}

/** Where the user falls in the experience: a number in [0, 1). */
export function position(experienceId: string, userId: string): number {
  return murmur3(`${experienceId}:${userId}`) / TWO_POW_32;
}

export function inRollout(experienceId: string, userId: string, rolloutPercentage: number): boolean {
  return position(experienceId, userId) * 100 < rolloutPercentage;
}

/**
 * The index of the user's variant, or null when the user is outside the test's traffic.
 * `weights` are percentages summing to 100, in variant order.
 */
export function variantIndex(
  experienceId: string,
  userId: string,
  trafficPercentage: number,
  weights: readonly number[],
): number | null {
  const at = position(experienceId, userId) * 100;
  if (at >= trafficPercentage) return null;
  return variantAt((at / trafficPercentage) * 100, weights);
}

/**
 * The variant whose cumulative weight range (percent, in order) holds `within` ∈ [0, 100). Weights
 * that sum to 100 only within rounding can leave a sliver at the top: it belongs to the last one.
 */
export function variantAt(within: number, weights: readonly number[]): number {
  let upper = 0;
  for (let i = 0; i < weights.length; i++) {
    upper += weights[i];
    if (within < upper) return i;
  }
  return weights.length - 1;
}

export interface ExclusiveCandidate {
  id: string;
  trafficPercentage: number;
}

/** The exclusive test a free user is placed in, among those they qualify for (see the top of the file). */
export function pickExclusive<T extends ExclusiveCandidate>(
  userId: string,
  candidates: readonly T[],
): T | null {
  let best: T | null = null;
  let bestScore = -Infinity;
  for (const candidate of candidates) {
    const u = (murmur3(`${candidate.id}:${userId}:exclusive`) + 0.5) / TWO_POW_32;
    const score = Math.log(u) / candidate.trafficPercentage;
    if (score > bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  return best;
}
