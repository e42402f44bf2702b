import {
  ApiTokensDocument,
  AuditLogDocument,
  CreateApiTokenDocument,
  CreateGoalDocument,
  CreateKeyDocument,
  CreateSegmentDocument,
  GetGoalDocument,
  GetKeyDocument,
  GetSegmentDocument,
  ListGoalsDocument,
  ListKeysDocument,
  ListExperiencesDocument,
  ListSegmentsDocument,
} from "../../client/generated/graphql";
import { fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/**
 * An id of another project behaves exactly like an unknown id: reads give null, writes NOT_FOUND,
 * and the other project's objects stay as they were.
 */
let app: TestApp;
let other: string;
const theirs = { keyId: "", segmentId: "", goalId: "", tokenId: "", configId: "", flagId: "", testId: "" };

beforeAll(async () => {
  app = await startTestApp();
  other = await app.newProject("Their project");
  theirs.keyId = (
    await app.query(
      CreateKeyDocument,
      { input: { name: "their_key", type: "NUMBER", defaultValue: 1 } },
      other,
    )
  ).createKey.key!.id;
  theirs.segmentId = (
    await app.query(
      CreateSegmentDocument,
      {
        input: {
          name: "Their segment",
          rule: { match: "ALL", conditions: [{ property: { property: "x", operator: "EXISTS" } }] },
        },
      },
      other,
    )
  ).createSegment.segment!.id;
  theirs.goalId = (
    await app.query(CreateGoalDocument, { input: { name: "Their goal", events: ["e"] } }, other)
  ).createGoal.goal!.id;
  theirs.tokenId = (
    await app.query(CreateApiTokenDocument, { input: { name: "theirs", role: "SDK" } }, other)
  ).createApiToken.token!.id;
  const make = fixtures(app, other);
  theirs.configId = (await make.productConfig({ values: [{ keyId: theirs.keyId, value: 5 }] })).id;
  theirs.flagId = (await make.featureFlag({ keyId: theirs.keyId, value: 6 })).id;
  theirs.testId = (await make.abTest({ goalIds: [theirs.goalId] })).id;
});
afterAll(() => app.close());

async function theirState() {
  return {
    keys: (await app.query(ListKeysDocument, { filter: { archived: null } }, other)).keys.nodes,
    segments: (await app.query(ListSegmentsDocument, { filter: { archived: null } }, other)).segments.nodes,
    goals: (await app.query(ListGoalsDocument, { filter: { archived: null } }, other)).goals.nodes,
    tokens: (await app.query(ApiTokensDocument, {}, other)).apiTokens,
    experiences: (await app.query(ListExperiencesDocument, { filter: { archived: null } }, other)).experiences
      .nodes,
  };
}

const reads: [string, () => string][] = [
  ["key(id)", () => `{ result: key(id: "${theirs.keyId}") { id } }`],
  ["key(name)", () => `{ result: key(name: "their_key") { id } }`],
  ["segment", () => `{ result: segment(id: "${theirs.segmentId}") { id } }`],
  ["goal", () => `{ result: goal(id: "${theirs.goalId}") { id } }`],
  ["experience", () => `{ result: experience(id: "${theirs.configId}") { id } }`],
];

const writes: [string, () => string][] = [
  [
    "updateKey",
    () =>
      `mutation { result: updateKey(input: { id: "${theirs.keyId}", defaultValue: 2 }) { userErrors { code } } }`,
  ],
  ["archiveKey", () => `mutation { result: archiveKey(id: "${theirs.keyId}") { userErrors { code } } }`],
  ["unarchiveKey", () => `mutation { result: unarchiveKey(id: "${theirs.keyId}") { userErrors { code } } }`],
  [
    "updateSegment",
    () =>
      `mutation { result: updateSegment(input: { id: "${theirs.segmentId}", name: "Mine" }) { userErrors { code } } }`,
  ],
  [
    "cloneSegment",
    () => `mutation { result: cloneSegment(id: "${theirs.segmentId}") { userErrors { code } } }`,
  ],
  [
    "archiveSegment",
    () => `mutation { result: archiveSegment(id: "${theirs.segmentId}") { userErrors { code } } }`,
  ],
  [
    "unarchiveSegment",
    () => `mutation { result: unarchiveSegment(id: "${theirs.segmentId}") { userErrors { code } } }`,
  ],
  [
    "updateGoal",
    () =>
      `mutation { result: updateGoal(input: { id: "${theirs.goalId}", events: ["x"] }) { userErrors { code } } }`,
  ],
  ["archiveGoal", () => `mutation { result: archiveGoal(id: "${theirs.goalId}") { userErrors { code } } }`],
  [
    "unarchiveGoal",
    () => `mutation { result: unarchiveGoal(id: "${theirs.goalId}") { userErrors { code } } }`,
  ],
  [
    "revokeApiToken",
    () => `mutation { result: revokeApiToken(id: "${theirs.tokenId}") { userErrors { code } } }`,
  ],
  [
    "updateProductConfig",
    () =>
      `mutation { result: updateProductConfig(input: { id: "${theirs.configId}", name: "Mine" }) { userErrors { code } } }`,
  ],
  [
    "updateFeatureFlag",
    () =>
      `mutation { result: updateFeatureFlag(input: { id: "${theirs.flagId}", rolloutPercentage: 1 }) { userErrors { code } } }`,
  ],
  [
    "updateABTest",
    () =>
      `mutation { result: updateABTest(input: { id: "${theirs.testId}", trafficPercentage: 1 }) { userErrors { code } } }`,
  ],
  [
    "startExperience",
    () => `mutation { result: startExperience(id: "${theirs.flagId}") { userErrors { code } } }`,
  ],
  [
    "pauseExperience",
    () => `mutation { result: pauseExperience(id: "${theirs.flagId}") { userErrors { code } } }`,
  ],
  [
    "stopExperience",
    () => `mutation { result: stopExperience(id: "${theirs.flagId}") { userErrors { code } } }`,
  ],
  [
    "archiveExperience",
    () => `mutation { result: archiveExperience(id: "${theirs.configId}") { userErrors { code } } }`,
  ],
];

/** Creating in my project with their ids: their key, segment and goal are unknown here. */
const references: [string, () => string, string[]][] = [
  [
    "createProductConfig with their key",
    () =>
      `mutation { result: createProductConfig(input: { name: "x", values: [{ keyId: "${theirs.keyId}", value: 1 }] }) { userErrors { code field } } }`,
    ["input", "values", "0", "keyId"],
  ],
  [
    "createFeatureFlag with their segment",
    () =>
      `mutation { result: createFeatureFlag(input: { name: "x", segmentId: "${theirs.segmentId}", keyId: "${theirs.keyId}", value: 1 }) { userErrors { code field } } }`,
    ["input", "segmentId"],
  ],
  [
    "createABTest with their goal",
    () =>
      `mutation { result: createABTest(input: { name: "x", goalIds: ["${theirs.goalId}"], primaryGoalId: "${theirs.goalId}", variants: [{ name: "a", weight: 50, isControl: true }, { name: "b", weight: 50 }] }) { userErrors { code field } } }`,
    ["input", "goalIds", "0"],
  ],
];

test.each(reads)("%s of another project's object reads as null", async (_name, document) => {
  expect(await app.query(document())).toEqual({ result: null });
});

test.each(writes)(
  "%s of another project's object is NOT_FOUND and changes nothing",
  async (_name, document) => {
    const before = await theirState();
    expect(await app.query(document())).toEqual({ result: { userErrors: [{ code: "NOT_FOUND" }] } });
    expect(await theirState()).toEqual(before);
  },
);

test.each(references)("%s is NOT_FOUND and changes nothing", async (_name, document, field) => {
  const before = await theirState();
  const { result } = await app.query<{ result: { userErrors: { code: string; field: string[] }[] } }, object>(
    document(),
  );
  expect(result.userErrors).toContainEqual({ code: "NOT_FOUND", field });
  expect(await theirState()).toEqual(before);
});

test("lists and the audit log show nothing of another project", async () => {
  const mine = JSON.stringify([
    await app.query(ListKeysDocument, { filter: { archived: null } }),
    await app.query(ListSegmentsDocument, { filter: { archived: null } }),
    await app.query(ListGoalsDocument, { filter: { archived: null } }),
    await app.query(ApiTokensDocument),
    await app.query(ListExperiencesDocument, { filter: { archived: null } }),
    await app.query(AuditLogDocument, { first: 100 }),
  ]);
  for (const id of Object.values(theirs)) expect(mine).not.toContain(id);
  expect((await app.query(AuditLogDocument, { entityId: theirs.keyId })).auditLog.totalCount).toBe(0);
  expect((await app.query(GetKeyDocument, { id: theirs.keyId })).key).toBeNull();
  expect((await app.query(GetSegmentDocument, { id: theirs.segmentId })).segment).toBeNull();
  expect((await app.query(GetGoalDocument, { id: theirs.goalId })).goal).toBeNull();
});
