/**
 * Requests per minute per token, in this process: a token bucket per token, refilled continuously,
 * so a client may burst up to a minute's allowance and then runs at the steady rate. One runaway SDK
 * token then cannot starve the others. With several processes each keeps its own buckets (the limit
 * is per process; docs/DEPLOYMENT.md).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private calls = 0;

  constructor(
    private readonly perMinute: number,
    private readonly onRefused: () => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the request may go ahead (and it is counted); else the seconds until it could. */
  take(tokenId: string): number {
    if (this.perMinute === 0) return 0;
    const now = this.now();
    if (++this.calls % 1000 === 0) this.forgetFull(now);
    const bucket = this.buckets.get(tokenId) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
    bucket.at = now;
    this.buckets.set(tokenId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    this.onRefused();
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute));
  }

  /** A full bucket is what a new one would be: dropping it keeps the map to the tokens in use. */
  private forgetFull(now: number): void {
    for (const [tokenId, bucket] of this.buckets)
      if (bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000 >= this.perMinute)
        this.buckets.delete(tokenId);
  }
}
