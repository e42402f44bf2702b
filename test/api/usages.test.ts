import {
  ArchiveExperienceDocument,
  ArchiveGoalDocument,
  ArchiveKeyDocument,
  ArchiveSegmentDocument,
  CreateProductConfigDocument,
  GetGoalDocument,
  GetKeyDocument,
  GetSegmentDocument,
  StopExperienceDocument,
  UpdateAbTestDocument,
  UpdateGoalDocument,
  UpdateProductConfigDocument,
  ViewerDocument,
} from "../../client/generated/graphql";
import { Experience } from "../../src/experiences/experience.entity";
import { KeyValue } from "../../src/experiences/key-value.entity";
import { Key } from "../../src/keys/key.entity";
import { fixtures, unique } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";
import { closeWriteGate } from "../helpers/write-gate";

let app: TestApp;
let make: ReturnType<typeof fixtures>;
beforeAll(async () => {
  app = await startTestApp();
  make = fixtures(app);
});
afterAll(() => app.close());

async function keyUsages(id: string) {
  return (await app.query(GetKeyDocument, { id })).key!.usages;
}

describe("what live experiences use cannot be archived", () => {
  test("a key used by a product config or a feature flag cannot be archived, and the error says which experiences block it", async () => {
    const keyId = await make.key("NUMBER", 3, "dark_mode_guard");
    const config = await make.productConfig({ name: "Dark mode config", values: [{ keyId, value: 4 }] });
    const flag = await make.featureFlag({ name: "Dark mode flag", keyId, value: 4 });
    await make.start(flag.id);

    const { archiveKey } = await app.query(ArchiveKeyDocument, { id: keyId });
    expect(archiveKey.key).toBeNull();
    expect(archiveKey.userErrors).toEqual([
      {
        code: "IN_USE",
        field: ["id"],
        message: expect.stringContaining('"Dark mode config", "Dark mode flag"'),
        usages: [
          {
            kind: "PRODUCT_CONFIG",
            id: config.id,
            name: "Dark mode config",
            status: "DRAFT",
            archived: false,
          },
          { kind: "FEATURE_FLAG", id: flag.id, name: "Dark mode flag", status: "RUNNING", archived: false },
        ],
      },
    ]);
    expect((await app.query(GetKeyDocument, { id: keyId })).key?.archived).toBe(false);
  });

  test("a goal used by an A/B test cannot be archived, and the error names the test", async () => {
    const goalId = await make.goal(["Charged"], "Purchase guard");
    const test = await make.abTest({ name: "Checkout test", goalIds: [goalId] });
    const { archiveGoal } = await app.query(ArchiveGoalDocument, { id: goalId });
    expect(archiveGoal.userErrors).toEqual([
      expect.objectContaining({
        code: "IN_USE",
        usages: [{ kind: "AB_TEST", id: test.id, name: "Checkout test", status: "DRAFT", archived: false }],
      }),
    ]);
    expect((await app.query(GetGoalDocument, { id: goalId })).goal?.archived).toBe(false);
  });
});

