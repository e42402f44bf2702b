import {
  ArchiveExperienceDocument,
  ArchiveKeyDocument,
  ArchiveSegmentDocument,
  AuditLogDocument,
  CreateAbTestDocument,
  CreateFeatureFlagDocument,
  CreateProductConfigDocument,
  GetExperienceDocument,
  ListExperiencesDocument,
  PauseExperienceDocument,
  StartExperienceDocument,
  StopExperienceDocument,
  UpdateAbTestDocument,
  UpdateFeatureFlagDocument,
  UpdateProductConfigDocument,
  UpdateSettingsDocument,
  type CreateAbTestInput,
  type UpdateAbTestInput,
} from "../../client/generated/graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { fixtures, unique } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

let app: TestApp;
let make: ReturnType<typeof fixtures>;
beforeAll(async () => {
  app = await startTestApp();
  make = fixtures(app);
});
afterAll(() => app.close());

const UNKNOWN = "01900000-0000-7000-8000-000000000000";

async function experienceById(id: string) {
  return (await app.query(GetExperienceDocument, { id })).experience;
}

/** Any of the four life-cycle mutations; answers its payload. */
type LifecycleDocument = TypedDocumentNode<
  Record<string, { userErrors: { code: string }[] }>,
  { id: string }
>;
async function move(document: unknown, id: string) {
  return Object.values(await app.query(document as LifecycleDocument, { id }))[0];
}

async function experienceCount() {
  return (await app.query(ListExperiencesDocument, { filter: { archived: null }, first: 1 })).experiences
    .totalCount;
}

