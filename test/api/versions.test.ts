import {
  ArchiveKeyDocument,
  CreateKeyDocument,
  GetKeyDocument,
  GetSettingsDocument,
  UnarchiveKeyDocument,
  UpdateKeyDocument,
  UpdateSettingsDocument,
} from "../../client/generated/graphql";
import { CONCURRENT_WRITES } from "../helpers/database";
import { fixtures, unique } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/**
 * Versions on everything that changes: 1 at creation, +1 on every change, and `expectedVersion` on
 * every mutation that changes one existing object, so that two editors who read the same version
 * cannot both write.
 */
let app: TestApp;
let make: ReturnType<typeof fixtures>;
beforeAll(async () => {
  app = await startTestApp();
  make = fixtures(app);
});
afterAll(() => app.close());

const rule = { match: "ALL", conditions: [{ property: { property: "city", operator: "EXISTS" } }] };

test("a key is version 1 when created and one more with every change: update, archive, unarchive", async () => {
  const { createKey } = await app.query(CreateKeyDocument, {
    input: { name: unique("versioned"), type: "NUMBER", defaultValue: 1 },
  });
  const id = createKey.key!.id;
  expect(createKey.key!.version).toBe(1);
  expect(
    (await app.query(UpdateKeyDocument, { input: { id, defaultValue: 2 } })).updateKey.key!.version,
  ).toBe(2);
  expect((await app.query(ArchiveKeyDocument, { id })).archiveKey.key!.version).toBe(3);
  expect((await app.query(UnarchiveKeyDocument, { id })).unarchiveKey.key!.version).toBe(4);
  // A refused change is no change.
  expect((await app.query(UnarchiveKeyDocument, { id })).unarchiveKey.userErrors[0].code).toBe(
    "INVALID_STATE",
  );
  expect((await app.query(GetKeyDocument, { id })).key!.version).toBe(4);
});

test("settings count their versions too", async () => {
  const token = await app.newProject();
  expect((await app.query(GetSettingsDocument, {}, token)).settings.version).toBe(1);
  const { updateSettings } = await app.query(
    UpdateSettingsDocument,
    { input: { mutuallyExclusiveABTests: true, expectedVersion: 1 } },
    token,
  );
  expect(updateSettings.settings).toMatchObject({ mutuallyExclusiveABTests: true, version: 2 });
});

interface Case {
  /** Makes the object at a known version; returns its id and that version. */
  setup: () => Promise<{ id: string; version: number }>;
  /** The mutation, sending `expectedVersion`; `read` reads the object's version back. */
  document: string;
  variables: (id: string, expectedVersion: number) => Record<string, unknown>;
  read: (id: string) => Promise<number>;
}

const keyVersion = async (id: string) => (await app.query(GetKeyDocument, { id })).key!.version;
const segmentVersion = async (id: string) =>
  (
    await app.query<{ segment: { version: number } }, object>(
      "query ($id: ID!) { segment(id: $id) { version } }",
      { id },
    )
  ).segment.version;
const goalVersion = async (id: string) =>
  (
    await app.query<{ goal: { version: number } }, object>("query ($id: ID!) { goal(id: $id) { version } }", {
      id,
    })
  ).goal.version;
const experienceVersion = async (id: string) =>
  (
    await app.query<{ experience: { version: number } }, object>(
      "query ($id: ID!) { experience(id: $id) { version } }",
      { id },
    )
  ).experience.version;

const newKey = async () => ({ id: await make.key("NUMBER", 1), version: 1 });
const archivedKey = async () => {
  const id = await make.key("NUMBER", 1);
  await app.query(ArchiveKeyDocument, { id });
  return { id, version: 2 };
};
const newSegment = async () => ({ id: await make.segment(), version: 1 });
const archivedSegment = async () => {
  const id = await make.segment();
  await app.query("mutation ($id: ID!) { archiveSegment(id: $id) { userErrors { code } } }", { id });
  return { id, version: 2 };
};
const newGoal = async () => ({ id: await make.goal(), version: 1 });
const archivedGoal = async () => {
  const id = await make.goal();
  await app.query("mutation ($id: ID!) { archiveGoal(id: $id) { userErrors { code } } }", { id });
  return { id, version: 2 };
};
const config = async () => ({
  id: (await make.productConfig({ values: [{ keyId: await make.key("NUMBER", 1), value: 2 }] })).id,
  version: 1,
});
const runningConfig = async () => {
  const { id } = await config();
  await make.start(id);
  return { id, version: 2 };
};
const flag = async () => ({
  id: (await make.featureFlag({ keyId: await make.key("BOOLEAN", false), value: true })).id,
  version: 1,
});
const abTest = async () => ({ id: (await make.abTest({ goalIds: [await make.goal()] })).id, version: 1 });

const payload = (field: string, selection = "userErrors { code field message }") =>
  `${field} { ${selection} }`;

/** The project's settings (one per project; the id is unused), flipped each time so every update changes them. */
const settingsVersion = async () => (await app.query(GetSettingsDocument, {})).settings.version;
const currentSettings = async () => ({ id: "settings", version: await settingsVersion() });

