import {
  ArchiveKeyDocument,
  EvaluateDocument,
  ExperienceHistoryDocument,
  PauseExperienceDocument,
  RevertExperienceDocument,
  ScheduleExperienceDocument,
  StopExperienceDocument,
  UpdateAbTestDocument,
  UpdateFeatureFlagDocument,
  UpdateProductConfigDocument,
} from "../../client/generated/graphql";
import { fixtures, unique } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/**
 * Every change of an experience is a version: who, when, how, its status, the whole experience as it
 * was, and which fields changed. `revertExperience` makes an earlier version's content current again.
 */
let app: TestApp;
let token: string;
let make: ReturnType<typeof fixtures>;
beforeAll(async () => {
  app = await startTestApp();
  token = await app.newProject("History");
  make = fixtures(app, token);
});
afterAll(() => app.close());

const history = async (id: string, first = 50, after?: string) =>
  (await app.query(ExperienceHistoryDocument, { id, first, after }, token)).experience!.history;

test("every change is a version, newest first: time, actor, action, status, snapshot and changed fields", async () => {
  const keyId = await make.key("STRING", "blue", unique("color"));
  const config = await make.productConfig({ name: "History config", values: [{ keyId, value: "red" }] });
  await make.start(config.id);
  await app.query(
    UpdateProductConfigDocument,
    { input: { id: config.id, values: [{ keyId, value: "green" }], priority: 3 } },
    token,
  );
  await app.query(PauseExperienceDocument, { id: config.id }, token);
  const at = new Date(Date.now() + 3_600_000).toISOString();
  await app.query(ScheduleExperienceDocument, { id: config.id, startAt: at }, token);

  const { nodes, totalCount } = await history(config.id);
  expect(totalCount).toBe(5);
  expect(nodes.map((node) => [node.version, node.action, node.status, node.actor])).toEqual([
    [5, "schedule", "PAUSED", "admin"],
    [4, "pause", "PAUSED", "admin"],
    [3, "update", "RUNNING", "admin"],
    [2, "start", "RUNNING", "admin"],
    [1, "create", "DRAFT", "admin"],
  ]);
  expect(nodes[2].changedFields.sort()).toEqual(["priority", "values"]);
  expect(nodes[3].changedFields.sort()).toEqual(["startedAt", "status"]);
  expect(nodes[0].changedFields).toEqual(["scheduledStartAt"]);
  expect(nodes[2].snapshot).toMatchObject({
    name: "History config",
    status: "RUNNING",
    priority: 3,
    values: [{ keyId, value: "green" }],
  });
  expect(nodes[4].snapshot).toMatchObject({
    priority: 0,
    values: [{ keyId, value: "red" }],
    status: "DRAFT",
  });
  expect(new Date(nodes[0].at).getTime()).toBeGreaterThanOrEqual(new Date(nodes[1].at).getTime());
});

test("history pages newest first with cursors, and a refused change leaves no version", async () => {
  const flag = await make.featureFlag({
    keyId: await make.key("BOOLEAN", false),
    value: true,
    rolloutPercentage: 1,
  });
  for (let percent = 2; percent <= 7; percent++) {
    await app.query(UpdateFeatureFlagDocument, { input: { id: flag.id, rolloutPercentage: percent } }, token);
  }
  const refused = await app.query(
    UpdateFeatureFlagDocument,
    { input: { id: flag.id, rolloutPercentage: 101 } },
    token,
  );
  expect(refused.updateFeatureFlag.userErrors[0].code).toBe("INVALID");
  const first = await history(flag.id, 3);
  expect(first.nodes.map((node) => node.version)).toEqual([7, 6, 5]);
  expect(first.pageInfo.hasNextPage).toBe(true);
  const second = await history(flag.id, 10, first.pageInfo.endCursor!);
  expect(second.nodes.map((node) => node.version)).toEqual([4, 3, 2, 1]);
  expect(second.pageInfo.hasNextPage).toBe(false);
  expect(second.totalCount).toBe(7);
});

test("the history of a page of experiences is read in a fixed number of statements", async () => {
  const project = await app.newProject("History batch");
  const own = fixtures(app, project);
  const keyId = await own.key();
  for (let i = 0; i < 12; i++) await own.featureFlag({ keyId, value: true });
  const list =
    "{ experiences(first: N) { nodes { id history(first: 3) { totalCount nodes { version action } } } } }";
  const statements = async (n: number) => {
    // Counted the second time: the first reads the token after the setup changes.
    await app.query(list.replace("N", String(n)), {}, project);
    return app.countQueries(() => app.query(list.replace("N", String(n)), {}, project));
  };
  expect(await statements(12)).toBe(await statements(2));
});