describe("product configs", () => {
  test("a product config is created as a DRAFT with its segment, values and priority (0 by default)", async () => {
    const darkMode = await make.key("NUMBER", 3);
    const banner = await make.key("STRING", "hello");
    const segmentId = await make.segment();
    const { createProductConfig } = await app.query(CreateProductConfigDocument, {
      input: {
        name: "Dark mode for NYC",
        segmentId,
        values: [
          { keyId: darkMode, value: 4 },
          { keyId: banner, value: "hi NYC" },
        ],
      },
    });
    expect(createProductConfig.userErrors).toEqual([]);
    const config = createProductConfig.experience!;
    expect(config).toMatchObject({
      __typename: "ProductConfig",
      kind: "PRODUCT_CONFIG",
      status: "DRAFT",
      archived: false,
      priority: 0,
      segment: { id: segmentId },
      values: [
        { key: { id: darkMode }, value: 4 },
        { key: { id: banner }, value: "hi NYC" },
      ],
    });
    expect(await experienceById(config.id)).toEqual(config);
  });

  test.each([
    [
      "a value of the wrong type",
      async () => [{ keyId: await make.key("NUMBER", 1), value: "4" }],
      "INVALID",
      ["input", "values", "0", "value"],
    ],
    [
      "an unknown key",
      async () => [{ keyId: UNKNOWN, value: 1 }],
      "NOT_FOUND",
      ["input", "values", "0", "keyId"],
    ],
    [
      "an archived key",
      async () => {
        const keyId = await make.key();
        await app.query(ArchiveKeyDocument, { id: keyId });
        return [{ keyId, value: true }];
      },
      "ARCHIVED",
      ["input", "values", "0", "keyId"],
    ],
    [
      "the same key twice",
      async () => {
        const keyId = await make.key();
        return [
          { keyId, value: true },
          { keyId, value: false },
        ];
      },
      "INVALID",
      ["input", "values", "1", "keyId"],
    ],
    ["no values at all", async () => [], "INVALID", ["input", "values"]],
  ])("%s is refused and nothing is created", async (_what, values, code, field) => {
    const before = await experienceCount();
    const { createProductConfig } = await app.query(CreateProductConfigDocument, {
      input: { name: unique("bad"), values: await values() },
    });
    expect(createProductConfig.experience).toBeNull();
    expect(createProductConfig.userErrors).toEqual([expect.objectContaining({ code, field })]);
    expect(await experienceCount()).toBe(before);
  });

  test("an unknown segment is NOT_FOUND and an archived one ARCHIVED", async () => {
    const values = [{ keyId: await make.key(), value: true }];
    const unknown = await app.query(CreateProductConfigDocument, {
      input: { name: unique("c"), segmentId: UNKNOWN, values },
    });
    expect(unknown.createProductConfig.userErrors).toEqual([
      expect.objectContaining({ code: "NOT_FOUND", field: ["input", "segmentId"] }),
    ]);
    const segmentId = await make.segment();
    await app.query(ArchiveSegmentDocument, { id: segmentId });
    const archived = await app.query(CreateProductConfigDocument, {
      input: { name: unique("c"), segmentId, values },
    });
    expect(archived.createProductConfig.userErrors).toEqual([
      expect.objectContaining({ code: "ARCHIVED", field: ["input", "segmentId"] }),
    ]);
  });

  test("values change until the config stops (live edits); name, description, segment and priority until it is archived", async () => {
    const keyId = await make.key("NUMBER", 1);
    const config = await make.productConfig({ values: [{ keyId, value: 2 }] });
    const drafted = await app.query(UpdateProductConfigDocument, {
      input: { id: config.id, values: [{ keyId, value: 3 }] },
    });
    expect(drafted.updateProductConfig.experience).toMatchObject({ values: [{ value: 3 }] });

    await make.start(config.id);
    const live = await app.query(UpdateProductConfigDocument, {
      input: { id: config.id, values: [{ keyId, value: 4 }] },
    });
    expect(live.updateProductConfig.userErrors).toEqual([]);
    expect(live.updateProductConfig.experience).toMatchObject({ status: "RUNNING", values: [{ value: 4 }] });

    await app.query(StopExperienceDocument, { id: config.id });
    const stopped = await experienceById(config.id);
    const refused = await app.query(UpdateProductConfigDocument, {
      input: { id: config.id, values: [{ keyId, value: 5 }], name: "renamed" },
    });
    expect(refused.updateProductConfig.userErrors).toEqual([
      expect.objectContaining({
        code: "INVALID_STATE",
        field: ["input", "values"],
        message: expect.stringContaining("values"),
      }),
    ]);
    expect(await experienceById(config.id)).toEqual(stopped);

    const segmentId = await make.segment();
    const { updateProductConfig } = await app.query(UpdateProductConfigDocument, {
      input: {
        id: config.id,
        name: "Renamed after the stop",
        description: "history",
        segmentId,
        priority: 5,
      },
    });
    expect(updateProductConfig.experience).toMatchObject({
      name: "Renamed after the stop",
      description: "history",
      segment: { id: segmentId },
      priority: 5,
      status: "STOPPED",
      values: [{ value: 4 }],
    });
  });

  test("an empty segment id targets all users again; null keeps the segment", async () => {
    const segmentId = await make.segment();
    const config = await make.productConfig({
      segmentId,
      values: [{ keyId: await make.key(), value: true }],
    });
    const kept = await app.query(UpdateProductConfigDocument, {
      input: { id: config.id, name: unique("kept") },
    });
    expect(kept.updateProductConfig.experience?.segment).toEqual({ id: segmentId, name: expect.any(String) });
    const cleared = await app.query(UpdateProductConfigDocument, { input: { id: config.id, segmentId: "" } });
    expect(cleared.updateProductConfig.experience?.segment).toBeNull();
  });
});

