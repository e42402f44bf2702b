import { RateLimiter } from "../../src/access/rate-limiter";

describe("RateLimiter", () => {
  test("a token may burst a minute's allowance, then runs at the steady rate; tokens are apart", () => {
    let now = 0;
    let refused = 0;
    const limiter = new RateLimiter(
      60,
      () => refused++,
      () => now,
    );
    for (let i = 0; i < 60; i++) expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBe(1);
    expect(refused).toBe(1);
    expect(limiter.take("b")).toBe(0);
    // One request a second comes back.
    now += 1000;
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBeGreaterThan(0);
    // A minute later the whole allowance is back, and never more than it.
    now += 120_000;
    for (let i = 0; i < 60; i++) expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBeGreaterThan(0);
  });

  test("the wait it names is when the next request would pass", () => {
    let now = 0;
    const limiter = new RateLimiter(
      6,
      () => {},
      () => now,
    );
    for (let i = 0; i < 6; i++) limiter.take("a");
    const wait = limiter.take("a");
    expect(wait).toBe(10);
    now += (wait - 1) * 1000;
    expect(limiter.take("a")).toBeGreaterThan(0);
    now += 1000;
    expect(limiter.take("a")).toBe(0);
  });

  test("0 means no limit", () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 10_000; i++) expect(limiter.take("a")).toBe(0);
  });
});