describe("revert", () => {
  test("makes an earlier version's content current again as a new version; the status stays, and it is served from the next request", async () => {
    const keyId = await make.key("STRING", "default", unique("headline"));
    const config = await make.productConfig({
      name: unique("Headline"),
      values: [{ keyId, value: "first" }],
      priority: 1,
    });
    await make.start(config.id);
    await app.query(
      UpdateProductConfigDocument,
      { input: { id: config.id, values: [{ keyId, value: "second" }], priority: 9, description: "changed" } },
      token,
    );
    const served = async () =>
      (await app.query(EvaluateDocument, { user: { id: "reader" } }, token)).evaluate.values.find(
        (v) => v.experienceId === config.id,
      )?.value;
    expect(await served()).toBe("second");

    const { revertExperience } = await app.query(
      RevertExperienceDocument,
      { id: config.id, toVersion: 2, expectedVersion: 3 },
      token,
    );
    expect(revertExperience.userErrors).toEqual([]);
    expect(revertExperience.experience).toMatchObject({
      status: "RUNNING",
      version: 4,
      priority: 1,
      description: null,
      values: [{ value: "first" }],
    });
    expect(await served()).toBe("first");
    const [latest] = (await history(config.id, 1)).nodes;
    expect(latest).toMatchObject({ version: 4, action: "revert", status: "RUNNING" });
    expect(latest.changedFields.sort()).toEqual(["description", "priority", "values"]);
  });

  test("follows the rules of the current status: a running test's variants stay (INVALID_STATE naming the field)", async () => {
    const goalId = await make.goal();
    const test = await make.abTest({ goalIds: [goalId] });
    await app.query(
      UpdateAbTestDocument,
      {
        input: {
          id: test.id,
          variants: [
            { name: "control", weight: 30, isControl: true },
            { name: "treatment", weight: 70 },
          ],
        },
      },
      token,
    );
    await make.start(test.id);
    const { revertExperience } = await app.query(
      RevertExperienceDocument,
      { id: test.id, toVersion: 1 },
      token,
    );
    expect(revertExperience.userErrors).toEqual([
      expect.objectContaining({
        code: "INVALID_STATE",
        field: ["toVersion", "variants"],
        message: expect.stringContaining("variants"),
      }),
    ]);
    expect((await history(test.id)).totalCount).toBe(3);
  });

  test("refuses values of a key archived since (ARCHIVED), and unknown or current versions", async () => {
    const oldKey = await make.key("NUMBER", 1);
    const newKey = await make.key("NUMBER", 1);
    const config = await make.productConfig({ values: [{ keyId: oldKey, value: 2 }] });
    await app.query(
      UpdateProductConfigDocument,
      { input: { id: config.id, values: [{ keyId: newKey, value: 3 }] } },
      token,
    );
    await app.query(ArchiveKeyDocument, { id: oldKey }, token);
    const archived = await app.query(RevertExperienceDocument, { id: config.id, toVersion: 1 }, token);
    expect(archived.revertExperience.userErrors).toEqual([
      expect.objectContaining({ code: "ARCHIVED", field: ["toVersion", "values", "0", "keyId"] }),
    ]);
    const unknown = await app.query(RevertExperienceDocument, { id: config.id, toVersion: 9 }, token);
    expect(unknown.revertExperience.userErrors).toEqual([
      expect.objectContaining({ code: "NOT_FOUND", field: ["toVersion"] }),
    ]);
    const current = await app.query(RevertExperienceDocument, { id: config.id, toVersion: 2 }, token);
    expect(current.revertExperience.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["toVersion"] }),
    ]);
  });

  test("of a flag restores its value and rollout; of a stopped experience, nothing that stopped changing", async () => {
    const flag = await make.featureFlag({
      keyId: await make.key("STRING", "a"),
      value: "one",
      rolloutPercentage: 10,
    });
    await make.start(flag.id);
    await app.query(
      UpdateFeatureFlagDocument,
      { input: { id: flag.id, value: "two", rolloutPercentage: 60 } },
      token,
    );
    const { revertExperience } = await app.query(
      RevertExperienceDocument,
      { id: flag.id, toVersion: 1 },
      token,
    );
    expect(revertExperience.experience).toMatchObject({
      status: "RUNNING",
      value: "one",
      rolloutPercentage: 10,
    });
    await app.query(StopExperienceDocument, { id: flag.id }, token);
    const stopped = await app.query(RevertExperienceDocument, { id: flag.id, toVersion: 3 }, token);
    expect(stopped.revertExperience.userErrors.map((error) => [error.code, error.field])).toEqual([
      ["INVALID_STATE", ["toVersion", "value"]],
      ["INVALID_STATE", ["toVersion", "rolloutPercentage"]],
    ]);
  });
});
