import {
  ArchiveExperienceDocument,
  ArchiveKeyDocument,
  CreateGoalDocument,
  ExportSetupDocument,
  ImportSetupDocument,
  StartExperienceDocument,
  UpdateSettingsDocument,
} from "../../client/generated/graphql";
import { CONCURRENT_WRITES } from "../helpers/database";
import { fixtures } from "../helpers/fixtures";
import { httpClient, startHttpServer, startTestApp, type TestApp } from "../helpers/servers";

/*
 * Setup as code (RULES.md): a project exported as a px-setup/1 document, planned and applied to
 * another project, all or nothing, through the API's own rules.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

type Change = { kind: string; name: string; action: string; fields: string[] };

async function exported(token: string, includeArchived = true) {
  return (await app.query(ExportSetupDocument, { includeArchived }, token)).exportSetup;
}

async function imported(
  token: string,
  document: unknown,
  options: { dryRun?: boolean; archiveMissing?: boolean } = {},
) {
  return (await app.query(ImportSetupDocument, { document, ...options }, token)).importSetup;
}

/** A staging project with every kind of object and field, some archived. */
async function staging() {
  const token = await app.newProject();
  const make = fixtures(app, token);
  await app.query(
    UpdateSettingsDocument,
    {
      input: {
        mutuallyExclusiveABTests: true,
        defaultAnalysis: { cupedPreDays: 21, correction: "BENJAMINI_HOCHBERG" },
      },
    },
    token,
  );
  const color = await make.key("STRING", "blue", "button_color");
  const limit = await make.key("NUMBER", 10, "max_items");
  const checkout = await make.key("BOOLEAN", false, "new_checkout");
  await make.key("JSON", { mode: "light", sizes: [1, 2] }, "theme");
  const old = await make.key("STRING", "Summer sale", "banner_text");
  await app.query(ArchiveKeyDocument, { id: old }, token);
  const segment = await make.segment(
    {
      match: "ALL",
      conditions: [
        { property: { property: "city", operator: "IN", values: ["Oslo", "Bergen"] } },
        {
          event: {
            occurrence: "DID",
            event: "Charged",
            withinDays: 30,
            minCount: 2,
            where: [{ property: "amount", operator: "GREATER_THAN", values: [10] }],
          },
        },
      ],
      groups: [{ match: "ANY", conditions: [{ property: { property: "device", operator: "EXISTS" } }] }],
    },
    "Norwegian buyers",
  );
  const purchase = await make.goal(["Charged", "Purchase Completed"], "Purchase");
  const { createGoal } = await app.query(
    CreateGoalDocument,
    {
      input: {
        name: "Refunds",
        events: ["Refunded"],
        valueProperty: "amount",
        higherIsBetter: false,
        where: [{ property: "reason", operator: "NOT_EQUALS", values: ["test"] }],
      },
    },
    token,
  );
  const refunds = createGoal.goal!.id;
  await make.productConfig({
    name: "Oslo items",
    segmentId: segment,
    priority: 5,
    values: [{ keyId: limit, value: 20 }],
  });
  await make.featureFlag({ name: "New checkout", keyId: checkout, value: true, rolloutPercentage: 25 });
  await make.abTest({
    name: "Button colour",
    description: "Green or red against blue",
    goalIds: [purchase, refunds],
    primaryGoalId: purchase,
    trafficPercentage: 50,
    priority: 3,
    stickyTarget: false,
    exposureEvent: "Checkout Viewed",
    analysis: { confidenceLevel: 0.9, sequentialTuning: 2000 },
    guardrailGoalIds: [refunds],
    guardrailAction: "PAUSE",
    variants: [
      { name: "control", weight: 50, isControl: true },
      { name: "green", weight: 25, values: [{ keyId: color, value: "green" }] },
      { name: "red", weight: 25, values: [{ keyId: color, value: "red" }] },
    ],
  });
  const retired = await make.productConfig({ name: "Retired banner", values: [{ keyId: limit, value: 5 }] });
  await app.query(ArchiveExperienceDocument, { id: retired.id }, token);
  return { token };
}

test("a project exported, imported into an empty one and exported again gives the same document and digest", async () => {
  const { token } = await staging();
  const first = await exported(token);
  expect(first.digest).toMatch(/^[0-9a-f]{64}$/);
  const production = await app.newProject();
  const applied = await imported(production, first.document, { dryRun: false });
  expect(applied.userErrors).toEqual([]);
  expect(applied.applied).toBe(true);
  expect(applied.changes.every((change) => ["CREATE", "UPDATE"].includes(change.action))).toBe(true);
  const again = await exported(production);
  expect(again.document).toEqual(first.document);
  expect(again.digest).toBe(first.digest);
  // Nothing installation-specific travels, every list is sorted by name and every object's fields by name.
  const text = JSON.stringify(first.document);
  expect(text).not.toMatch(/"(id|version|createdAt|updatedAt|status|startedAt|testUsers|winner)"/);
  const doc = first.document as Record<string, { name: string }[]>;
  for (const list of ["keys", "segments", "goals", "experiences"]) {
    const names = doc[list].map((row) => row.name);
    expect(names).toEqual([...names].sort());
  }
  expect(Object.keys(doc)).toEqual([...Object.keys(doc)].sort());
});

