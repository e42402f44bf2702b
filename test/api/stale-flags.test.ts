import {
  ArchiveExperienceDocument,
  ListExperiencesDocument,
  StopExperienceDocument,
  UpdateFeatureFlagDocument,
} from "../../client/generated/graphql";
import { DAY, TestClock } from "../helpers/clock";
import { fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/**
 * A feature flag is stale once it has served 100% of its segment unchanged for 14 days, or has been
 * stopped and not archived for 14 days: time to fold its value into the key's default and retire it.
 */
let app: TestApp;
let clock: TestClock;
beforeAll(async () => {
  clock = new TestClock(Date.UTC(2026, 10, 1, 9));
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

interface FlagView {
  id: string;
  staleSince?: string | null;
}

async function project() {
  const token = await app.newProject();
  const make = fixtures(app, token);
  const stale = async () =>
    (
      (await app.query(ListExperiencesDocument, { filter: { stale: true } }, token)).experiences
        .nodes as FlagView[]
    ).map((flag) => [flag.id, flag.staleSince]);
  return { token, make, stale };
}

/** An instant `days` after another, as the API writes it. */
const at = (iso: string | number, days: number) =>
  new Date(new Date(iso).getTime() + days * DAY).toISOString();

test("a flag serving everyone unchanged for 14 days is stale since then; a change restarts the count; less than 100% is never stale", async () => {
  const { token, make, stale } = await project();
  const everyone = await make.featureFlag({ keyId: await make.key(), value: true });
  const half = await make.featureFlag({ keyId: await make.key(), value: true, rolloutPercentage: 50 });
  const started = await make.start(everyone.id);
  await make.start(half.id);
  clock.advance(13 * DAY);
  expect(await stale()).toEqual([]);
  clock.advance(2 * DAY);
  expect(await stale()).toEqual([[everyone.id, at(started.updatedAt, 14)]]);

  const { updateFeatureFlag } = await app.query(
    UpdateFeatureFlagDocument,
    { input: { id: everyone.id, value: false } },
    token,
  );
  expect(await stale()).toEqual([]);
  clock.advance(14 * DAY);
  expect(await stale()).toEqual([[everyone.id, at(updateFeatureFlag.experience!.updatedAt, 14)]]);
});

test("a flag stopped and not archived for 14 days is stale since its stop + 14 days; archiving it ends that", async () => {
  const { token, make, stale } = await project();
  const flag = await make.featureFlag({ keyId: await make.key(), value: true, rolloutPercentage: 10 });
  await make.start(flag.id);
  // The server dates the stop by its clock, which this test holds still.
  const stoppedAt = clock.now();
  await app.query(StopExperienceDocument, { id: flag.id }, token);
  clock.advance(15 * DAY);
  expect(await stale()).toEqual([[flag.id, at(stoppedAt, 14)]]);
  await app.query(ArchiveExperienceDocument, { id: flag.id }, token);
  expect(await stale()).toEqual([]);
});

test("product configs and A/B tests are never stale, and a fresh flag says null", async () => {
  const { token, make, stale } = await project();
  const keyId = await make.key();
  const config = await make.productConfig({ values: [{ keyId, value: true }] });
  await make.start(config.id);
  const fresh = await make.featureFlag({ keyId, value: true });
  clock.advance(30 * DAY);
  expect(await stale()).toEqual([]);
  const { experiences } = await app.query(
    ListExperiencesDocument,
    { filter: { kind: "FEATURE_FLAG" } },
    token,
  );
  expect((experiences.nodes as FlagView[]).find((node) => node.id === fresh.id)?.staleSince).toBeNull();
});