describe("feature flags", () => {
  test("a feature flag serves one typed value of one key to 100% unless told otherwise", async () => {
    const keyId = await make.key("BOOLEAN", false);
    const { createFeatureFlag } = await app.query(CreateFeatureFlagDocument, {
      input: { name: "New checkout", keyId, value: true },
    });
    expect(createFeatureFlag.experience).toMatchObject({
      __typename: "FeatureFlag",
      kind: "FEATURE_FLAG",
      status: "DRAFT",
      key: { id: keyId },
      value: true,
      rolloutPercentage: 100,
      segment: null,
    });
  });

  test.each([
    ["a value of the wrong type", { value: "yes" }, "INVALID", ["input", "value"]],
    ["a rollout below 0", { rolloutPercentage: -1 }, "INVALID", ["input", "rolloutPercentage"]],
    ["a rollout above 100", { rolloutPercentage: 100.5 }, "INVALID", ["input", "rolloutPercentage"]],
    ["an unknown key", { keyId: UNKNOWN }, "NOT_FOUND", ["input", "keyId"]],
  ])("%s is refused", async (_what, override, code, field) => {
    const keyId = await make.key("BOOLEAN", false);
    const { createFeatureFlag } = await app.query(CreateFeatureFlagDocument, {
      input: { name: unique("f"), keyId, value: true, ...override },
    });
    expect(createFeatureFlag.userErrors).toEqual([expect.objectContaining({ code, field })]);
  });

  test("a running flag's rollout widens and its value changes, also while paused; once stopped, neither", async () => {
    const keyId = await make.key("STRING", "off");
    const flag = await make.featureFlag({ keyId, value: "on", rolloutPercentage: 20 });
    await make.start(flag.id);
    const widened = await app.query(UpdateFeatureFlagDocument, {
      input: { id: flag.id, rolloutPercentage: 50 },
    });
    expect(widened.updateFeatureFlag.experience).toMatchObject({ rolloutPercentage: 50, status: "RUNNING" });
    await app.query(PauseExperienceDocument, { id: flag.id });
    const changed = await app.query(UpdateFeatureFlagDocument, { input: { id: flag.id, value: "on-v2" } });
    expect(changed.updateFeatureFlag.experience).toMatchObject({ value: "on-v2", status: "PAUSED" });
    const badType = await app.query(UpdateFeatureFlagDocument, { input: { id: flag.id, value: 3 } });
    expect(badType.updateFeatureFlag.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "value"] }),
    ]);

    const stopped = (await app.query(StopExperienceDocument, { id: flag.id })).stopExperience.experience!;
    const refused = await app.query(UpdateFeatureFlagDocument, {
      input: { id: flag.id, rolloutPercentage: 100 },
    });
    expect(refused.updateFeatureFlag.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE" }),
    ]);
    expect(await experienceById(flag.id)).toEqual(stopped);
  });

  test("a key has at most one live feature flag: starting a second is INVALID_STATE until the first stops", async () => {
    const keyId = await make.key("BOOLEAN", false);
    const first = await make.featureFlag({ keyId, value: true });
    const second = await make.featureFlag({ keyId, value: true, rolloutPercentage: 10 });
    await make.start(first.id);
    const blocked = await app.query(StartExperienceDocument, { id: second.id });
    expect(blocked.startExperience.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE", field: ["id"] }),
    ]);
    expect((await experienceById(second.id))?.status).toBe("DRAFT");

    await app.query(PauseExperienceDocument, { id: first.id });
    expect(
      (await app.query(StartExperienceDocument, { id: second.id })).startExperience.userErrors[0]?.code,
    ).toBe("INVALID_STATE");

    await app.query(StopExperienceDocument, { id: first.id });
    expect(
      (await app.query(StartExperienceDocument, { id: second.id })).startExperience.experience?.status,
    ).toBe("RUNNING");
  });

  test("updating a flag through another kind's mutation is NOT_FOUND", async () => {
    const flag = await make.featureFlag({ keyId: await make.key(), value: true });
    const { updateProductConfig } = await app.query(UpdateProductConfigDocument, {
      input: { id: flag.id, name: "x" },
    });
    expect(updateProductConfig.userErrors).toEqual([
      expect.objectContaining({ code: "NOT_FOUND", field: ["input", "id"] }),
    ]);
  });
});

