import { getNamedType, isInputObjectType, type GraphQLInputType, type GraphQLSchema } from "graphql";
import { buildAppSchema } from "../../src/graphql/schema";
import { fixtures } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/**
 * A JSON value can be written into the document (as README's examples do) or sent as a variable:
 * both must mean the same. Every JSON-typed argument and input field of the schema has a case here,
 * run both ways with objects, lists, nulls and nesting; a JSON argument added without a case fails
 * the first test.
 */
let app: TestApp;
let token: string;
let make: ReturnType<typeof fixtures>;
beforeAll(async () => {
  app = await startTestApp();
  token = await app.newProject("JSON arguments");
  make = fixtures(app, token);
});
afterAll(() => app.close());

/** Where JSON appears in inputs: "Mutation.identify(properties)", "CreateKeyInput.defaultValue", ... */
function jsonInputs(schema: GraphQLSchema): string[] {
  const found = new Set<string>();
  const isJson = (type: GraphQLInputType) => getNamedType(type).name === "JSON";
  const seenInputs = new Set<string>();
  const visitInput = (type: GraphQLInputType) => {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || seenInputs.has(named.name)) return;
    seenInputs.add(named.name);
    for (const field of Object.values(named.getFields())) {
      if (isJson(field.type)) found.add(`${named.name}.${field.name}`);
      visitInput(field.type);
    }
  };
  for (const root of [schema.getQueryType()!, schema.getMutationType()!]) {
    for (const field of Object.values(root.getFields())) {
      for (const arg of field.args) {
        if (isJson(arg.type)) found.add(`${root.name}.${field.name}(${arg.name})`);
        visitInput(arg.type);
      }
    }
  }
  return [...found].sort();
}

/** A JSON value as a GraphQL literal, the way a person writes it into a query. */
function literal(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (typeof value === "object")
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v)}`)
      .join(", ")} }`;
  return JSON.stringify(value);
}

const NESTED = {
  plan: "pro",
  seats: 3,
  beta: true,
  tags: ["a", "b"],
  limits: { daily: 10, nested: [{ deep: null }] },
};

interface Case {
  /** The operation with `$VALUE` where the JSON goes, and the type to declare when it is a variable. */
  document: (ids: Record<string, string>) => string;
  type: string;
  value: unknown;
  /** What the answer must hold, either way. */
  read: (data: any) => unknown;
  expected: unknown;
}

