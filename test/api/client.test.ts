import { execFileSync } from "node:child_process";
import path from "node:path";
import {
  AbTestResultsDocument,
  ArchiveKeyDocument,
  CloneSegmentDocument,
  CreateAbTestDocument,
  createClient,
  CreateFeatureFlagDocument,
  CreateGoalDocument,
  CreateKeyDocument,
  CreateSegmentDocument,
  EvaluateDocument,
  GraphQLRequestError,
  ListExperiencesDocument,
  ListKeysDocument,
  StartExperienceDocument,
  UpdateFeatureFlagDocument,
  UpdateKeyDocument,
  UpdateSegmentDocument,
  UpdateSettingsDocument,
  type Client,
} from "../../client";
import { startHttpServer, type HttpTestServer } from "../helpers/servers";

/** The typed client a front end imports (client/index.ts), compiled as a browser would and run over HTTP. */
const SECRET = "px_client_test_bootstrap_secret";
let server: HttpTestServer;
let api: Client;

beforeAll(async () => {
  server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: SECRET } });
  api = createClient({ url: `${server.url}/graphql`, token: SECRET });
});
afterAll(() => server.close());

test("the client module compiles with browser types only, strict", () => {
  const root = path.join(__dirname, "..", "..");
  execFileSync(
    process.execPath,
    [
      path.join(root, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      path.join(root, "client", "tsconfig.json"),
    ],
    {
      stdio: "pipe",
    },
  );
});

test("a dashboard's day, typed end to end: keys, a cloned segment, a goal, settings, a flag, a test and its results", async () => {
  const { createKey } = await api.request(CreateKeyDocument, {
    input: { name: "dark_mode", type: "NUMBER", defaultValue: 3 },
  });
  const darkMode = createKey.key!;
  expect(
    (await api.request(UpdateKeyDocument, { input: { id: darkMode.id, defaultValue: 4 } })).updateKey.key
      ?.defaultValue,
  ).toBe(4);

  const nyc = (
    await api.request(CreateSegmentDocument, {
      input: {
        name: "iPhone users in New York",
        rule: {
          match: "ALL",
          conditions: [
            { property: { property: "device", operator: "EQUALS", values: ["iPhone"] } },
            { property: { property: "city", operator: "EQUALS", values: ["New York"] } },
          ],
        },
      },
    })
  ).createSegment.segment!;
  const miami = (await api.request(CloneSegmentDocument, { id: nyc.id, name: "iPhone users in Miami" }))
    .cloneSegment.segment!;
  await api.request(UpdateSegmentDocument, {
    input: {
      id: miami.id,
      rule: {
        match: "ALL",
        conditions: [
          { property: { property: "device", operator: "EQUALS", values: ["iPhone"] } },
          { property: { property: "city", operator: "EQUALS", values: ["Miami"] } },
        ],
      },
    },
  });
  const purchase = (
    await api.request(CreateGoalDocument, { input: { name: "Purchase", events: ["Charged"] } })
  ).createGoal.goal!;
  expect(
    (await api.request(UpdateSettingsDocument, { input: { mutuallyExclusiveABTests: true } })).updateSettings
      .settings?.mutuallyExclusiveABTests,
  ).toBe(true);

  const { createKey: checkout } = await api.request(CreateKeyDocument, {
    input: { name: "new_checkout", type: "BOOLEAN", defaultValue: false },
  });
  const flag = (
    await api.request(CreateFeatureFlagDocument, {
      input: { name: "New checkout", keyId: checkout.key!.id, value: true, rolloutPercentage: 10 },
    })
  ).createFeatureFlag.experience!;
  await api.request(StartExperienceDocument, { id: flag.id });
  await api.request(UpdateFeatureFlagDocument, { input: { id: flag.id, rolloutPercentage: 50 } });

  const test = (
    await api.request(CreateAbTestDocument, {
      input: {
        name: "Dark mode in Miami",
        segmentId: miami.id,
        goalIds: [purchase.id],
        primaryGoalId: purchase.id,
        variants: [
          { name: "control", weight: 50, isControl: true },
          { name: "dark", weight: 50, values: [{ keyId: darkMode.id, value: 3 }] },
        ],
      },
    })
  ).createABTest.experience!;
  expect(test).toMatchObject({ __typename: "ABTest", mutuallyExclusive: true });
  await api.request(StartExperienceDocument, { id: test.id });

  const { evaluate } = await api.request(EvaluateDocument, {
    user: { id: "amy", properties: { device: "iPhone", city: "Miami" } },
  });
  expect(evaluate.segmentIds).toEqual([miami.id]);
  expect(evaluate.assignments).toHaveLength(1);

  const results = (await api.request(AbTestResultsDocument, { id: test.id })).experience;
  expect(
    results?.__typename === "ABTest" && results.results.variants.reduce((sum, v) => sum + v.users, 0),
  ).toBe(1);
  expect(
    (await api.request(ListExperiencesDocument, { filter: { status: "RUNNING" } })).experiences.totalCount,
  ).toBe(2);

  const { archiveKey } = await api.request(ArchiveKeyDocument, { id: darkMode.id });
  expect(archiveKey.userErrors.map((e) => [e.code, e.usages.map((u) => u.name)])).toEqual([
    ["IN_USE", ["Dark mode in Miami"]],
  ]);
  expect((await api.request(ListKeysDocument, { first: 10 })).keys.nodes.map((k) => k.name)).toEqual([
    "dark_mode",
    "new_checkout",
  ]);
});

test("top-level errors reject with a GraphQLRequestError carrying the code", async () => {
  const stranger = createClient({ url: `${server.url}/graphql`, token: "px_nope" });
  await expect(stranger.request(ListKeysDocument, {})).rejects.toMatchObject({
    status: 401,
    code: "UNAUTHENTICATED",
  });
  await expect(api.request(ListKeysDocument, { first: 500 })).rejects.toBeInstanceOf(GraphQLRequestError);
});