describe("A/B tests", () => {
  async function abInput(override: Partial<CreateAbTestInput> = {}): Promise<CreateAbTestInput> {
    const goalId = await make.goal();
    return {
      name: unique("test"),
      variants: [
        { name: "control", weight: 50, isControl: true },
        { name: "treatment", weight: 50 },
      ],
      goalIds: [goalId],
      primaryGoalId: goalId,
      ...override,
    };
  }

  test("an A/B test keeps its variants with their values, its goals and its primary goal", async () => {
    const keyId = await make.key("STRING", "blue");
    const [purchase, signup] = [await make.goal(["Charged"]), await make.goal(["Signed Up"])];
    const { createABTest } = await app.query(CreateAbTestDocument, {
      input: {
        name: "Button colour",
        trafficPercentage: 40,
        variants: [
          { name: " control ", weight: 33.33, isControl: true },
          { name: "green", weight: 33.33, values: [{ keyId, value: "green" }] },
          { name: "red", weight: 33.34, values: [{ keyId, value: "red" }] },
        ],
        goalIds: [purchase, signup],
        primaryGoalId: signup,
      },
    });
    expect(createABTest.userErrors).toEqual([]);
    expect(createABTest.experience).toMatchObject({
      __typename: "ABTest",
      kind: "AB_TEST",
      status: "DRAFT",
      trafficPercentage: 40,
      mutuallyExclusive: false,
      startedAt: null,
      stoppedAt: null,
      goals: [{ id: purchase }, { id: signup }],
      primaryGoal: { id: signup },
      variants: [
        { name: "control", weight: 33.33, isControl: true, values: [] },
        { name: "green", weight: 33.33, isControl: false, values: [{ key: { id: keyId }, value: "green" }] },
        { name: "red", weight: 33.34, isControl: false, values: [{ value: "red" }] },
      ],
    });
  });

  const refusedInputs: [
    string,
    (input: CreateAbTestInput) => Partial<CreateAbTestInput>,
    string[],
    "INVALID" | "NOT_FOUND",
  ][] = [
    [
      "one variant",
      () => ({ variants: [{ name: "only", weight: 100, isControl: true }] }),
      ["input", "variants"],
      "INVALID",
    ],
    [
      "eleven variants",
      () => ({
        variants: Array.from({ length: 11 }, (_, i) => ({
          name: `v${i}`,
          weight: 100 / 11,
          isControl: i === 0,
        })),
      }),
      ["input", "variants"],
      "INVALID",
    ],
    [
      "two variants of the same name (ignoring case)",
      () => ({
        variants: [
          { name: "A", weight: 50, isControl: true },
          { name: "a", weight: 50 },
        ],
      }),
      ["input", "variants", "1", "name"],
      "INVALID",
    ],
    [
      "no control",
      () => ({
        variants: [
          { name: "a", weight: 50 },
          { name: "b", weight: 50 },
        ],
      }),
      ["input", "variants"],
      "INVALID",
    ],
    [
      "two controls",
      () => ({
        variants: [
          { name: "a", weight: 50, isControl: true },
          { name: "b", weight: 50, isControl: true },
        ],
      }),
      ["input", "variants"],
      "INVALID",
    ],
    [
      "a weight of 0",
      () => ({
        variants: [
          { name: "a", weight: 0, isControl: true },
          { name: "b", weight: 100 },
        ],
      }),
      ["input", "variants", "0", "weight"],
      "INVALID",
    ],
    [
      "weights summing to 99",
      () => ({
        variants: [
          { name: "a", weight: 49, isControl: true },
          { name: "b", weight: 50 },
        ],
      }),
      ["input", "variants"],
      "INVALID",
    ],
    ["traffic of 0", () => ({ trafficPercentage: 0 }), ["input", "trafficPercentage"], "INVALID"],
    ["traffic over 100", () => ({ trafficPercentage: 101 }), ["input", "trafficPercentage"], "INVALID"],
    ["no goals", () => ({ goalIds: [] }), ["input", "goalIds"], "INVALID"],
    [
      "a primary goal not among the goals",
      (input) => ({ goalIds: input.goalIds, primaryGoalId: UNKNOWN }),
      ["input", "primaryGoalId"],
      "INVALID",
    ],
    [
      "an unknown goal",
      () => ({ goalIds: [UNKNOWN], primaryGoalId: UNKNOWN }),
      ["input", "goalIds", "0"],
      "NOT_FOUND",
    ],
  ];
  test.each(refusedInputs.map(([what, override, field, code]) => [what, code, override, field] as const))(
    "%s is %s at the field at fault, and nothing is created",
    async (_what, code, override, field) => {
      const before = await experienceCount();
      const input = await abInput();
      const { createABTest } = await app.query(CreateAbTestDocument, {
        input: { ...input, ...override(input) },
      });
      expect(createABTest.experience).toBeNull();
      expect(createABTest.userErrors).toContainEqual(expect.objectContaining({ field, code }));
      expect(await experienceCount()).toBe(before);
    },
  );

  test("eleven goals are too many", async () => {
    const goalIds = [];
    for (let i = 0; i < 11; i++) goalIds.push(await make.goal());
    const { createABTest } = await app.query(CreateAbTestDocument, {
      input: await abInput({ goalIds, primaryGoalId: goalIds[0] }),
    });
    expect(createABTest.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "goalIds"] }),
    ]);
  });

  test("mutuallyExclusive comes from the settings at creation, stays for life, and an explicit value wins", async () => {
    await app.query(UpdateSettingsDocument, { input: { mutuallyExclusiveABTests: true } });
    const fromSettings = (await app.query(CreateAbTestDocument, { input: await abInput() })).createABTest
      .experience!;
    const explicit = (
      await app.query(CreateAbTestDocument, { input: await abInput({ mutuallyExclusive: false }) })
    ).createABTest.experience!;
    await app.query(UpdateSettingsDocument, { input: { mutuallyExclusiveABTests: false } });
    const later = (await app.query(CreateAbTestDocument, { input: await abInput() })).createABTest
      .experience!;

    expect((await experienceById(fromSettings.id)) as { mutuallyExclusive: boolean }).toMatchObject({
      mutuallyExclusive: true,
    });
    expect((await experienceById(explicit.id)) as { mutuallyExclusive: boolean }).toMatchObject({
      mutuallyExclusive: false,
    });
    expect((await experienceById(later.id)) as { mutuallyExclusive: boolean }).toMatchObject({
      mutuallyExclusive: false,
    });
  });

  test("while running: goals and the name change, traffic only goes up, segment and variants are DRAFT only; once stopped nothing changes", async () => {
    const test = (await app.query(CreateAbTestDocument, { input: await abInput() })).createABTest.experience!;
    const drafted = await app.query(UpdateAbTestDocument, {
      input: {
        id: test.id,
        trafficPercentage: 25,
        variants: [
          { name: "base", weight: 20, isControl: true },
          { name: "bold", weight: 80 },
        ],
      },
    });
    expect(drafted.updateABTest.experience).toMatchObject({
      trafficPercentage: 25,
      variants: [{ name: "base" }, { name: "bold" }],
    });

    const running = await make.start(test.id);
    const refusals: [Partial<UpdateAbTestInput>, string][] = [
      [{ trafficPercentage: 10 }, "trafficPercentage"],
      [{ segmentId: await make.segment() }, "segmentId"],
      [{ variants: [{ name: "x", weight: 100, isControl: true }] }, "variants"],
    ];
    for (const [change, field] of refusals) {
      const { updateABTest } = await app.query(UpdateAbTestDocument, { input: { id: test.id, ...change } });
      expect(updateABTest.userErrors).toEqual([
        expect.objectContaining({
          code: "INVALID_STATE",
          field: ["input", field],
          message: expect.stringContaining(field),
        }),
      ]);
    }
    expect(await experienceById(test.id)).toMatchObject(running);
    // The variants sent back as they are is no change: a form sent back whole is fine.
    const goalId = await make.goal();
    const live = await app.query(UpdateAbTestDocument, {
      input: {
        id: test.id,
        name: unique("renamed live"),
        trafficPercentage: 60,
        goalIds: [goalId],
        primaryGoalId: goalId,
        variants: [
          { name: "base", weight: 20, isControl: true },
          { name: "bold", weight: 80 },
        ],
      },
    });
    expect(live.updateABTest.userErrors).toEqual([]);
    expect(live.updateABTest.experience).toMatchObject({
      trafficPercentage: 60,
      goals: [{ id: goalId }],
      status: "RUNNING",
    });

    await app.query(StopExperienceDocument, { id: test.id });
    const afterStop = await app.query(UpdateAbTestDocument, {
      input: { id: test.id, name: unique("too late") },
    });
    expect(afterStop.updateABTest.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE", field: ["input", "name"] }),
    ]);
  });

  test("goals can be replaced in DRAFT, and the primary goal must stay among them", async () => {
    const input = await abInput();
    const test = (await app.query(CreateAbTestDocument, { input })).createABTest.experience!;
    const other = await make.goal();
    const orphaned = await app.query(UpdateAbTestDocument, { input: { id: test.id, goalIds: [other] } });
    expect(orphaned.updateABTest.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "primaryGoalId"] }),
    ]);
    const replaced = await app.query(UpdateAbTestDocument, {
      input: { id: test.id, goalIds: [other, input.goalIds[0]], primaryGoalId: other },
    });
    expect(replaced.updateABTest.experience).toMatchObject({
      goals: [{ id: other }, { id: input.goalIds[0] }],
      primaryGoal: { id: other },
    });
  });
});

