import { noSignals } from "../src/shared/signals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import type { Caller } from "../src/access/role";
import { openDatabase, type Database } from "../src/db/database";
import { sql } from "../src/db/sql";
import { ResultRollups } from "../src/results/rollups";
import { createServices, type Services } from "../src/services";
import type { Clock } from "../src/shared/clock";
import { newId } from "../src/shared/ids";
import { TrackingService } from "../src/tracking/tracking.service";

/**
 * Results at scale (`npm run bench`): a 30-day test with 3 variants and 3 goals, its assignments and
 * events written in bulk (not through GraphQL), its rollups built by the server's own rebuild, then
 * the latency of a results read (in process, through the service the resolver calls) at 10 thousand
 * and at 10 million events; and the rate of trackEvents with the rollups kept up to date beside the
 * same inserts without them.
 */

const DAY = 86_400_000;
/** How long the test has run, unless a caller says otherwise (the dashboard's bench: 90 days). */
export const DAYS = 30;
const EVENTS_PER_USER = 40;
const NAMES = ["Charged", "Signed Up", "App Launched", "Screen Viewed"];

class BenchClock implements Clock {
  constructor(public at: number) {}
  now(): number {
    return this.at;
  }
}

export interface Setup {
  /** The SQLite file, e.g. for a server to open once `db` is closed. */
  file: string;
  days: number;
  db: Database;
  services: Services;
  caller: Caller;
  testId: string;
  users: string[];
  clock: BenchClock;
  close(): Promise<void>;
}

export const BENCH_RESULTS_SECRET = "px_bench_results_secret";

