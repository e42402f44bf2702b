import {
  EvaluateDocument,
  IdentifyDocument,
  TrackEventsDocument,
  type EventInput,
} from "../../client/generated/graphql";
import { Profile } from "../../src/tracking/profile.entity";
import { TrackedEvent } from "../../src/tracking/tracked-event.entity";
import { fixtures } from "../helpers/fixtures";
import { CONCURRENT_WRITES } from "../helpers/database";
import { startTestApp, type TestApp } from "../helpers/servers";

let app: TestApp;
let projectId: string;
beforeAll(async () => {
  app = await startTestApp();
  projectId = (
    await app.query<{ viewer: { project: { id: string } } }, object>(`{ viewer { project { id } } }`)
  ).viewer.project.id;
});
afterAll(() => app.close());

async function track(events: EventInput[]) {
  return (await app.query(TrackEventsDocument, { events })).trackEvents;
}

function storedEvents(userId: string) {
  return app.services.db.reader.find(TrackedEvent, { where: { projectId, userId }, order: { at: "ASC" } });
}

describe("trackEvents", () => {
  test("good events are stored with their properties and time; the server's time is the default", async () => {
    const before = Date.now();
    const { accepted, userErrors } = await track([
      {
        userId: "ana",
        name: "Charged",
        properties: { amount: 42.5, items: ["book"] },
        timestamp: "2026-11-01T10:00:00Z",
      },
      { userId: "ana", name: " App Launched " },
    ]);
    expect({ accepted, userErrors }).toEqual({ accepted: 2, userErrors: [] });
    const stored = await storedEvents("ana");
    expect(stored.map((e) => [e.name, e.properties])).toEqual([
      ["Charged", { amount: 42.5, items: ["book"] }],
      ["App Launched", {}],
    ]);
    expect(stored[0].at.toISOString()).toBe("2026-11-01T10:00:00.000Z");
    expect(stored[1].at.getTime()).toBeGreaterThanOrEqual(before);
  });

  test("each event is judged alone: bad ones come back with their index, good ones are stored", async () => {
    const tomorrowAndABit = new Date(Date.now() + 25 * 3600_000).toISOString();
    const { accepted, userErrors } = await track([
      { userId: "ben", name: "ok-0" },
      { userId: "ben", name: "" },
      { userId: "ben", name: "ok-2" },
      { userId: "ben", name: "bad-3", properties: [1, 2] },
      { userId: "ben", name: "bad-4", timestamp: tomorrowAndABit },
      { userId: "", name: "bad-5" },
      { userId: "ben", name: "bad-6", properties: { blob: "x".repeat(8 * 1024) } },
      { userId: "ben", name: "x".repeat(129) },
      { userId: "ben", name: "bad-8", id: "" },
    ]);
    expect(accepted).toBe(2);
    expect(userErrors.map((e) => [e.code, e.field])).toEqual([
      ["INVALID", ["events", "1", "name"]],
      ["INVALID", ["events", "3", "properties"]],
      ["INVALID", ["events", "4", "timestamp"]],
      ["INVALID", ["events", "5", "userId"]],
      ["INVALID", ["events", "6", "properties"]],
      ["INVALID", ["events", "7", "name"]],
      ["INVALID", ["events", "8", "id"]],
    ]);
    expect((await storedEvents("ben")).map((e) => e.name)).toEqual(["ok-0", "ok-2"]);
  });

  test("a timestamp up to 24 hours ahead is accepted (device clocks drift)", async () => {
    const { accepted } = await track([
      { userId: "cal", name: "Future", timestamp: new Date(Date.now() + 23 * 3600_000).toISOString() },
    ]);
    expect(accepted).toBe(1);
  });

  test("an event whose id was already stored is not stored again, in one call or across calls", async () => {
    const event = { id: "evt-123", userId: "dee", name: "Charged" };
    expect((await track([event, event])).accepted).toBe(2);
    expect((await track([event])).accepted).toBe(1);
    expect(await storedEvents("dee")).toHaveLength(1);
  });

  test("event ids are per project: another project may use the same id", async () => {
    const other = await app.newProject();
    const event = { id: "shared-id", userId: "eve", name: "Charged" };
    await track([event]);
    await app.query(TrackEventsDocument, { events: [event] }, other);
    expect(await app.services.db.reader.count(TrackedEvent, { where: { clientId: "shared-id" } })).toBe(2);
  });

  test("1 to 1,000 events per call: none or 1,001 is INVALID at events, and nothing is stored", async () => {
    expect(await track([])).toEqual({
      accepted: 0,
      userErrors: [expect.objectContaining({ code: "INVALID", field: ["events"] })],
    });
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ userId: "flo", name: `e${i}` }));
    expect((await track(tooMany)).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["events"] }),
    ]);
    expect(await storedEvents("flo")).toEqual([]);
    const thousand = tooMany.slice(0, 1000);
    expect(await track(thousand)).toEqual({ accepted: 1000, userErrors: [] });
    expect(await storedEvents("flo")).toHaveLength(1000);
  });
});