test("importing the same document twice changes nothing the second time: every object UNCHANGED, no version moves, no audit event", async () => {
  const { token } = await staging();
  const { document } = await exported(token);
  const production = await app.newProject();
  await imported(production, document, { dryRun: false });
  const versions = async () =>
    JSON.stringify(
      await app.query(
        "{ keys(filter: { archived: null }) { nodes { name version } } experiences(filter: { archived: null }) { nodes { name version } } settings { version } }",
        {},
        production,
      ),
    );
  const audits = async () =>
    (
      await app.query<{ auditLog: { totalCount: number } }, object>(
        "{ auditLog { totalCount } }",
        {},
        production,
      )
    ).auditLog.totalCount;
  const [beforeVersions, beforeAudits] = [await versions(), await audits()];
  const second = await imported(production, document, { dryRun: false });
  expect(second.userErrors).toEqual([]);
  expect(new Set(second.changes.map((change) => change.action))).toEqual(new Set(["UNCHANGED"]));
  expect(await versions()).toBe(beforeVersions);
  expect(await audits()).toBe(beforeAudits);
});

test("a hand-written document that leaves defaults out (and names its $schema) is idempotent too: new A/B tests take the document's settings, blanks are no change", async () => {
  const production = await app.newProject();
  const document = {
    $schema: "http://localhost:4000/schemas/px-setup-1.json",
    format: "px-setup/1",
    keys: [
      { name: "checkout_flow", type: "STRING", defaultValue: "v1", description: "  Which checkout  " },
      { name: "max_items", type: "NUMBER", defaultValue: 10, description: "" },
    ],
    goals: [{ name: "Purchase", events: ["purchase"] }],
    settings: { mutuallyExclusiveABTests: true, defaultAnalysis: { sequential: true } },
    experiences: [
      {
        kind: "AB_TEST",
        name: "Checkout test",
        goals: ["Purchase"],
        primaryGoal: "Purchase",
        variants: [
          { name: "control", weight: 50, isControl: true },
          { name: "B", weight: 50, values: [{ key: "checkout_flow", value: "v2" }] },
        ],
      },
    ],
  };
  expect((await imported(production, document, { dryRun: false })).userErrors).toEqual([]);
  const again = await imported(production, document);
  expect(again.userErrors).toEqual([]);
  expect(again.changes.filter((change) => change.action !== "UNCHANGED")).toEqual([]);
  const test = (await exported(production)).document as {
    experiences: { mutuallyExclusive: boolean; analysis: { sequential: boolean } }[];
  };
  expect(test.experiences[0]).toMatchObject({ mutuallyExclusive: true, analysis: { sequential: true } });
});

test("a JSON value as deep as createKey accepts travels in the document that exports it; one level more is INPUT_TOO_DEEP", async () => {
  const nested = (levels: number): unknown => (levels === 0 ? 1 : { a: nested(levels - 1) });
  const create = (token: string, levels: number) =>
    app.execute(
      "mutation ($input: CreateKeyInput!) { createKey(input: $input) { userErrors { code } } }",
      { input: { name: `deep_${levels}`, type: "JSON", defaultValue: nested(levels) } },
      token,
    );
  const staging = await app.newProject();
  const deepest = 31;
  expect((await create(staging, deepest)).data).toEqual({ createKey: { userErrors: [] } });
  expect((await create(staging, deepest + 1)).errors?.[0].extensions?.code).toBe("INPUT_TOO_DEEP");
  const { document, digest } = await exported(staging);
  const production = await app.newProject();
  expect((await imported(production, document, { dryRun: false })).userErrors).toEqual([]);
  expect((await exported(production)).digest).toBe(digest);
  const deeper = { format: "px-setup/1", keys: [{ name: "deeper", type: "JSON", defaultValue: nested(32) }] };
  const refused = await app.execute(ImportSetupDocument, { document: deeper }, production);
  expect(refused.errors?.[0].extensions?.code).toBe("INPUT_TOO_DEEP");
});