describe("usages", () => {
  test("Key.usages lists every experience that references the key, variants included, archived ones flagged", async () => {
    const keyId = await make.key("STRING", "a");
    const config = await make.productConfig({ values: [{ keyId, value: "b" }] });
    const test = await make.abTest({
      goalIds: [await make.goal()],
      variants: [
        { name: "control", weight: 50, isControl: true },
        { name: "b", weight: 50, values: [{ keyId, value: "c" }] },
      ],
    });
    await app.query(ArchiveExperienceDocument, { id: config.id });
    expect(await keyUsages(keyId)).toEqual([
      { kind: "PRODUCT_CONFIG", id: config.id, name: config.name, status: "DRAFT", archived: true },
      { kind: "AB_TEST", id: test.id, name: test.name, status: "DRAFT", archived: false },
    ]);
  });

  test("once the experiences using it are archived, the key can be archived", async () => {
    const keyId = await make.key();
    const flag = await make.featureFlag({ keyId, value: true });
    await make.start(flag.id);
    expect((await app.query(ArchiveKeyDocument, { id: keyId })).archiveKey.userErrors[0].code).toBe("IN_USE");
    await app.query(StopExperienceDocument, { id: flag.id });
    expect((await app.query(ArchiveKeyDocument, { id: keyId })).archiveKey.userErrors[0].code).toBe("IN_USE");
    await app.query(ArchiveExperienceDocument, { id: flag.id });
    const { archiveKey } = await app.query(ArchiveKeyDocument, { id: keyId });
    expect(archiveKey.userErrors).toEqual([]);
    expect(archiveKey.key?.usages).toEqual([
      expect.objectContaining({ id: flag.id, archived: true, status: "STOPPED" }),
    ]);
  });

  test("a segment targeted by an unarchived experience cannot be archived (IN_USE); Segment.usages lists it", async () => {
    const segmentId = await make.segment();
    const config = await make.productConfig({
      segmentId,
      values: [{ keyId: await make.key(), value: true }],
    });
    const { archiveSegment } = await app.query(ArchiveSegmentDocument, { id: segmentId });
    expect(archiveSegment.userErrors).toEqual([
      expect.objectContaining({ code: "IN_USE", usages: [expect.objectContaining({ id: config.id })] }),
    ]);
    expect((await app.query(GetSegmentDocument, { id: segmentId })).segment?.usages).toEqual([
      expect.objectContaining({ id: config.id, kind: "PRODUCT_CONFIG" }),
    ]);
    await app.query(UpdateProductConfigDocument, { input: { id: config.id, segmentId: "" } });
    expect((await app.query(ArchiveSegmentDocument, { id: segmentId })).archiveSegment.userErrors).toEqual(
      [],
    );
  });

  test("new or changed experiences cannot reference an archived key, segment or goal", async () => {
    const keyId = await make.key();
    await app.query(ArchiveKeyDocument, { id: keyId });
    const config = await make.productConfig({ values: [{ keyId: await make.key(), value: true }] });
    const { updateProductConfig } = await app.query(UpdateProductConfigDocument, {
      input: { id: config.id, values: [{ keyId, value: true }] },
    });
    expect(updateProductConfig.userErrors).toEqual([
      expect.objectContaining({ code: "ARCHIVED", field: ["input", "values", "0", "keyId"] }),
    ]);

    const goalId = await make.goal();
    await app.query(ArchiveGoalDocument, { id: goalId });
    const test = await make.abTest({ goalIds: [await make.goal()] });
    const { updateABTest } = await app.query(UpdateAbTestDocument, {
      input: { id: test.id, goalIds: [goalId], primaryGoalId: goalId },
    });
    expect(updateABTest.userErrors).toEqual([
      expect.objectContaining({ code: "ARCHIVED", field: ["input", "goalIds", "0"] }),
    ]);
  });
});

