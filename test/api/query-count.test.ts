import {
  CloneSegmentDocument,
  ListExperiencesDocument,
  ListGoalsDocument,
  ListKeysDocument,
  ListSegmentsDocument,
  UpdateSettingsDocument,
} from "../../client/generated/graphql";
import { testEngine } from "../helpers/database";
import { fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/**
 * No N+1: the SQL statements behind a list do not grow with the page size. Every field that
 * reaches a related object (usages, segment, key, goals, variants, clonedFrom) batches per request.
 */
let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp();
  token = await app.newProject("Counted");
  const make = fixtures(app, token);
  const keys: string[] = [];
  for (let i = 0; i < 110; i++) keys.push(await make.key("NUMBER", i));
  const segments: string[] = [];
  for (let i = 0; i < 12; i++) segments.push(await make.segment());
  for (let i = 0; i < 12; i++) await app.query(CloneSegmentDocument, { id: segments[i] }, token);
  const goals: string[] = [];
  for (let i = 0; i < 12; i++) goals.push(await make.goal());
  for (let i = 0; i < 12; i++) {
    await make.productConfig({
      segmentId: segments[i],
      values: [
        { keyId: keys[i], value: 1 },
        { keyId: keys[i + 20], value: 2 },
      ],
    });
    await make.featureFlag({ segmentId: segments[i], keyId: keys[i + 40], value: 3 });
    await make.abTest({
      segmentId: segments[i],
      goalIds: [goals[i], goals[(i + 1) % 12]],
      variants: [
        { name: "control", weight: 50, isControl: true, values: [{ keyId: keys[i + 60], value: 4 }] },
        {
          name: "b",
          weight: 50,
          values: [
            { keyId: keys[i + 60], value: 5 },
            { keyId: keys[i + 80], value: 6 },
          ],
        },
      ],
    });
  }
});
afterAll(() => app.close());

/** A request's token read when nothing was committed since the last: remembered on SQLite, read on PostgreSQL. */
const tokenRead = testEngine() === "sqlite" ? 0 : 1;

/**
 * Statements `run` causes, with the project's in-memory snapshots cold (just after a setup change,
 * which moves the config version) and then warm.
 */
async function statements(run: () => Promise<unknown>): Promise<{ cold: number; warm: number }> {
  await app.query(UpdateSettingsDocument, { input: { mutuallyExclusiveABTests: false } }, token);
  const cold = await app.countQueries(run);
  const warm = await app.countQueries(run);
  return { cold, warm };
}

test("listing 10 or 100 keys with their usages takes the same number of statements", async () => {
  const ten = await statements(() => app.query(ListKeysDocument, { first: 10 }, token));
  const hundred = await statements(() => app.query(ListKeysDocument, { first: 100 }, token));
  expect(
    (await app.query(ListKeysDocument, { first: 100 }, token)).keys.nodes.filter((k) => k.usages.length)
      .length,
  ).toBeGreaterThan(30);
  expect(hundred).toEqual(ten);
  // Cold: the token, the project's keys, its key, segment and goal references. Warm: the token only,
  // and on SQLite not even that (nothing committed since it was read: authentication.service.ts).
  expect(ten).toEqual({ cold: 5, warm: tokenRead });
});

test("listing 3 or 36 experiences with segments, keys, values, variants and goals takes the same number of statements", async () => {
  const few = await statements(() => app.query(ListExperiencesDocument, { first: 3 }, token));
  const all = await statements(() => app.query(ListExperiencesDocument, { first: 36 }, token));
  expect((await app.query(ListExperiencesDocument, { first: 36 }, token)).experiences.nodes).toHaveLength(36);
  expect(all).toEqual(few);
  expect(few.warm).toBeGreaterThanOrEqual(5);
});

test("listing segments with clonedFrom and usages, and goals with usages, does not grow with the page", async () => {
  const segmentsFew = await statements(() => app.query(ListSegmentsDocument, { first: 2 }, token));
  const segmentsAll = await statements(() => app.query(ListSegmentsDocument, { first: 24 }, token));
  expect(segmentsAll).toEqual(segmentsFew);
  const goalsFew = await statements(() => app.query(ListGoalsDocument, { first: 2 }, token));
  const goalsAll = await statements(() => app.query(ListGoalsDocument, { first: 12 }, token));
  expect(goalsAll).toEqual(goalsFew);
  expect(goalsFew.warm).toBe(tokenRead);
});