test("a dry run (the default) answers the plan with the changed fields and changes nothing", async () => {
  const { token } = await staging();
  const { document, digest } = await exported(token);
  const edited = JSON.parse(JSON.stringify(document)) as {
    keys: { name: string; defaultValue: unknown; description: string | null }[];
  };
  const key = edited.keys.find((row) => row.name === "max_items")!;
  key.defaultValue = 12;
  key.description = "Items per page";
  edited.keys.push({
    name: "dark_mode",
    type: "BOOLEAN",
    defaultValue: true,
    description: null,
    archived: false,
  } as never);
  const plan = await imported(token, edited);
  expect(plan.applied).toBe(false);
  expect(plan.userErrors).toEqual([]);
  expect(plan.changes).toEqual(
    expect.arrayContaining<Change>([
      { kind: "KEY", name: "max_items", action: "UPDATE", fields: ["defaultValue", "description"] },
      { kind: "KEY", name: "dark_mode", action: "CREATE", fields: [] },
      { kind: "KEY", name: "button_color", action: "UNCHANGED", fields: [] },
    ]),
  );
  expect((await exported(token)).digest).toBe(digest);
});

test("every error comes back at its path in the document, and nothing of the import is applied", async () => {
  const production = await app.newProject();
  const document = {
    format: "px-setup/1",
    keys: [
      { name: "fine_key", type: "STRING", defaultValue: "x" },
      { name: "bad_default", type: "NUMBER", defaultValue: "not a number" },
    ],
    experiences: [
      {
        kind: "PRODUCT_CONFIG",
        name: "Lost",
        segment: "No such segment",
        values: [{ key: "fine_key", value: "y" }],
      },
    ],
  };
  const refused = await imported(production, document, { dryRun: false });
  expect(refused.applied).toBe(false);
  expect(refused.userErrors).toEqual([
    expect.objectContaining({ code: "INVALID", field: ["document", "keys", "1", "defaultValue"] }),
    {
      code: "NOT_FOUND",
      field: ["document", "experiences", "0", "segment"],
      message: 'No segment named "No such segment" in the project or the document',
      usages: [],
    },
  ]);
  expect((await exported(production)).document).toMatchObject({ keys: [], experiences: [] });
});

test("unknown fields and another format are INVALID at their path; so is a name given twice", async () => {
  const token = await app.newProject();
  expect((await imported(token, { format: "px-setup/2" })).userErrors).toEqual([
    expect.objectContaining({ code: "INVALID", field: ["document", "format"] }),
  ]);
  expect(
    (
      await imported(token, {
        format: "px-setup/1",
        keys: [{ name: "k", type: "STRING", defaultValue: "x", colour: "red" }],
      })
    ).userErrors,
  ).toEqual([expect.objectContaining({ code: "INVALID", field: ["document", "keys", "0", "colour"] })]);
  expect((await imported(token, { format: "px-setup/1", extra: 1 })).userErrors).toEqual([
    expect.objectContaining({ code: "INVALID", field: ["document", "extra"] }),
  ]);
  expect(
    (
      await imported(token, {
        format: "px-setup/1",
        keys: [
          { name: "twice", type: "STRING", defaultValue: "a" },
          { name: "TWICE", type: "STRING", defaultValue: "b" },
        ],
      })
    ).userErrors,
  ).toEqual([expect.objectContaining({ code: "INVALID", field: ["document", "keys", "1", "name"] })]);
});

test("a running A/B test's variants cannot change: the import is refused with the field's path, and nothing is applied", async () => {
  const { token } = await staging();
  const make = fixtures(app, token);
  const { document } = await exported(token);
  const experiences = (
    await app.query<{ experiences: { nodes: { id: string; name: string }[] } }, object>(
      "{ experiences { nodes { id name } } }",
      {},
      token,
    )
  ).experiences.nodes;
  await make.start(experiences.find((row) => row.name === "Button colour")!.id);
  const edited = JSON.parse(JSON.stringify(document)) as {
    experiences: { name: string; variants?: { weight: number }[] }[];
    keys: { name: string; defaultValue: unknown }[];
  };
  const test = edited.experiences.findIndex((row) => row.name === "Button colour");
  edited.experiences[test].variants![0].weight = 40;
  edited.experiences[test].variants![1].weight = 35;
  edited.keys.find((row) => row.name === "max_items")!.defaultValue = 99;
  const { digest } = await exported(token);
  const refused = await imported(token, edited, { dryRun: false });
  expect(refused.applied).toBe(false);
  expect(refused.userErrors).toEqual([
    expect.objectContaining({
      code: "INVALID_STATE",
      field: ["document", "experiences", String(test), "variants"],
    }),
  ]);
  expect((await exported(token)).digest).toBe(digest);
});