describe("identify", () => {
  async function profileOf(userId: string) {
    return (await app.services.db.reader.findOne(Profile, { where: { projectId, userId } }))?.properties;
  }

  test("merges properties into the stored profile; a property set to null is removed", async () => {
    expect(
      (await app.query(IdentifyDocument, { userId: "gus", properties: { city: "Paris", plan: "free" } }))
        .identify,
    ).toEqual({
      accepted: 1,
      userErrors: [],
    });
    await app.query(IdentifyDocument, { userId: "gus", properties: { plan: "pro", age: 31 } });
    expect(await profileOf("gus")).toEqual({ city: "Paris", plan: "pro", age: 31 });
    await app.query(IdentifyDocument, { userId: "gus", properties: { city: null } });
    expect(await profileOf("gus")).toEqual({ plan: "pro", age: 31 });
  });

  test(`20 identifies of one user sent at once all land (${CONCURRENT_WRITES})`, async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.query(IdentifyDocument, { userId: "hal", properties: { [`p${i}`]: i } }),
      ),
    );
    expect(Object.keys((await profileOf("hal"))!)).toHaveLength(20);
  });

  test.each([
    [{ userId: "ivy", properties: [1] }, ["properties"]],
    [{ userId: "ivy", properties: "city" }, ["properties"]],
    [{ userId: "", properties: { a: 1 } }, ["userId"]],
    [{ userId: "ivy", properties: { blob: "x".repeat(9000) } }, ["properties"]],
  ])("%j is INVALID at the field, and the profile is unchanged", async (variables, field) => {
    const { identify } = await app.query(IdentifyDocument, variables);
    expect(identify).toEqual({
      accepted: 0,
      userErrors: [expect.objectContaining({ code: "INVALID", field })],
    });
    expect(await profileOf("ivy")).toBeUndefined();
  });

  test("a profile holds at most 64 KiB: the identify that would pass it is refused and changes nothing", async () => {
    for (let i = 0; i < 8; i++)
      await app.query(IdentifyDocument, { userId: "jo", properties: { [`chunk${i}`]: "x".repeat(7900) } });
    const before = await profileOf("jo");
    const { identify } = await app.query(IdentifyDocument, {
      userId: "jo",
      properties: { chunk8: "x".repeat(7900) },
    });
    expect(identify.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["properties"] }),
    ]);
    expect(await profileOf("jo")).toEqual(before);
  });

  test("the stored profile is what evaluate's segments see", async () => {
    const gold = await fixtures(app).segment({
      match: "ALL",
      conditions: [{ property: { property: "tier", operator: "EQUALS", values: ["gold"] } }],
    });
    const segmentsOf = async (id: string) =>
      (await app.query(EvaluateDocument, { user: { id } })).evaluate.segmentIds;
    expect(await segmentsOf("kim")).not.toContain(gold);
    await app.query(IdentifyDocument, { userId: "kim", properties: { tier: "GOLD" } });
    expect(await segmentsOf("kim")).toContain(gold);
  });
});