describe("goal events", () => {
  test("what a goal counts (events, filters, value property) changes freely while its tests are drafts, and freezes once one has run", async () => {
    const goalId = await make.goal(["Charged"]);
    const test = await make.abTest({ goalIds: [goalId] });
    const draft = await app.query(UpdateGoalDocument, {
      input: { id: goalId, events: ["Charged", "Purchase"] },
    });
    expect(draft.updateGoal.goal?.events).toEqual(["Charged", "Purchase"]);

    await make.start(test.id);
    const frozen = await app.query(UpdateGoalDocument, {
      input: { id: goalId, events: ["Charged"], name: "Renamed too" },
    });
    expect(frozen.updateGoal.userErrors).toEqual([
      expect.objectContaining({
        code: "INVALID_STATE",
        field: ["input", "events"],
        message: expect.stringContaining(test.name),
      }),
    ]);
    expect((await app.query(GetGoalDocument, { id: goalId })).goal).toMatchObject({
      events: ["Charged", "Purchase"],
    });

    const renamed = await app.query(UpdateGoalDocument, {
      input: { id: goalId, name: unique("renamed goal"), events: ["Purchase", "Charged"] },
    });
    expect(renamed.updateGoal.userErrors).toEqual([]);

    // Filters and the value property decide what counts too: they freeze with the events.
    const filtered = await app.query(UpdateGoalDocument, {
      input: {
        id: goalId,
        where: [{ property: "amount", operator: "GREATER_THAN", values: [5] }],
        valueProperty: "amount",
      },
    });
    expect(filtered.updateGoal.userErrors.map((error) => [error.code, error.field])).toEqual([
      ["INVALID_STATE", ["input", "where"]],
      ["INVALID_STATE", ["input", "valueProperty"]],
    ]);

    await app.query(StopExperienceDocument, { id: test.id });
    await app.query(ArchiveExperienceDocument, { id: test.id });
    const stillFrozen = await app.query(UpdateGoalDocument, { input: { id: goalId, events: ["Other"] } });
    expect(stillFrozen.updateGoal.userErrors[0]?.code).toBe("INVALID_STATE");
  });
});

describe("under concurrency", () => {
  test("archiveKey racing createProductConfig never leaves an archived key referenced by an unarchived experience, in either order", async () => {
    const projectId = (await app.query(ViewerDocument)).viewer.project.id;
    // All seven requests are in flight at once, queued behind a closed write gate with the archive
    // at a different place each round: first (it wins, the creates find the key ARCHIVED) or after
    // some creates (they win, the archive finds the key IN_USE).
    for (let round = 0; round < 7; round++) {
      const keyId = await make.key();
      const create = (i: number) => () =>
        app.query(CreateProductConfigDocument, {
          input: { name: unique(`race ${round} ${i}`), values: [{ keyId, value: true }] },
        });
      const archive = () => app.query(ArchiveKeyDocument, { id: keyId });
      const gate = await closeWriteGate(
        { database: app.database, db: app.services.db },
        { project: projectId },
      );
      const creates: Promise<Awaited<ReturnType<ReturnType<typeof create>>>>[] = [];
      let archived: Promise<Awaited<ReturnType<typeof archive>>> | null = null;
      for (let i = 0; i < 7; i++) {
        if (i === round) archived = (await gate.send(archive)).answer;
        else creates.push((await gate.send(create(i))).answer);
      }
      await gate.open();
      const archiveAnswer = await archived!;
      const created = await Promise.all(creates);

      const key = await app.services.db.reader.findOneByOrFail(Key, { id: keyId });
      const liveReferences = await app.services.db.reader
        .createQueryBuilder(KeyValue, "value")
        .innerJoin(Experience, "experience", "experience.id = value.experienceId")
        .where("value.keyId = :keyId AND experience.archivedAt IS NULL", { keyId })
        .getCount();
      const made = created.filter((result) => result.createProductConfig.experience !== null).length;
      // The gate lets the waiting requests through in the order they queued: the archive wins only
      // when it came first.
      expect(key.archivedAt !== null).toBe(round === 0);
      if (round === 0) {
        expect(liveReferences).toBe(0);
        expect(archiveAnswer.archiveKey.userErrors).toEqual([]);
      } else {
        expect(archiveAnswer.archiveKey.userErrors).toEqual([expect.objectContaining({ code: "IN_USE" })]);
        const createdNames = created.flatMap((result) => result.createProductConfig.experience?.name ?? []);
        expect(archiveAnswer.archiveKey.userErrors[0].usages.length).toBeGreaterThan(0);
        for (const usage of archiveAnswer.archiveKey.userErrors[0].usages)
          expect(createdNames).toContain(usage.name);
        expect(liveReferences).toBe(made);
      }
      for (const result of created.filter((r) => r.createProductConfig.experience === null)) {
        expect(result.createProductConfig.userErrors.map((e) => e.code)).toEqual(["ARCHIVED"]);
      }
    }
  });
});
