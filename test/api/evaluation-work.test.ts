import { EntityManager } from "typeorm";
import { EvaluateDocument, TrackEventsDocument, type EventInput } from "../../client/generated/graphql";
import { MAX_EVENTS_READ } from "../../src/segments/segment-rule";
import { fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/**
 * The work of one evaluation is bounded whatever a user's history: an SDK token could send 100,000
 * back-dated events for one user. Work is measured as the rows the evaluation's statements return,
 * not as time.
 */
let app: TestApp;
let token: string;
let make: ReturnType<typeof fixtures>;
const DAY = 86_400_000;

beforeAll(async () => {
  app = await startTestApp();
  token = await app.newProject("Work");
  make = fixtures(app, token);
});
afterAll(() => app.close());

async function send(events: EventInput[]) {
  for (let i = 0; i < events.length; i += 1000) {
    const { trackEvents } = await app.query(
      TrackEventsDocument,
      { events: events.slice(i, i + 1000) },
      token,
    );
    expect(trackEvents.userErrors).toEqual([]);
  }
}

/** Rows returned by the SQL statements `work` runs through EntityManager.query (every read of evaluate's facts). */
async function rowsRead(work: () => Promise<unknown>): Promise<number> {
  const original = EntityManager.prototype.query;
  let rows = 0;
  const spy = jest.spyOn(EntityManager.prototype, "query").mockImplementation(async function (
    this: EntityManager,
    ...args: Parameters<typeof original>
  ) {
    const result = await original.apply(this, args);
    if (Array.isArray(result)) rows += result.length;
    return result;
  });
  try {
    await work();
    return rows;
  } finally {
    spy.mockRestore();
  }
}

test(`a user with 30,000 events costs an evaluation at most ${MAX_EVENTS_READ} event rows, and is judged right`, async () => {
  const segments = {
    ever: await make.segment({
      match: "ALL",
      conditions: [{ event: { occurrence: "DID", event: "Charged" } }],
    }),
    thriceThisWeek: await make.segment({
      match: "ALL",
      conditions: [{ event: { occurrence: "DID", event: "Charged", minCount: 3, withinDays: 7 } }],
    }),
    bigSpender: await make.segment({
      match: "ALL",
      conditions: [
        {
          event: {
            occurrence: "DID",
            event: "Charged",
            withinDays: 30,
            where: [{ property: "amount", operator: "GREATER_THAN", values: [50] }],
          },
        },
      ],
    }),
    idle: await make.segment({
      match: "ALL",
      conditions: [{ event: { occurrence: "DID_NOT", event: "App Launched", withinDays: 14 } }],
    }),
  };
  const now = Date.now();
  const spread = (userId: string, count: number): EventInput[] =>
    Array.from({ length: count }, (_, i) => ({
      userId,
      name: "Charged",
      properties: { amount: Math.floor(i / 20) % 2 ? 80 : 20 },
      timestamp: new Date(now - ((i % 20) + 0.5) * DAY).toISOString(),
    }));
  await send(spread("light", 6));
  await send(spread("heavy", 30_000));

  const evaluate = (id: string) => app.query(EvaluateDocument, { user: { id } }, token);
  const light = await rowsRead(() => evaluate("light"));
  const heavy = await rowsRead(() => evaluate("heavy"));
  // The heavy user's reads are capped by the documented bound, not by their 30,000 events.
  expect(heavy).toBeLessThanOrEqual(MAX_EVENTS_READ + 5);
  expect(heavy - light).toBeLessThanOrEqual(MAX_EVENTS_READ);
  const all = new Set(
    Object.values(segments)
      .filter((id) => id !== segments.idle)
      .concat(segments.idle),
  );
  expect(new Set((await evaluate("heavy")).evaluate.segmentIds)).toEqual(all);
});

test(`a condition with property filters looks at the user's ${MAX_EVENTS_READ} most recent events of the name`, async () => {
  const filtered = await make.segment({
    match: "ALL",
    conditions: [
      {
        event: {
          occurrence: "DID",
          event: "Bought",
          where: [{ property: "amount", operator: "GREATER_THAN", values: [50] }],
        },
      },
    ],
  });
  const now = Date.now();
  // One big purchase long ago, then MAX_EVENTS_READ small ones: the big one is past the window read.
  const events: EventInput[] = [
    {
      userId: "veteran",
      name: "Bought",
      properties: { amount: 500 },
      timestamp: new Date(now - 300 * DAY).toISOString(),
    },
  ];
  for (let i = 0; i < MAX_EVENTS_READ; i++)
    events.push({
      userId: "veteran",
      name: "Bought",
      properties: { amount: 5 },
      timestamp: new Date(now - i * 60_000).toISOString(),
    });
  await send(events);
  expect(
    (await app.query(EvaluateDocument, { user: { id: "veteran" } }, token)).evaluate.segmentIds,
  ).not.toContain(filtered);
  await send([{ userId: "veteran", name: "Bought", properties: { amount: 60 } }]);
  expect(
    (await app.query(EvaluateDocument, { user: { id: "veteran" } }, token)).evaluate.segmentIds,
  ).toContain(filtered);
});

test(`minCount above ${MAX_EVENTS_READ} is INVALID: no condition can ask evaluation to read more`, async () => {
  const { createSegment } = await app.query<
    { createSegment: { userErrors: { field: string[]; code: string }[] } },
    object
  >(
    "mutation ($v: CreateSegmentInput!) { createSegment(input: $v) { userErrors { field code } } }",
    {
      v: {
        name: "greedy",
        rule: {
          match: "ALL",
          conditions: [{ event: { occurrence: "DID", event: "X", minCount: MAX_EVENTS_READ + 1 } }],
        },
      },
    },
    token,
  );
  expect(createSegment.userErrors).toEqual([
    { field: ["input", "rule", "conditions", "0", "event", "minCount"], code: "INVALID" },
  ]);
});
