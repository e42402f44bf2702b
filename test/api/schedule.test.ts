import {
  AuditLogDocument,
  ExperienceHistoryDocument,
  GetExperienceDocument,
  ScheduleExperienceDocument,
  StopExperienceDocument,
} from "../../client/generated/graphql";
import { DAY, SECOND, TestClock } from "../helpers/clock";
import { fixtures } from "../helpers/fixtures";
import { startHttpServer, startTestApp, type TestApp } from "../helpers/servers";

/**
 * Experiences start and stop by themselves at the time set by scheduleExperience, exactly as the
 * mutation would, once. The rules run on a clock the test moves; two tests use real time and a real
 * server's own scheduler.
 */
let app: TestApp;
let clock: TestClock;
let token: string;
let make: ReturnType<typeof fixtures>;
beforeAll(async () => {
  clock = new TestClock(Date.UTC(2026, 10, 28, 12));
  app = await startTestApp({ clock });
  token = await app.newProject("Schedules");
  make = fixtures(app, token);
});
afterAll(() => app.close());

const inAMinute = () => new Date(clock.now() + 60 * SECOND).toISOString();
const schedule = async (id: string, times: { startAt?: string | null; stopAt?: string | null }) =>
  (await app.query(ScheduleExperienceDocument, { id, ...times }, token)).scheduleExperience;
const experience = async (id: string) => (await app.query(GetExperienceDocument, { id }, token)).experience!;
const runDue = () => app.services.experienceLifecycle.runDue();

describe("scheduleExperience", () => {
  test.each([
    ["a start in the past", { startAt: -SECOND }, "INVALID", ["startAt"]],
    ["a start more than a year ahead", { startAt: 366 * DAY }, "INVALID", ["startAt"]],
    ["a stop before the start", { startAt: 2 * DAY, stopAt: DAY }, "INVALID", ["stopAt"]],
  ])("refuses %s", async (_what, offsets, code, field) => {
    const config = await make.productConfig({ values: [{ keyId: await make.key(), value: true }] });
    const times = Object.fromEntries(
      Object.entries(offsets).map(([name, offset]) => [name, new Date(clock.now() + offset).toISOString()]),
    );
    const refused = await schedule(config.id, times);
    expect(refused.userErrors).toEqual([expect.objectContaining({ code, field })]);
    expect(await experience(config.id)).toMatchObject({
      version: 1,
      scheduledStartAt: null,
      scheduledStopAt: null,
    });
  });

  test("a start only for a DRAFT or PAUSED experience, a stop for any that has not stopped; null clears, leaving one out keeps it", async () => {
    const config = await make.productConfig({ values: [{ keyId: await make.key(), value: true }] });
    await make.start(config.id);
    expect((await schedule(config.id, { startAt: inAMinute() })).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE", field: ["startAt"] }),
    ]);
    const stopAt = inAMinute();
    expect((await schedule(config.id, { stopAt })).experience).toMatchObject({
      scheduledStopAt: stopAt,
      version: 3,
    });
    // Leaving stopAt out keeps it; null clears it.
    expect(
      (await app.query(ScheduleExperienceDocument, { id: config.id }, token)).scheduleExperience.experience,
    ).toMatchObject({ scheduledStopAt: stopAt });
    expect((await schedule(config.id, { stopAt: null })).experience).toMatchObject({ scheduledStopAt: null });
    await app.query(StopExperienceDocument, { id: config.id }, token);
    expect((await schedule(config.id, { stopAt: inAMinute() })).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE" }),
    ]);
  });
});

describe("the scheduler", () => {
  test("starts at the time, as the mutation would, once: a version and an audit event by the scheduler", async () => {
    const config = await make.productConfig({ values: [{ keyId: await make.key(), value: true }] });
    const startAt = new Date(clock.now() + 10 * SECOND);
    const stopAt = new Date(clock.now() + 20 * SECOND);
    await schedule(config.id, { startAt: startAt.toISOString(), stopAt: stopAt.toISOString() });
    clock.advance(9 * SECOND);
    await runDue();
    expect((await experience(config.id)).status).toBe("DRAFT");
    clock.advance(2 * SECOND);
    await runDue();
    await runDue();
    expect(await experience(config.id)).toMatchObject({
      status: "RUNNING",
      scheduledStartAt: null,
      scheduledStopAt: stopAt.toISOString(),
    });
    clock.advance(10 * SECOND);
    await runDue();
    expect(await experience(config.id)).toMatchObject({ status: "STOPPED", scheduledStopAt: null });

    const { nodes } = (await app.query(ExperienceHistoryDocument, { id: config.id }, token)).experience!
      .history;
    expect(nodes.map((node) => [node.action, node.actor])).toEqual([
      ["stop", "scheduler"],
      ["start", "scheduler"],
      ["schedule", "admin"],
      ["create", "admin"],
    ]);
    const { auditLog } = await app.query(AuditLogDocument, { entityId: config.id }, token);
    expect(
      auditLog.nodes.filter((event) => event.actor === "scheduler").map((event) => event.action),
    ).toEqual(["stopExperience", "startExperience"]);
  });

  test("a start and a stop both due (no server ran meanwhile) are made in their order", async () => {
    const config = await make.productConfig({ values: [{ keyId: await make.key(), value: true }] });
    await schedule(config.id, {
      startAt: new Date(clock.now() + DAY).toISOString(),
      stopAt: new Date(clock.now() + 2 * DAY).toISOString(),
    });
    clock.advance(3 * DAY);
    expect(await runDue()).toBeGreaterThanOrEqual(2);
    expect((await experience(config.id)).status).toBe("STOPPED");
  });

  test("a scheduled move no longer allowed is dropped, and the audit log says why", async () => {
    const keyId = await make.key();
    const live = await make.featureFlag({ keyId, value: true });
    const waiting = await make.featureFlag({ keyId, value: false });
    await schedule(waiting.id, { startAt: inAMinute() });
    await make.start(live.id);
    clock.advance(2 * 60 * SECOND);
    await runDue();
    expect(await experience(waiting.id)).toMatchObject({ status: "DRAFT", scheduledStartAt: null });
    const { auditLog } = await app.query(AuditLogDocument, { entityId: waiting.id }, token);
    const dropped = auditLog.nodes.find((event) => event.action === "dropScheduledMove")!;
    expect(dropped.actor).toBe("scheduler");
    const note = (
      await app.query<{ auditLog: { nodes: { note: string | null }[] } }, object>(
        "query ($id: ID) { auditLog(entityId: $id) { nodes { note } } }",
        { id: waiting.id },
        token,
      )
    ).auditLog.nodes.map((event) => event.note);
    expect(note).toContainEqual(expect.stringContaining("already serves this key"));
    const [latest] = (await app.query(ExperienceHistoryDocument, { id: waiting.id, first: 1 }, token))
      .experience!.history.nodes;
    expect(latest).toMatchObject({
      action: "dropSchedule",
      actor: "scheduler",
      changedFields: ["scheduledStartAt"],
    });
    // Dropped once, not again and again.
    expect(await runDue()).toBe(0);
  });
});