/** A project with the test, started `days` ago, on a fresh SQLite file. */
export async function setUp(days = DAYS): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), "px-results-"));
  const file = path.join(dir, "px.sqlite");
  const db = await openDatabase({ engine: "sqlite", file });
  const now = Date.now();
  const clock = new BenchClock(now - days * DAY);
  const services = createServices(db, pino({ level: "silent" }), clock);
  const { secret } = (await services.projects.bootstrap(BENCH_RESULTS_SECRET))!;
  const caller = (await services.authentication.authenticate(secret))!;
  const must = <T>(result: { ok: true; value: T } | { ok: false; errors: unknown[] }): T => {
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.value;
  };
  const goal = async (name: string, events: string[], extra: object = {}) =>
    must(await services.goals.create(caller, { name, events, ...extra })).id;
  const goalIds = [
    await goal("Big purchase", ["Charged"], {
      where: [{ property: "amount", operator: "GREATER_THAN", values: [20] }],
      valueProperty: "amount",
    }),
    await goal("Signup", ["Signed Up"]),
    await goal("Revenue", ["Charged"], { valueProperty: "amount" }),
  ];
  const test = must(
    await services.experiences.createABTest(caller, {
      name: "Checkout redesign",
      variants: [
        { name: "control", weight: 34, isControl: true, values: [] },
        { name: "b", weight: 33, values: [] },
        { name: "c", weight: 33, values: [] },
      ],
      goalIds,
      primaryGoalId: goalIds[0],
    }),
  );
  must(await services.experienceLifecycle.start(caller, test.id));
  clock.at = now;
  return {
    file,
    days,
    db,
    services,
    caller: (await services.authentication.authenticate(secret))!,
    testId: test.id,
    users: [],
    clock,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Assignments spread over the test's days, and events of each user after (and some before) their assignment. */
export async function generate(setup: Setup, events: number): Promise<void> {
  const { db, testId, clock, days } = setup;
  const [{ project_id: projectId }] = await sql<{ project_id: string }>(
    db.reader,
    "SELECT project_id FROM experience WHERE id = :testId",
    { testId },
  );
  const variants = (
    await sql<{ id: string }>(
      db.reader,
      "SELECT id FROM variant WHERE experience_id = :testId ORDER BY position",
      { testId },
    )
  ).map((row) => row.id);
  const userCount = Math.max(1, Math.round(events / EVENTS_PER_USER));
  const start = clock.now() - days * DAY;
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const USERS_PER_TRANSACTION = 500;
  for (let first = 0; first < userCount; first += USERS_PER_TRANSACTION) {
    await db.transaction(async (tx) => {
      const assignments: unknown[][] = [];
      const rows: unknown[][] = [];
      for (let u = first; u < Math.min(userCount, first + USERS_PER_TRANSACTION); u++) {
        const userId = `bench-user-${u}`;
        const assignedAt = start + Math.floor(next() * (days - 1) * DAY);
        assignments.push([testId, userId, projectId, variants[u % 3], assignedAt, assignedAt]);
        for (let e = 0; e < EVENTS_PER_USER; e++) {
          const at = assignedAt - DAY + Math.floor(next() * (clock.now() - assignedAt + DAY));
          const name = NAMES[Math.floor(next() * NAMES.length)];
          const properties = name === "Charged" ? `{"amount":${Math.round(next() * 10000) / 100}}` : "{}";
          rows.push([newId(at), projectId, null, userId, name, properties, at, at]);
        }
      }
      await bulkInsert(
        tx,
        "assignment",
        ["experience_id", "user_id", "project_id", "variant_id", "assigned_at", "entered_at"],
        assignments,
      );
      await bulkInsert(
        tx,
        "event",
        ["id", "project_id", "client_id", "user_id", "name", "properties", "at", "received_at"],
        rows,
      );
    });
  }
  // What the rollups hold now was written behind their back: the next read rebuilds them.
  await db.transaction((tx) =>
    sql(tx, "UPDATE experience SET rollups_built = :built WHERE id = :testId", { built: false, testId }),
  );
  setup.users = Array.from({ length: userCount }, (_, u) => `bench-user-${u}`);
}

async function bulkInsert(
  tx: Parameters<Parameters<Database["transaction"]>[0]>[0],
  table: string,
  columns: string[],
  rows: unknown[][],
) {
  const perStatement = Math.floor(30_000 / columns.length);
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const placeholders = chunk.map((row) => `(${row.map(() => "?").join(", ")})`).join(", ");
    await tx.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${placeholders}`, chunk.flat());
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface ResultsFigures {
  events: number;
  users: number;
  generateSeconds: number;
  buildSeconds: number;
  readMs: { p50: number; p99: number };
  dailyReadMs: { p50: number; p99: number };
}

/** Latency of results reads on a test with `events` events. */
export async function resultsLatency(events: number, reads: number): Promise<ResultsFigures> {
  const setup = await setUp();
  try {
    const began = Date.now();
    await generate(setup, events);
    const generated = Date.now();
    const test = (await setup.services.experienceReads.find(
      setup.db.reader,
      setup.caller.projectId,
      setup.testId,
    ))!;
    await setup.services.results.resultsOf(test);
    const built = Date.now();
    const time = async (work: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < reads; i++) {
        const t0 = process.hrtime.bigint();
        await work();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      return { p50: percentile(times, 50), p99: percentile(times, 99) };
    };
    const readMs = await time(() => setup.services.results.resultsOf(test));
    const dailyReadMs = await time(async () => {
      const results = await setup.services.results.resultsOf(test);
      return results.series.days.map((day) => results.series.figures(day));
    });
    return {
      events,
      users: setup.users.length,
      generateSeconds: (generated - began) / 1000,
      buildSeconds: (built - generated) / 1000,
      readMs,
      dailyReadMs,
    };
  } finally {
    await setup.close();
  }
}

/** trackEvents per second (batches of 100 for the test's users), with the rollups kept current and without. */
export async function ingestionRates(seconds: number): Promise<{ withRollups: number; without: number }> {
  const setup = await setUp();
  try {
    await generate(setup, 20_000);
    const test = (await setup.services.experienceReads.find(
      setup.db.reader,
      setup.caller.projectId,
      setup.testId,
    ))!;
    await setup.services.results.resultsOf(test);
    // The same inserts, with a rollup keeper that does nothing: the cost of the inserts alone.
    const without = new TrackingService(
      setup.db,
      { eventsStored: async () => {} } as unknown as ResultRollups,
      setup.clock,
      noSignals,
    );
    let n = 0;
    const batch = () =>
      Array.from({ length: 100 }, () => {
        const userId = setup.users[n++ % setup.users.length];
        return n % 2
          ? { userId, name: "Charged", properties: { amount: (n % 500) / 10 } }
          : { userId, name: "Signed Up" };
      });
    const rate = async (tracking: TrackingService) => {
      const end = Date.now() + seconds * 1000;
      let sent = 0;
      while (Date.now() < end) {
        const events = batch();
        const { accepted } = await tracking.trackEvents(setup.caller, events);
        sent += accepted;
      }
      return sent / seconds;
    };
    return { withRollups: await rate(setup.services.tracking), without: await rate(without) };
  } finally {
    await setup.close();
  }
}