describe("experience names", () => {
  test("names are unique per kind ignoring case; different kinds may share a name", async () => {
    const keyId = await make.key();
    await make.productConfig({ name: "Holiday promo", values: [{ keyId, value: true }] });
    const clash = await app.query(CreateProductConfigDocument, {
      input: { name: "HOLIDAY PROMO", values: [{ keyId, value: true }] },
    });
    expect(clash.createProductConfig.userErrors).toEqual([
      expect.objectContaining({ code: "NAME_TAKEN", field: ["input", "name"] }),
    ]);
    const flag = await app.query(CreateFeatureFlagDocument, {
      input: { name: "Holiday promo", keyId, value: true },
    });
    expect(flag.createFeatureFlag.userErrors).toEqual([]);
  });
});

describe("the life cycle", () => {
  test("DRAFT → RUNNING → PAUSED → RUNNING → STOPPED, with startedAt kept from the first start", async () => {
    const test = await make.abTest({ goalIds: [await make.goal()] });
    const started = (await app.query(StartExperienceDocument, { id: test.id })).startExperience
      .experience as { status: string; startedAt: string };
    expect(started.status).toBe("RUNNING");
    const paused = (await app.query(PauseExperienceDocument, { id: test.id })).pauseExperience.experience!;
    expect(paused.status).toBe("PAUSED");
    const resumed = (await app.query(StartExperienceDocument, { id: test.id })).startExperience
      .experience as { status: string; startedAt: string };
    expect(resumed).toMatchObject({ status: "RUNNING", startedAt: started.startedAt });
    const stopped = (await app.query(StopExperienceDocument, { id: test.id })).stopExperience.experience as {
      status: string;
      stoppedAt: string;
    };
    expect(stopped.status).toBe("STOPPED");
    expect(stopped.stoppedAt).toEqual(expect.any(String));
  });

  test.each([
    ["pause a draft", [], PauseExperienceDocument],
    ["stop a draft", [], StopExperienceDocument],
    ["start a running experience", ["start"], StartExperienceDocument],
    ["pause a paused experience", ["start", "pause"], PauseExperienceDocument],
    ["start a stopped experience", ["start", "stop"], StartExperienceDocument],
    ["stop a stopped experience", ["start", "stop"], StopExperienceDocument],
    ["archive a running experience", ["start"], ArchiveExperienceDocument],
    ["archive a paused experience", ["start", "pause"], ArchiveExperienceDocument],
  ] as const)("trying to %s is INVALID_STATE and nothing changes", async (_what, steps, document) => {
    const config = await make.productConfig({ values: [{ keyId: await make.key(), value: true }] });
    const moves = {
      start: StartExperienceDocument,
      pause: PauseExperienceDocument,
      stop: StopExperienceDocument,
    };
    for (const step of steps) await move(moves[step], config.id);
    const before = await experienceById(config.id);
    expect((await move(document, config.id)).userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE" }),
    ]);
    expect(await experienceById(config.id)).toEqual(before);
  });

  test("drafts and stopped experiences can be archived; archived ones are read-only", async () => {
    const keyId = await make.key();
    const draft = await make.productConfig({ values: [{ keyId, value: true }] });
    const archived = (await app.query(ArchiveExperienceDocument, { id: draft.id })).archiveExperience
      .experience!;
    expect(archived.archived).toBe(true);

    expect(
      (await app.query(StartExperienceDocument, { id: draft.id })).startExperience.userErrors[0].code,
    ).toBe("ARCHIVED");
    expect(
      (await app.query(UpdateProductConfigDocument, { input: { id: draft.id, name: "x" } }))
        .updateProductConfig.userErrors[0].code,
    ).toBe("ARCHIVED");
    expect(
      (await app.query(ArchiveExperienceDocument, { id: draft.id })).archiveExperience.userErrors[0].code,
    ).toBe("INVALID_STATE");
    expect(await experienceById(draft.id)).toEqual(archived);

    const flag = await make.featureFlag({ keyId, value: true });
    await make.start(flag.id);
    await app.query(StopExperienceDocument, { id: flag.id });
    expect(
      (await app.query(ArchiveExperienceDocument, { id: flag.id })).archiveExperience.experience?.archived,
    ).toBe(true);
  });

  test("unknown experiences are NOT_FOUND for every life-cycle move", async () => {
    for (const document of [
      StartExperienceDocument,
      PauseExperienceDocument,
      StopExperienceDocument,
      ArchiveExperienceDocument,
    ]) {
      expect((await move(document, UNKNOWN)).userErrors[0].code).toBe("NOT_FOUND");
    }
  });
});

