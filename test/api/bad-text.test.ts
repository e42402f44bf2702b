import { fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/**
 * Text no engine can store as sent (a NUL character: PostgreSQL refuses it; an unpaired surrogate:
 * both drivers would turn it into U+FFFD) is refused at the field, on SQLite and on PostgreSQL
 * alike, in every free-text input; nothing else of the request is lost and nothing is half-written.
 */
let app: TestApp;
let token: string;
let make: ReturnType<typeof fixtures>;
let ids: { key: string; segment: string; goal: string };
beforeAll(async () => {
  app = await startTestApp();
  token = await app.newProject("Bad text");
  make = fixtures(app, token);
  ids = { key: await make.key("STRING", "x"), segment: await make.segment(), goal: await make.goal() };
});
afterAll(() => app.close());

const BAD = [
  ["a NUL character", "bad\u0000name"],
  ["an unpaired high surrogate", "bad\ud800name"],
  ["an unpaired low surrogate", "bad\udc00name"],
] as const;

let n = 0;
/** A mutation whose one text field gets `text`, the path it must be refused at, and where the payload is. */
const mutations: [string, (text: string) => [string, Record<string, unknown>], string[]][] = [
  [
    "createKey name",
    (t) => [
      "mutation ($v: CreateKeyInput!) { r: createKey(input: $v) { userErrors { field code } } }",
      { v: { name: t, type: "STRING", defaultValue: "x" } },
    ],
    ["input", "name"],
  ],
  [
    "createKey description",
    (t) => [
      "mutation ($v: CreateKeyInput!) { r: createKey(input: $v) { userErrors { field code } } }",
      { v: { name: `k${++n}`, type: "STRING", defaultValue: "x", description: t } },
    ],
    ["input", "description"],
  ],
  [
    "updateKey description",
    (t) => [
      "mutation ($v: UpdateKeyInput!) { r: updateKey(input: $v) { userErrors { field code } } }",
      { v: { id: ids.key, description: t } },
    ],
    ["input", "description"],
  ],
  [
    "createSegment name",
    (t) => [
      "mutation ($v: CreateSegmentInput!) { r: createSegment(input: $v) { userErrors { field code } } }",
      {
        v: {
          name: t,
          rule: { match: "ALL", conditions: [{ property: { property: "city", operator: "EXISTS" } }] },
        },
      },
    ],
    ["input", "name"],
  ],
  [
    "a segment condition's property",
    (t) => [
      "mutation ($v: CreateSegmentInput!) { r: createSegment(input: $v) { userErrors { field code } } }",
      {
        v: {
          name: `s${++n}`,
          rule: { match: "ALL", conditions: [{ property: { property: t, operator: "EXISTS" } }] },
        },
      },
    ],
    ["input", "rule", "conditions", "0", "property", "property"],
  ],
  [
    "a segment condition's event",
    (t) => [
      "mutation ($v: CreateSegmentInput!) { r: createSegment(input: $v) { userErrors { field code } } }",
      {
        v: {
          name: `s${++n}`,
          rule: { match: "ALL", conditions: [{ event: { occurrence: "DID", event: t } }] },
        },
      },
    ],
    ["input", "rule", "conditions", "0", "event", "event"],
  ],
  [
    "cloneSegment name",
    (t) => [
      "mutation ($id: ID!, $v: String) { r: cloneSegment(id: $id, name: $v) { userErrors { field code } } }",
      { id: ids.segment, v: t },
    ],
    ["name"],
  ],
  [
    "createGoal events",
    (t) => [
      "mutation ($v: CreateGoalInput!) { r: createGoal(input: $v) { userErrors { field code } } }",
      { v: { name: `g${++n}`, events: [t] } },
    ],
    ["input", "events", "0"],
  ],
  [
    "createProductConfig name",
    (t) => [
      "mutation ($v: CreateProductConfigInput!) { r: createProductConfig(input: $v) { userErrors { field code } } }",
      { v: { name: t, values: [{ keyId: ids.key, value: "y" }] } },
    ],
    ["input", "name"],
  ],
  [
    "createFeatureFlag description",
    (t) => [
      "mutation ($v: CreateFeatureFlagInput!) { r: createFeatureFlag(input: $v) { userErrors { field code } } }",
      { v: { name: `f${++n}`, keyId: ids.key, value: "y", description: t } },
    ],
    ["input", "description"],
  ],
  [
    "an A/B test's variant name",
    (t) => [
      "mutation ($v: CreateABTestInput!) { r: createABTest(input: $v) { userErrors { field code } } }",
      {
        v: {
          name: `t${++n}`,
          goalIds: [ids.goal],
          primaryGoalId: ids.goal,
          variants: [
            { name: "control", weight: 50, isControl: true },
            { name: t, weight: 50 },
          ],
        },
      },
    ],
    ["input", "variants", "1", "name"],
  ],
  [
    "createApiToken name",
    (t) => [
      "mutation ($v: CreateApiTokenInput!) { r: createApiToken(input: $v) { userErrors { field code } } }",
      { v: { name: t, role: "SDK" } },
    ],
    ["input", "name"],
  ],
  [
    "createProject name",
    (t) => ["mutation ($v: String!) { r: createProject(name: $v) { userErrors { field code } } }", { v: t }],
    ["name"],
  ],
  [
    "identify userId",
    (t) => [
      "mutation ($v: String!) { r: identify(userId: $v, properties: { a: 1 }) { userErrors { field code } } }",
      { v: t },
    ],
    ["userId"],
  ],
];

describe.each(BAD)("%s", (_what, text) => {
  test.each(mutations)(
    "in %s is INVALID at the field, and nothing is written",
    async (_where, build, field) => {
      const auditBefore = (
        await app.query<{ auditLog: { totalCount: number } }, object>(
          "{ auditLog { totalCount } }",
          {},
          token,
        )
      ).auditLog.totalCount;
      const [document, variables] = build(text);
      const response = await app.execute<{ r: { userErrors: { field: string[]; code: string }[] } }, object>(
        document,
        variables,
        token,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.r.userErrors).toContainEqual({ field, code: "INVALID" });
      expect(
        (
          await app.query<{ auditLog: { totalCount: number } }, object>(
            "{ auditLog { totalCount } }",
            {},
            token,
          )
        ).auditLog.totalCount,
      ).toBe(auditBefore);
    },
  );

  test("in one event of a 1,000-event batch refuses that event only: the other 999 are stored", async () => {
    const user = `batch-${++n}`;
    const events = Array.from({ length: 1000 }, (_, i) => ({
      userId: user,
      name: "Batch",
      id: `${user}-${i}`,
    }));
    events[500] = { ...events[500], name: text };
    events[700] = { ...events[700], userId: text };
    events[900] = { ...events[900], id: text };
    const { trackEvents } = await app.query<
      { trackEvents: { accepted: number; userErrors: { field: string[]; code: string }[] } },
      object
    >(
      "mutation ($e: [EventInput!]!) { trackEvents(events: $e) { accepted userErrors { field code } } }",
      { e: events },
      token,
    );
    expect(trackEvents.userErrors).toEqual([
      { field: ["events", "500", "name"], code: "INVALID" },
      { field: ["events", "700", "userId"], code: "INVALID" },
      { field: ["events", "900", "id"], code: "INVALID" },
    ]);
    expect(trackEvents.accepted).toBe(997);
    const stored = await app.database.query<{ n: number | string }>(
      app.database.config.engine === "postgres"
        ? "SELECT COUNT(*) AS n FROM event WHERE user_id = $1"
        : "SELECT COUNT(*) AS n FROM event WHERE user_id = ?",
      [user],
    );
    expect(Number(stored[0].n)).toBe(997);
  });

  test.each([
    ["keys", "{ keys(filter: { search: $s }) { totalCount } }"],
    ["segments", "{ segments(filter: { search: $s }) { totalCount } }"],
    ["goals", "{ goals(filter: { search: $s }) { totalCount } }"],
    ["experiences", "{ experiences(filter: { search: $s }) { totalCount } }"],
  ])("in a search of %s is BAD_USER_INPUT naming filter.search", async (_list, selection) => {
    const response = await app.execute(`query ($s: String) ${selection}`, { s: text }, token);
    expect(response.errors).toEqual([
      expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", argument: "filter.search" } }),
    ]);
  });

  test("in an evaluated user's id is BAD_USER_INPUT naming user.id", async () => {
    const response = await app.execute(
      "query ($id: String!) { evaluate(user: { id: $id }) { segmentIds } }",
      { id: text },
      token,
    );
    expect(response.errors).toEqual([
      expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", argument: "user.id" } }),
    ]);
  });
});

test("written inline as a GraphQL escape, a NUL is refused the same way", async () => {
  const { createKey } = await app.query<
    { createKey: { userErrors: { field: string[]; code: string }[] } },
    object
  >(
    'mutation { createKey(input: { name: "inline\\u0000nul", type: BOOLEAN, defaultValue: true }) { userErrors { field code } } }',
    {},
    token,
  );
  expect(createKey.userErrors).toEqual([{ field: ["input", "name"], code: "INVALID" }]);
});

describe("lengths are sized for the worst case", () => {
  test("a 200-character name of İ (which lower-cases to 400 code points) is stored, and clashes with its own spelling", async () => {
    const name = "İ".repeat(200);
    const create = () =>
      app.query<
        { createSegment: { segment: { name: string } | null; userErrors: { code: string }[] } },
        object
      >(
        "mutation ($v: CreateSegmentInput!) { createSegment(input: $v) { segment { name } userErrors { code } } }",
        {
          v: {
            name,
            rule: { match: "ALL", conditions: [{ property: { property: "city", operator: "EXISTS" } }] },
          },
        },
        token,
      );
    expect((await create()).createSegment).toEqual({ segment: { name }, userErrors: [] });
    expect((await create()).createSegment.userErrors).toEqual([{ code: "NAME_TAKEN" }]);
  });

  test("a user id of 256 characters outside the BMP (512 UTF-16 units) is one id for evaluate, trackEvents and identify; 257 is refused by all", async () => {
    const longest = "😀".repeat(256);
    const tooLong = "😀".repeat(257);
    const run = async (userId: string) => {
      const evaluated = await app.execute(
        "query ($id: String!) { evaluate(user: { id: $id }) { segmentIds } }",
        { id: userId },
        token,
      );
      const tracked = await app.query<{ trackEvents: { accepted: number } }, object>(
        'mutation ($u: String!) { trackEvents(events: [{ userId: $u, name: "Long" }]) { accepted } }',
        { u: userId },
        token,
      );
      const identified = await app.query<{ identify: { accepted: number } }, object>(
        "mutation ($u: String!) { identify(userId: $u, properties: { a: 1 }) { accepted } }",
        { u: userId },
        token,
      );
      return [
        evaluated.errors === undefined,
        tracked.trackEvents.accepted === 1,
        identified.identify.accepted === 1,
      ];
    };
    expect(await run(longest)).toEqual([true, true, true]);
    expect(await run(tooLong)).toEqual([false, false, false]);
    expect(await run("   ")).toEqual([false, false, false]);
    // Not trimmed: " padded " is its own user, the same in every entry point.
    expect(await run(" padded ")).toEqual([true, true, true]);
  });
});