describe("a real server's own scheduler", () => {
  test("starts an experience within 5 seconds of its time (real time)", async () => {
    const server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: "px_schedule_real_time_secret" } });
    try {
      const call = async (query: string, variables: object) =>
        (await (
          await fetch(`${server.url}/graphql`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: "Bearer px_schedule_real_time_secret",
            },
            body: JSON.stringify({ query, variables }),
          })
        ).json()) as { data: Record<string, any> };
      const key = await call(
        'mutation { createKey(input: { name: "timed", type: BOOLEAN, defaultValue: false }) { key { id } } }',
        {},
      );
      const created = await call(
        'mutation ($k: ID!) { createFeatureFlag(input: { name: "Timed", keyId: $k, value: true }) { experience { id } } }',
        {
          k: key.data.createKey.key.id,
        },
      );
      const id = created.data.createFeatureFlag.experience.id;
      const startAt = Date.now() + 2 * SECOND;
      await call(
        "mutation ($id: ID!, $at: DateTime) { scheduleExperience(id: $id, startAt: $at) { userErrors { code } } }",
        {
          id,
          at: new Date(startAt).toISOString(),
        },
      );
      let status = "DRAFT";
      while (status !== "RUNNING" && Date.now() < startAt + 5 * SECOND) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await call("query ($id: ID!) { experience(id: $id) { status } }", { id })).data.experience
          .status;
      }
      expect(status).toBe("RUNNING");
      expect(Date.now()).toBeGreaterThanOrEqual(startAt);
    } finally {
      await server.close();
    }
  });

  test("makes, as it starts, the moves that fell due while no server ran", async () => {
    const first = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: "px_schedule_catch_up_secret" } });
    const db = first.database;
    const secret = "px_schedule_catch_up_secret";
    const call = async (url: string, query: string, variables: object = {}) =>
      (await (
        await fetch(`${url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as { data: Record<string, any> };
    const key = await call(
      first.url,
      'mutation { createKey(input: { name: "late", type: BOOLEAN, defaultValue: false }) { key { id } } }',
    );
    const created = await call(
      first.url,
      'mutation ($k: ID!) { createFeatureFlag(input: { name: "Late", keyId: $k, value: true }) { experience { id } } }',
      {
        k: key.data.createKey.key.id,
      },
    );
    const id = created.data.createFeatureFlag.experience.id;
    await call(
      first.url,
      "mutation ($id: ID!, $at: DateTime) { scheduleExperience(id: $id, startAt: $at) { userErrors { code } } }",
      {
        id,
        at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    );
    await first.server.close();
    // The hour passes while no server runs.
    const engine = db.config.engine;
    await db.query(
      engine === "postgres"
        ? "UPDATE experience SET scheduled_start_at = $1 WHERE id = $2"
        : "UPDATE experience SET scheduled_start_at = ? WHERE id = ?",
      [Date.now() - 60_000, id],
    );
    const { startServer } = await import("../../src/server");
    const { loadConfig } = await import("../../src/config");
    const pino = (await import("pino")).default;
    const url = engine === "postgres" ? db.config.url : `sqlite:${db.config.file}`;
    const second = await startServer(loadConfig({ PORT: "0", DATABASE_URL: url }), pino({ level: "silent" }));
    try {
      let status = "DRAFT";
      const deadline = Date.now() + 5 * SECOND;
      while (status !== "RUNNING" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (await call(second.url, "query ($id: ID!) { experience(id: $id) { status } }", { id })).data
          .experience.status;
      }
      expect(status).toBe("RUNNING");
    } finally {
      await second.close();
      await db.drop();
    }
  });
});
