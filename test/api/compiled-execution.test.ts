import { getIntrospectionQuery, type DocumentNode } from "graphql";
import { Role } from "../../src/access/role";
import {
  AbTestResultsDocument,
  ApiTokensDocument,
  AuditLogDocument,
  EvaluateDocument,
  ExperienceHistoryDocument,
  GetExperienceDocument,
  GetSegmentDocument,
  GetSettingsDocument,
  ListExperiencesDocument,
  ListGoalsDocument,
  ListKeysDocument,
  ListSegmentsDocument,
  TrackEventsDocument,
  ViewerDocument,
} from "../../client/generated/graphql";
import { fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/**
 * Queries run compiled by graphql-jit (every other suite compiles at first sight); graphql-js is the
 * reference. Two apps on one database, one compiling and one not, must answer every query alike:
 * data, errors, codes, paths and locations, through interfaces, unions, lists, nulls and failures.
 */
let compiled: TestApp;
let reference: TestApp;
let testId: string;
let segmentId: string;
let sdkToken: string;
let trackToken: string;

beforeAll(async () => {
  compiled = await startTestApp({ compileAt: 1 });
  reference = await startTestApp({ database: compiled.database, compileAt: Infinity });
  const make = fixtures(compiled);
  const goal = await make.goal(["Charged"]);
  const flagKey = await make.key("BOOLEAN", false);
  const themeKey = await make.key("JSON", { mode: "light" });
  const bannerKey = await make.key("STRING", "Hello");
  await make.key("NUMBER", 7); // served its default
  segmentId = await make.segment({
    match: "ANY",
    conditions: [
      { property: { property: "city", operator: "EQUALS", values: ["Oslo"] } },
      { event: { event: "Charged", occurrence: "DID" } },
    ],
  });
  await make.start(
    (await make.productConfig({ segmentId, values: [{ keyId: themeKey, value: { mode: "dark" } }] })).id,
  );
  await make.start((await make.featureFlag({ keyId: flagKey, value: true, rolloutPercentage: 50 })).id);
  testId = (
    await make.abTest({
      goalIds: [goal],
      variants: [
        { name: "control", weight: 50, isControl: true, values: [{ keyId: bannerKey, value: "Hello" }] },
        { name: "bold", weight: 50, values: [{ keyId: bannerKey, value: "HELLO" }] },
      ],
    })
  ).id;
  await make.start(testId);
  sdkToken = await compiled.tokenFor(Role.SDK);
  trackToken = sdkToken;
  for (let i = 0; i < 20; i++) {
    const user = { id: `user-${i}`, properties: { city: i % 2 ? "Oslo" : "Bergen" } };
    await compiled.query(EvaluateDocument, { user }, sdkToken);
    if (i % 3 === 0) {
      await compiled.query(
        TrackEventsDocument,
        { events: [{ userId: user.id, name: "Charged", properties: { amount: i } }] },
        trackToken,
      );
    }
  }
  await settleLastUse([compiled.adminToken, sdkToken]);
});

/**
 * Each app records a token's last use at most once a minute, off the request's path
 * (access/authentication.service.ts). Both record theirs before the cases, so comparing the tokens'
 * lastUsedAt does not race the reference's first write.
 */
async function settleLastUse(tokens: string[]) {
  for (const app of [compiled, reference]) {
    for (const token of tokens) await app.query(ViewerDocument, {}, token);
    while (app.services.db.pendingWrites > 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

afterAll(async () => {
  await reference?.close();
  await compiled?.close();
});

type Request = [document: string | DocumentNode, variables?: Record<string, unknown>, token?: string];
const cases: [string, () => Request][] = [
  ["the viewer", () => [ViewerDocument]],
  ["tokens", () => [ApiTokensDocument]],
  ["keys with usages", () => [ListKeysDocument, { first: 100 }]],
  ["segments with union conditions", () => [ListSegmentsDocument, { first: 10 }]],
  ["one segment", () => [GetSegmentDocument, { id: segmentId }]],
  ["goals", () => [ListGoalsDocument, {}]],
  ["experiences through the interface", () => [ListExperiencesDocument, { first: 10 }]],
  ["one A/B test", () => [GetExperienceDocument, { id: testId }]],
  ["an unknown experience (null)", () => [GetExperienceDocument, { id: "nope" }]],
  ["results, daily", () => [AbTestResultsDocument, { id: testId, daily: true }]],
  ["history", () => [ExperienceHistoryDocument, { id: testId, first: 5 }]],
  ["the audit log", () => [AuditLogDocument, { first: 20 }]],
  ["settings", () => [GetSettingsDocument]],
  ["a returning user", () => [EvaluateDocument, { user: { id: "user-3", properties: { city: "Oslo" } } }]],
  ["a bad user id (BAD_USER_INPUT at the field)", () => [EvaluateDocument, { user: { id: "" } }]],
  ["a variable of the wrong type", () => [EvaluateDocument, { user: { id: 5 } }]],
  ["a missing variable", () => [EvaluateDocument, {}]],
  ["a role without the right (FORBIDDEN)", () => [ApiTokensDocument, {}, sdkToken]],
  [
    "inline literals",
    () => [
      '{ evaluate(user: { id: "user-4", properties: { city: "Oslo" } }) { values { key value source } } }',
    ],
  ],
  [
    "aliases, fragments, @skip and __typename",
    () => [
      `query ($skip: Boolean!) {
        a: experiences(first: 3) { nodes { __typename id ... on ABTest { variants { name } } ...F } }
        b: keys(first: 2) @skip(if: $skip) { totalCount }
      }
      fragment F on Experience { name status }`,
      { skip: false },
    ],
  ],
  ["introspection", () => [getIntrospectionQuery()]],
];

test.each(cases)("%s: compiled and graphql-js answer alike", async (_name, make) => {
  const [document, variables, token] = make();
  const expected = await reference.execute(document, variables, token);
  const actual = await compiled.execute(document, variables, token);
  expect(actual).toEqual(expected);
});

test("each case really exercised what its name says", async () => {
  const answers = new Map<string, Awaited<ReturnType<TestApp["execute"]>>>();
  for (const [name, make] of cases) {
    const [document, variables, token] = make();
    answers.set(name, await compiled.execute(document, variables, token));
  }
  const codeOf = (name: string) => answers.get(name)!.errors?.[0]?.extensions?.code;
  expect(codeOf("a bad user id (BAD_USER_INPUT at the field)")).toBe("BAD_USER_INPUT");
  expect(codeOf("a variable of the wrong type")).toBe("BAD_USER_INPUT");
  expect(codeOf("a role without the right (FORBIDDEN)")).toBe("FORBIDDEN");
  expect(answers.get("an unknown experience (null)")!.data).toEqual({ experience: null });
  const segments = JSON.stringify(answers.get("segments with union conditions")!.data);
  expect(segments).toContain('"__typename":"EventCondition"');
  expect(segments).toContain('"__typename":"PropertyCondition"');
  const sources = JSON.stringify(answers.get("a returning user")!.data);
  for (const source of ["PRODUCT_CONFIG", "AB_TEST", "DEFAULT"])
    expect(sources).toContain(`"source":"${source}"`);
});
