import { loadConfig } from "../../src/config";
import { isId, newId } from "../../src/shared/ids";
import { normalizeDescription, normalizeName } from "../../src/shared/names";

describe("names", () => {
  test("a name is trimmed and compared ignoring case", () => {
    expect(normalizeName("  Dark_Mode ", ["name"])).toEqual({
      ok: true,
      value: { name: "Dark_Mode", nameKey: "dark_mode" },
    });
  });

  test("empty after trimming, or over the limit, is INVALID", () => {
    expect(normalizeName(" \t ", ["name"])).toMatchObject({
      ok: false,
      errors: [{ code: "INVALID", field: ["name"] }],
    });
    expect(normalizeName("n".repeat(201), ["name"]).ok).toBe(false);
    expect(normalizeName("n".repeat(200), ["name"]).ok).toBe(true);
  });

  test("a blank description is no description", () => {
    expect(normalizeDescription("   ", ["d"])).toEqual({ ok: true, value: null });
    expect(normalizeDescription(null, ["d"])).toEqual({ ok: true, value: null });
    expect(normalizeDescription("d".repeat(1001), ["d"]).ok).toBe(false);
  });
});

describe("ids", () => {
  test("ids are UUIDv7 and sort in the order they were made, even within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => newId(1_800_000_000_000));
    expect(ids.every(isId)).toBe(true);
    expect(ids.every((id) => id[14] === "7")).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("anything not shaped like our ids is not an id", () => {
    expect(isId("1")).toBe(false);
    expect(isId("' OR 1=1 --")).toBe(false);
  });
});

describe("configuration", () => {
  test("defaults work on a laptop: port 4000 on 127.0.0.1, SQLite in ./data", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      production: false,
      logLevel: "info",
      bootstrapAdminToken: null,
      corsOrigins: ["*"],
      compression: true,
      metricsToken: null,
      rateLimitPerMinute: 0,
      webhooks: {
        timeoutMs: 10_000,
        // 5s,5m,30m,2h,5h,10h,10h
        retryScheduleMs: [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6],
        allowPrivateNetworks: false,
      },
    });
    expect(config.database).toEqual({ engine: "sqlite", file: expect.stringMatching(/data\/px\.sqlite$/) });
  });

  test.each([
    [{ PORT: "http" }, /PORT/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    [{ DATABASE_URL: "sqlite::memory:" }, /file path/],
    [{ BOOTSTRAP_ADMIN_TOKEN: "short" }, /at least 16/],
    [{ CORS_ORIGINS: "dashboard.example.com" }, /CORS_ORIGINS: "dashboard.example.com" is not an origin/],
    [{ CORS_ORIGINS: "https://example.com/app" }, /CORS_ORIGINS/],
    [{ CORS_ORIGINS: " , " }, /CORS_ORIGINS/],
    [{ COMPRESSION: "yes" }, /COMPRESSION must be on or off/],
    [{ METRICS_TOKEN: "short" }, /METRICS_TOKEN/],
    [{ RATE_LIMIT_PER_MINUTE: "-5" }, /RATE_LIMIT_PER_MINUTE/],
    [{ WEBHOOK_TIMEOUT_MS: "50" }, /WEBHOOK_TIMEOUT_MS/],
    [{ WEBHOOK_TIMEOUT_MS: "10s" }, /WEBHOOK_TIMEOUT_MS/],
    [{ WEBHOOK_RETRY_SCHEDULE: "5s,soon" }, /WEBHOOK_RETRY_SCHEDULE: "soon"/],
    [{ WEBHOOK_RETRY_SCHEDULE: "8d" }, /at most 7d/],
    [{ WEBHOOK_RETRY_SCHEDULE: Array(21).fill("1s").join(",") }, /at most 20 retries/],
    [{ WEBHOOK_ALLOW_PRIVATE_NETWORKS: "yes" }, /WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false/],
  ])("%j is refused with a message naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  test("CORS_ORIGINS takes a list of origins, or *", () => {
    expect(loadConfig({ CORS_ORIGINS: "https://a.example.com, http://localhost:5173" }).corsOrigins).toEqual([
      "https://a.example.com",
      "http://localhost:5173",
    ]);
    expect(loadConfig({ CORS_ORIGINS: "https://a.example.com,*" }).corsOrigins).toEqual(["*"]);
  });

  test("WEBHOOK_RETRY_SCHEDULE takes waits with units; empty means one attempt and no retry", () => {
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: "250ms, 2s,1m,3h,1d" }).webhooks.retryScheduleMs).toEqual([
      250, 2000, 60_000, 10_800_000, 86_400_000,
    ]);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: "" }).webhooks.retryScheduleMs).toEqual([]);
  });

  test("postgres:// URLs select PostgreSQL", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@h/db" }).database).toEqual({
      engine: "postgres",
      url: "postgres://u@h/db",
      poolSize: 10,
    });
    expect(
      loadConfig({ DATABASE_URL: "postgres://u@h/db", DATABASE_POOL_SIZE: "25" }).database,
    ).toMatchObject({ poolSize: 25 });
    expect(() => loadConfig({ DATABASE_URL: "postgres://u@h/db", DATABASE_POOL_SIZE: "0" })).toThrow(
      /DATABASE_POOL_SIZE/,
    );
  });
});