const table: Record<string, Case> = {
  "Mutation.identify(properties)": {
    document: () =>
      `mutation Run($v: JSON!) { identify(userId: "json-user", properties: $VALUE) { accepted userErrors { message } } }`,
    type: "JSON!",
    value: { plan: "pro", city: null, tags: ["x"], nested: { a: [1, { b: null }] } },
    read: (data) => data.identify,
    expected: { accepted: 1, userErrors: [] },
  },
  "CreateKeyInput.defaultValue": {
    document: () =>
      `mutation Run($v: JSON!) { createKey(input: { name: "json_${"$"}{n}", type: JSON, defaultValue: $VALUE }) { key { defaultValue } userErrors { message } } }`,
    type: "JSON!",
    value: NESTED,
    read: (data) => data.createKey,
    expected: { key: { defaultValue: NESTED }, userErrors: [] },
  },
  "UpdateKeyInput.defaultValue": {
    document: (ids) =>
      `mutation Run($v: JSON) { updateKey(input: { id: "${ids.jsonKey}", defaultValue: $VALUE }) { key { defaultValue } userErrors { message } } }`,
    type: "JSON",
    value: [NESTED, null, 1],
    read: (data) => data.updateKey,
    expected: { key: { defaultValue: [NESTED, null, 1] }, userErrors: [] },
  },
  "KeyValueInput.value": {
    document: (ids) =>
      `mutation Run($v: JSON!) { createProductConfig(input: { name: "json config ${"$"}{n}", values: [{ keyId: "${ids.jsonKey}", value: $VALUE }] }) { experience { ... on ProductConfig { values { value } } } userErrors { message } } }`,
    type: "JSON!",
    value: NESTED,
    read: (data) => data.createProductConfig,
    expected: { experience: { values: [{ value: NESTED }] }, userErrors: [] },
  },
  "CreateFeatureFlagInput.value": {
    document: (ids) =>
      `mutation Run($v: JSON!) { createFeatureFlag(input: { name: "json flag ${"$"}{n}", keyId: "${ids.jsonKey}", value: $VALUE }) { experience { ... on FeatureFlag { value } } userErrors { message } } }`,
    type: "JSON!",
    value: NESTED,
    read: (data) => data.createFeatureFlag,
    expected: { experience: { value: NESTED }, userErrors: [] },
  },
  "UpdateFeatureFlagInput.value": {
    document: (ids) =>
      `mutation Run($v: JSON) { updateFeatureFlag(input: { id: "${ids.flag}", value: $VALUE }) { experience { ... on FeatureFlag { value } } userErrors { message } } }`,
    type: "JSON",
    value: { updated: [true, { x: null }] },
    read: (data) => data.updateFeatureFlag,
    expected: { experience: { value: { updated: [true, { x: null }] } }, userErrors: [] },
  },
  "UserContextInput.properties": {
    document: () =>
      `query Run($v: JSON) { evaluate(user: { id: "json-eval", properties: $VALUE }) { segmentIds } }`,
    type: "JSON",
    value: { city: "Paris", tags: ["vip"], nested: { a: null } },
    read: (data) => data.evaluate.segmentIds,
    expected: "the Paris segment made for this run",
  },
  "EventInput.properties": {
    document: () =>
      `mutation Run($v: JSON) { trackEvents(events: [{ userId: "json-user", name: "Json", properties: $VALUE }]) { accepted userErrors { message } } }`,
    type: "JSON",
    value: { amount: 59.9, items: [{ sku: "a", qty: 2 }], coupon: null },
    read: (data) => data.trackEvents,
    expected: { accepted: 1, userErrors: [] },
  },
  "Mutation.importSetup(document)": {
    document: () =>
      `mutation Run($v: JSON!) { importSetup(document: $VALUE) { changes { kind name action } userErrors { message } } }`,
    type: "JSON!",
    value: {
      format: "px-setup/1",
      keys: [{ name: "json_setup", type: "JSON", defaultValue: NESTED, description: null }],
    },
    read: (data) => data.importSetup,
    expected: { changes: [{ kind: "KEY", name: "json_setup", action: "CREATE" }], userErrors: [] },
  },
  "PropertyConditionInput.values": {
    document: () =>
      `mutation Run($v: JSON!) { createSegment(input: { name: "json segment ${"$"}{n}", rule: { match: ALL, conditions: [{ property: { property: "age", operator: BETWEEN, values: [$VALUE, 35] } }] } }) { segment { rule { conditions { ... on PropertyCondition { values } } } } userErrors { message } } }`,
    type: "JSON!",
    value: 18,
    read: (data) => data.createSegment,
    expected: { segment: { rule: { conditions: [{ values: [18, 35] }] } }, userErrors: [] },
  },
};

test("every JSON argument and input field of the schema has a case here", async () => {
  expect(jsonInputs(await buildAppSchema())).toEqual(Object.keys(table).sort());
});

let run = 0;
describe.each(Object.entries(table))("%s", (_where, one) => {
  test.each(["inline", "as a variable"] as const)("works %s, with objects, lists and nulls", async (how) => {
    const keyId = await make.key("JSON", { start: true });
    const flag = await make.featureFlag({ keyId, value: { on: true } });
    const segment = await make.segment({
      match: "ALL",
      conditions: [{ property: { property: "city", operator: "EQUALS", values: ["Paris"] } }],
    });
    const ids = { jsonKey: keyId, flag: flag.id };
    const text = one.document(ids).replace(/\$\{n\}/g, String(++run));
    const document =
      how === "inline"
        ? text.replace("$VALUE", literal(one.value)).replace(/\(\$v: [^)]*\) /, " ")
        : text.replace("$VALUE", "$v");
    const response = await app.execute(document, how === "inline" ? {} : { v: one.value }, token);
    expect(response.errors).toBeUndefined();
    if (one.expected === "the Paris segment made for this run")
      expect(one.read(response.data)).toContain(segment);
    else expect(one.read(response.data)).toEqual(one.expected);
  });
});