describe("listing experiences", () => {
  test("the filter narrows by kind, status, archive state and search", async () => {
    const keyId = await make.key();
    const config = await make.productConfig({
      name: "Listing needle config",
      values: [{ keyId, value: true }],
    });
    const flag = await make.featureFlag({ name: "Listing needle flag", keyId, value: true });
    await make.start(flag.id);
    const names = async (filter: object) =>
      (
        await app.query(ListExperiencesDocument, {
          filter: { search: "listing needle", ...filter },
          first: 100,
        })
      ).experiences.nodes.map((e) => e.name);
    expect(await names({})).toEqual(["Listing needle config", "Listing needle flag"]);
    expect(await names({ kind: "FEATURE_FLAG" })).toEqual(["Listing needle flag"]);
    expect(await names({ status: "DRAFT" })).toEqual(["Listing needle config"]);
    await app.query(ArchiveExperienceDocument, { id: config.id });
    expect(await names({})).toEqual(["Listing needle flag"]);
    expect(await names({ archived: true })).toEqual(["Listing needle config"]);
    expect(await names({ archived: null })).toEqual(["Listing needle config", "Listing needle flag"]);
  });

  test("every change is audited with before and after", async () => {
    const flag = await make.featureFlag({ keyId: await make.key(), value: true, rolloutPercentage: 10 });
    await make.start(flag.id);
    await app.query(UpdateFeatureFlagDocument, { input: { id: flag.id, rolloutPercentage: 30 } });
    const { auditLog } = await app.query(AuditLogDocument, { entityId: flag.id });
    expect(auditLog.nodes.map((event) => event.action)).toEqual([
      "updateFeatureFlag",
      "startExperience",
      "createFeatureFlag",
    ]);
    expect(auditLog.nodes[0]).toMatchObject({
      entityType: "Experience",
      before: { rolloutPercentage: 10, status: "RUNNING" },
      after: { rolloutPercentage: 30, status: "RUNNING" },
    });
  });
});