test("archiveMissing archives the active objects the document lacks; one still in use is IN_USE, and then nothing is applied", async () => {
  const { token } = await staging();
  const { document } = await exported(token);
  const lean = JSON.parse(JSON.stringify(document)) as {
    keys: { name: string }[];
    experiences: { name: string }[];
  };
  // Without the theme key: archived. Without max_items, which the Oslo config still uses: IN_USE.
  const withoutTheme = { ...lean, keys: lean.keys.filter((row) => row.name !== "theme") };
  const plan = await imported(token, withoutTheme, { archiveMissing: true });
  expect(plan.userErrors).toEqual([]);
  expect(plan.changes).toContainEqual({ kind: "KEY", name: "theme", action: "ARCHIVE", fields: [] });
  const inUse = { ...withoutTheme, keys: withoutTheme.keys.filter((row) => row.name !== "max_items") };
  const refused = await imported(token, inUse, { archiveMissing: true, dryRun: false });
  expect(refused.applied).toBe(false);
  expect(refused.userErrors).toEqual([expect.objectContaining({ code: "IN_USE" })]);
  const applied = await imported(token, withoutTheme, { archiveMissing: true, dryRun: false });
  expect(applied.applied).toBe(true);
  const keys = (await exported(token, false)).document as { keys: { name: string }[] };
  expect(keys.keys.map((row) => row.name)).not.toContain("theme");
});

test(`two imports of one document at once (${CONCURRENT_WRITES}): one creates, the other plans afresh and finds everything there`, async () => {
  const { token } = await staging();
  const { document } = await exported(token);
  const production = await app.newProject();
  const [a, b] = await Promise.all([
    imported(production, document, { dryRun: false }),
    imported(production, document, { dryRun: false }),
  ]);
  expect([a, b].map((outcome) => outcome.userErrors)).toEqual([[], []]);
  const actions = [a, b].map((outcome) => new Set(outcome.changes.map((change) => change.action)));
  expect(actions.filter((set) => set.size === 1 && set.has("UNCHANGED"))).toHaveLength(1);
  expect((await exported(production)).digest).toBe((await exported(token)).digest);
});

test("an import never starts, pauses or stops: new experiences are DRAFTs, a running one stays running", async () => {
  const { token } = await staging();
  const { document } = await exported(token);
  const production = await app.newProject();
  await imported(production, document, { dryRun: false });
  const statuses = await app.query<{ experiences: { nodes: { status: string }[] } }, object>(
    "{ experiences { nodes { status } } }",
    {},
    production,
  );
  expect(new Set(statuses.experiences.nodes.map((row) => row.status))).toEqual(new Set(["DRAFT"]));
  const flag = (
    await app.query<{ experiences: { nodes: { id: string; name: string }[] } }, object>(
      "{ experiences { nodes { id name } } }",
      {},
      production,
    )
  ).experiences.nodes.find((row) => row.name === "New checkout")!;
  await app.query(StartExperienceDocument, { id: flag.id }, production);
  const again = await imported(production, document, { dryRun: false });
  expect(again.userErrors).toEqual([]);
  const after = await app.query<{ experience: { status: string } }, object>(
    "query ($id: ID!) { experience(id: $id) { status } }",
    { id: flag.id },
    production,
  );
  expect(after.experience.status).toBe("RUNNING");
});

test("a 500-key project travels in one request, within the 1 MiB body limit, and the JSON Schema is published", async () => {
  const SECRET = "px_setup_document_test_secret";
  const server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: SECRET } });
  try {
    const client = httpClient(server.url, SECRET);
    const keys = Array.from({ length: 500 }, (_, i) => ({
      name: `key_${String(i).padStart(3, "0")}`,
      type: "STRING",
      defaultValue: `value ${i} `.repeat(20),
      description: `What key ${i} switches in the app, in a sentence or two.`,
      archived: false,
    }));
    const document = { format: "px-setup/1", keys };
    const body = JSON.stringify({
      query: "mutation ($d: JSON!) { importSetup(document: $d, dryRun: false) { applied } }",
      variables: { d: document },
    });
    expect(Buffer.byteLength(body)).toBeLessThan(1024 * 1024);
    const { importSetup } = await client.query(ImportSetupDocument, { document, dryRun: false });
    expect(importSetup).toMatchObject({ applied: true, userErrors: [] });
    const { exportSetup } = await client.query(ExportSetupDocument, {});
    expect((exportSetup.document as { keys: unknown[] }).keys).toHaveLength(500);
    const schema = await fetch(`${server.url}/schemas/px-setup-1.json`);
    expect(schema.status).toBe(200);
    expect(schema.headers.get("content-type")).toMatch(/^application\/schema\+json/);
    expect(await schema.json()).toMatchObject({ $id: "/schemas/px-setup-1.json", required: ["format"] });
  } finally {
    await server.close();
  }
});
