import {
  ArchiveExperiencesDocument,
  ArchiveGoalsDocument,
  ArchiveKeyDocument,
  ArchiveKeysDocument,
  ArchiveSegmentsDocument,
  AuditLogDocument,
  CreateProductConfigDocument,
  GetKeyDocument,
  ViewerDocument,
} from "../../client/generated/graphql";
import { Key } from "../../src/keys/key.entity";
import { fixtures, unique } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";
import { closeWriteGate } from "../helpers/write-gate";

/**
 * Archiving many at once: each id is judged alone by the single archive's rules, in one
 * transaction; the ones that can be archived are, each with its own audit event and version, and
 * the others come back as userErrors at their index.
 */
let app: TestApp;
let token: string;
let make: ReturnType<typeof fixtures>;
beforeAll(async () => {
  app = await startTestApp();
  token = await app.newProject("Bulk");
  make = fixtures(app, token);
});
afterAll(() => app.close());

const UNKNOWN = "01900000-0000-7000-8000-000000000000";

test("archiveKeys archives the free keys and says why not for the rest, at their index", async () => {
  const free = [await make.key(), await make.key()];
  const used = await make.key();
  const config = await make.productConfig({
    name: unique("Uses a key"),
    values: [{ keyId: used, value: true }],
  });
  const archivedAlready = await make.key();
  await app.query(ArchiveKeyDocument, { id: archivedAlready }, token);

  const { archiveKeys } = await app.query(
    ArchiveKeysDocument,
    { ids: [free[0], used, UNKNOWN, archivedAlready, free[1]] },
    token,
  );
  expect(archiveKeys.archived).toEqual(free);
  expect(archiveKeys.userErrors).toEqual([
    expect.objectContaining({
      field: ["ids", "1"],
      code: "IN_USE",
      usages: [expect.objectContaining({ id: config.id })],
    }),
    expect.objectContaining({ field: ["ids", "2"], code: "NOT_FOUND" }),
    expect.objectContaining({ field: ["ids", "3"], code: "INVALID_STATE" }),
  ]);
  for (const id of free) {
    expect((await app.query(GetKeyDocument, { id }, token)).key).toMatchObject({
      archived: true,
      version: 2,
    });
    const { auditLog } = await app.query(AuditLogDocument, { entityId: id }, token);
    expect(auditLog.nodes.map((event) => event.action)).toEqual(["archiveKey", "createKey"]);
  }
  expect((await app.query(GetKeyDocument, { id: used }, token)).key).toMatchObject({
    archived: false,
    version: 1,
  });
});

test("archiveSegments and archiveGoals follow the same rules", async () => {
  const segments = [await make.segment(), await make.segment()];
  const goals = [await make.goal(), await make.goal()];
  await make.abTest({ goalIds: [goals[1]], segmentId: segments[1] });
  const bySegment = (await app.query(ArchiveSegmentsDocument, { ids: segments }, token)).archiveSegments;
  expect(bySegment.archived).toEqual([segments[0]]);
  expect(bySegment.userErrors).toEqual([expect.objectContaining({ field: ["ids", "1"], code: "IN_USE" })]);
  const byGoal = (await app.query(ArchiveGoalsDocument, { ids: goals }, token)).archiveGoals;
  expect(byGoal.archived).toEqual([goals[0]]);
  expect(byGoal.userErrors).toEqual([expect.objectContaining({ field: ["ids", "1"], code: "IN_USE" })]);
});

test("archiveExperiences archives drafts and stopped ones; a running one is INVALID_STATE", async () => {
  const keyId = await make.key();
  const draft = await make.productConfig({ values: [{ keyId, value: true }] });
  const running = await make.productConfig({ values: [{ keyId, value: true }] });
  await make.start(running.id);
  const { archiveExperiences } = await app.query(
    ArchiveExperiencesDocument,
    { ids: [running.id, draft.id] },
    token,
  );
  expect(archiveExperiences.archived).toEqual([draft.id]);
  expect(archiveExperiences.userErrors).toEqual([
    expect.objectContaining({ field: ["ids", "0"], code: "INVALID_STATE" }),
  ]);
});

test.each([
  ["no ids", 0],
  ["101 ids", 101],
])("%s is INVALID at ids, and nothing is archived", async (_what, count) => {
  const ids = await Promise.all(Array.from({ length: count }, () => make.key()));
  const { archiveKeys } = await app.query(ArchiveKeysDocument, { ids }, token);
  expect(archiveKeys).toEqual({
    archived: [],
    userErrors: [expect.objectContaining({ field: ["ids"], code: "INVALID" })],
  });
  for (const id of ids.slice(0, 3))
    expect((await app.query(GetKeyDocument, { id }, token)).key!.archived).toBe(false);
});

test("archiveKeys racing createProductConfig on one of the keys never leaves an archived key in use, in either order", async () => {
  const projectId = (await app.query(ViewerDocument, {}, token)).viewer.project.id;
  for (const archiveFirst of [true, false]) {
    const contested = await make.key();
    const bystander = await make.key();
    const gate = await closeWriteGate(
      { database: app.database, db: app.services.db },
      { project: projectId },
    );
    const create = () =>
      app.query(
        CreateProductConfigDocument,
        { input: { name: unique("racer"), values: [{ keyId: contested, value: true }] } },
        token,
      );
    const archive = () => app.query(ArchiveKeysDocument, { ids: [contested, bystander] }, token);
    let archived: ReturnType<typeof archive>;
    let created: ReturnType<typeof create>;
    if (archiveFirst) {
      archived = (await gate.send(archive)).answer;
      created = (await gate.send(create)).answer;
    } else {
      created = (await gate.send(create)).answer;
      archived = (await gate.send(archive)).answer;
    }
    await gate.open();
    const bulk = (await archived).archiveKeys;
    const made = (await created).createProductConfig;
    const key = await app.services.db.reader.findOneByOrFail(Key, { id: contested });
    // The gate lets them through in the order they queued: the first one wins.
    expect(key.archivedAt !== null).toBe(archiveFirst);
    if (archiveFirst) {
      expect(made.experience).toBeNull();
      expect(made.userErrors.map((error) => error.code)).toEqual(["ARCHIVED"]);
    } else {
      expect(made.experience).not.toBeNull();
      expect(bulk.userErrors.map((error) => error.code)).toEqual(["IN_USE"]);
    }
    expect(bulk.archived).toContain(bystander);
  }
});