const cases: Record<string, Case> = {
  updateSettings: {
    setup: currentSettings,
    document: `mutation ($on: Boolean, $v: Int) { r: ${payload("updateSettings(input: { mutuallyExclusiveABTests: $on, expectedVersion: $v })")} }`,
    variables: (_id, v) => ({ on: v % 2 === 0, v }),
    read: settingsVersion,
  },
  updateKey: {
    setup: newKey,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("updateKey(input: { id: $id, defaultValue: 9, expectedVersion: $v })")} }`,
    variables: (id, v) => ({ id, v }),
    read: keyVersion,
  },
  archiveKey: {
    setup: newKey,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("archiveKey(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: keyVersion,
  },
  unarchiveKey: {
    setup: archivedKey,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("unarchiveKey(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: keyVersion,
  },
  updateSegment: {
    setup: newSegment,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload('updateSegment(input: { id: $id, description: "x", expectedVersion: $v })')} }`,
    variables: (id, v) => ({ id, v }),
    read: segmentVersion,
  },
  archiveSegment: {
    setup: newSegment,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("archiveSegment(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: segmentVersion,
  },
  unarchiveSegment: {
    setup: archivedSegment,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("unarchiveSegment(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: segmentVersion,
  },
  updateGoal: {
    setup: newGoal,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload('updateGoal(input: { id: $id, description: "x", expectedVersion: $v })')} }`,
    variables: (id, v) => ({ id, v }),
    read: goalVersion,
  },
  archiveGoal: {
    setup: newGoal,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("archiveGoal(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: goalVersion,
  },
  unarchiveGoal: {
    setup: archivedGoal,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("unarchiveGoal(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: goalVersion,
  },
  updateProductConfig: {
    setup: config,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("updateProductConfig(input: { id: $id, priority: 7, expectedVersion: $v })")} }`,
    variables: (id, v) => ({ id, v }),
    read: experienceVersion,
  },
  updateFeatureFlag: {
    setup: flag,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("updateFeatureFlag(input: { id: $id, rolloutPercentage: 5, expectedVersion: $v })")} }`,
    variables: (id, v) => ({ id, v }),
    read: experienceVersion,
  },
  updateABTest: {
    setup: abTest,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("updateABTest(input: { id: $id, trafficPercentage: 5, expectedVersion: $v })")} }`,
    variables: (id, v) => ({ id, v }),
    read: experienceVersion,
  },
  startExperience: {
    setup: config,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("startExperience(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: experienceVersion,
  },
  pauseExperience: {
    setup: runningConfig,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("pauseExperience(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: experienceVersion,
  },
  stopExperience: {
    setup: runningConfig,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("stopExperience(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: experienceVersion,
  },
  archiveExperience: {
    setup: config,
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("archiveExperience(id: $id, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: experienceVersion,
  },
  revertExperience: {
    setup: async () => {
      const { id } = await config();
      await app.query(
        "mutation ($id: ID!) { updateProductConfig(input: { id: $id, priority: 3 }) { userErrors { code } } }",
        { id },
      );
      return { id, version: 2 };
    },
    document: `mutation ($id: ID!, $v: Int) { r: ${payload("revertExperience(id: $id, toVersion: 1, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v }),
    read: experienceVersion,
  },
  scheduleExperience: {
    setup: config,
    document: `mutation ($id: ID!, $v: Int, $at: DateTime) { r: ${payload("scheduleExperience(id: $id, startAt: $at, expectedVersion: $v)")} }`,
    variables: (id, v) => ({ id, v, at: new Date(Date.now() + 3_600_000).toISOString() }),
    read: experienceVersion,
  },
};

describe.each(Object.entries(cases))("%s", (_name, one) => {
  test("with a stale expectedVersion is CONFLICT naming both versions, and nothing changes", async () => {
    const { id, version } = await one.setup();
    const response = await app.query<
      { r: { userErrors: { code: string; field: string[]; message: string }[] } },
      object
    >(one.document, one.variables(id, version - 1));
    expect(response.r.userErrors).toEqual([
      expect.objectContaining({
        code: "CONFLICT",
        message: expect.stringMatching(new RegExp(`version ${version}, not ${version - 1}`)),
      }),
    ]);
    expect(response.r.userErrors[0].field.at(-1)).toBe("expectedVersion");
    expect(await one.read(id)).toBe(version);
  });

  test("with the current expectedVersion is done, as the next version", async () => {
    const { id, version } = await one.setup();
    const response = await app.query<{ r: { userErrors: unknown[] } }, object>(
      one.document,
      one.variables(id, version),
    );
    expect(response.r.userErrors).toEqual([]);
    expect(await one.read(id)).toBe(version + 1);
  });
});

test(`of 20 updates all sending the same expectedVersion (${CONCURRENT_WRITES}), exactly one is applied; 19 are CONFLICT`, async () => {
  const { id } = await newKey();
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      app.query(UpdateKeyDocument, { input: { id, defaultValue: 100 + i, expectedVersion: 1 } }),
    ),
  );
  const applied = answers.filter((answer) => answer.updateKey.userErrors.length === 0);
  expect(applied).toHaveLength(1);
  expect(answers.flatMap((answer) => answer.updateKey.userErrors.map((error) => error.code))).toEqual(
    Array(19).fill("CONFLICT"),
  );
  const key = (await app.query(GetKeyDocument, { id })).key!;
  expect(key).toMatchObject({ version: 2, defaultValue: applied[0].updateKey.key!.defaultValue });
});

test("without expectedVersion a change is applied to whatever is current: two editors who read version 1 both write, the last one wins", async () => {
  const id = await make.segment(rule as never);
  const read = async () =>
    (
      await app.query<{ segment: { version: number; description: string | null } }, object>(
        "query ($id: ID!) { segment(id: $id) { version description } }",
        { id },
      )
    ).segment;
  expect(await read()).toEqual({ version: 1, description: null });
  for (const description of ["first editor's", "second editor's"]) {
    const { updateSegment } = await app.query<{ updateSegment: { userErrors: unknown[] } }, object>(
      "mutation ($id: ID!, $d: String) { updateSegment(input: { id: $id, description: $d }) { userErrors { code } } }",
      { id, d: description },
    );
    expect(updateSegment.userErrors).toEqual([]);
  }
  expect(await read()).toEqual({ version: 3, description: "second editor's" });
});
