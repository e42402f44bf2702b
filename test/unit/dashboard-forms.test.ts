import {
  createInputOf,
  draftOf,
  newDraft,
  updateInputOf,
  type KeyTypes,
  type TestDraft,
} from "../../web/src/experience-drafts";
import {
  emptyRule,
  fromStoredRule,
  newEventRow,
  newPropertyRow,
  toRuleInput,
  valuesOf,
} from "../../web/src/rules";
import { placeErrors } from "../../web/src/user-errors";
import { formatValue, parseValue } from "../../web/src/values";

/** The logic the dashboard's forms run in the browser before anything is sent (web/src). */
describe("a key's value as typed in a form", () => {
  test.each([
    ["STRING", "Summer sale", "Summer sale"],
    ["STRING", "", ""],
    ["NUMBER", "3", 3],
    ["NUMBER", " -0.5 ", -0.5],
    ["BOOLEAN", "true", true],
    ["BOOLEAN", "false", false],
    ["JSON", '{"mode": "dark", "sizes": [1, 2]}', { mode: "dark", sizes: [1, 2] }],
    ["JSON", '"just text"', "just text"],
  ] as const)("%s %j is the value %j, and shows as text that parses back to it", (type, text, value) => {
    expect(parseValue(type, text)).toEqual({ ok: true, value });
    expect(parseValue(type, formatValue(type, value))).toEqual({ ok: true, value });
  });

  test.each([
    ["NUMBER", "", /number/],
    ["NUMBER", "three", /number/],
    ["NUMBER", "1e400", /number/],
    ["BOOLEAN", "yes", /true or false/],
    ["JSON", "{mode: dark}", /JSON/],
  ] as const)("%s %j is refused, saying what is expected", (type, text, message) => {
    const parsed = parseValue(type, text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });
});

describe("the segment rule builder", () => {
  test("conditions and groups become the rule input: values one per line, numbers as numbers, none for EXISTS", () => {
    const rule = {
      ...emptyRule(),
      conditions: [
        { ...newPropertyRow(), property: " city ", operator: "IN" as const, values: "New York\n\nMiami\n" },
        { ...newPropertyRow(), property: "age", operator: "BETWEEN" as const, values: "18\n35" },
        { ...newPropertyRow(), property: "email", operator: "EXISTS" as const, values: "left over" },
      ],
      groups: [
        {
          match: "ANY" as const,
          conditions: [{ ...newEventRow(), event: "Charged", minCount: "2", withinDays: "30" }],
          groups: [],
        },
      ],
    };
    expect(toRuleInput(rule)).toEqual({
      match: "ALL",
      conditions: [
        { property: { property: "city", operator: "IN", values: ["New York", "Miami"] } },
        { property: { property: "age", operator: "BETWEEN", values: [18, 35] } },
        { property: { property: "email", operator: "EXISTS", values: [] } },
      ],
      groups: [
        {
          match: "ANY",
          conditions: [{ event: { event: "Charged", occurrence: "DID", minCount: 2, withinDays: 30 } }],
          groups: [],
        },
      ],
    });
  });

  test("an empty 'within days' means ever; true and false are booleans", () => {
    expect(
      toRuleInput({ ...emptyRule(), conditions: [{ ...newEventRow(), event: "Launched", withinDays: "" }] })
        .conditions?.[0],
    ).toEqual({
      event: { event: "Launched", occurrence: "DID", minCount: 1, withinDays: undefined },
    });
    expect(valuesOf({ ...newPropertyRow(), values: "true\nfalse\nmaybe" })).toEqual([true, false, "maybe"]);
  });

  test("a stored rule opens in the builder and is sent back unchanged", () => {
    const stored = {
      match: "ANY" as const,
      conditions: [
        {
          __typename: "PropertyCondition" as const,
          property: "device",
          operator: "EQUALS" as const,
          values: ["iPhone"],
        },
        {
          __typename: "EventCondition" as const,
          event: "Charged",
          occurrence: "DID_NOT" as const,
          minCount: null,
          withinDays: 14,
          where: [],
        },
      ],
      groups: [
        {
          match: "ALL" as const,
          conditions: [
            {
              __typename: "PropertyCondition" as const,
              property: "age",
              operator: "GREATER_THAN" as const,
              values: [17],
            },
          ],
          groups: [],
        },
      ],
    };
    expect(toRuleInput(fromStoredRule(stored))).toEqual({
      match: "ANY",
      conditions: [
        { property: { property: "device", operator: "EQUALS", values: ["iPhone"] } },
        { event: { event: "Charged", occurrence: "DID_NOT", minCount: undefined, withinDays: 14 } },
      ],
      groups: [
        {
          match: "ALL",
          conditions: [{ property: { property: "age", operator: "GREATER_THAN", values: [17] } }],
          groups: [],
        },
      ],
    });
  });
});

describe("userErrors placed beside their fields", () => {
  const error = (field: string[] | null, code = "INVALID", message = `bad ${field?.join(".")}`) =>
    ({ field, code, message, usages: [] }) as never;

  test("by the longest form field their path starts with; others, CONFLICT and IN_USE in the alert", () => {
    const placed = placeErrors(
      [
        error(["input", "name"]),
        error(["input", "values", "0", "value"]),
        error(["input", "segmentId"]),
        error(null, "CONFLICT"),
        error(["id"], "IN_USE"),
        error(["stopAt"]),
      ],
      ["name", "values", "values.0.value", "stopAt"],
    );
    expect(placed.byField).toEqual({
      name: "bad input.name",
      "values.0.value": "bad input.values.0.value",
      stopAt: "bad stopAt",
    });
    expect(placed.general.map((placedError) => placedError.code)).toEqual(["INVALID", "CONFLICT", "IN_USE"]);
  });
});

describe("the experience forms", () => {
  const types: KeyTypes = new Map([
    ["k-number", "NUMBER"],
    ["k-colour", "STRING"],
  ]);

  test("a new A/B test's draft becomes its create input, values parsed by their key's type", () => {
    const draft = newDraft("AB_TEST") as TestDraft;
    draft.name = "Checkout button colour";
    draft.goalIds = ["g1"];
    draft.primaryGoalId = "g1";
    draft.variants[1].values = [{ keyId: "k-colour", text: "green" }];
    draft.variants[0].values = [{ keyId: "k-number", text: "4" }];
    const converted = createInputOf(draft, types);
    expect(converted).toEqual({
      ok: true,
      input: expect.objectContaining({
        name: "Checkout button colour",
        trafficPercentage: 100,
        goalIds: ["g1"],
        primaryGoalId: "g1",
        segmentId: undefined,
        variants: [
          { name: "control", weight: 50, isControl: true, values: [{ keyId: "k-number", value: 4 }] },
          {
            name: "treatment",
            weight: 50,
            isControl: false,
            values: [{ keyId: "k-colour", value: "green" }],
          },
        ],
      }),
    });
  });

  test("a value that does not parse is refused at its path before anything is sent", () => {
    const draft = newDraft("AB_TEST") as TestDraft;
    draft.variants[1].values = [{ keyId: "k-number", text: "lots" }];
    expect(createInputOf(draft, types)).toEqual({
      ok: false,
      errors: {
        "variants.1.values.0.value": expect.stringMatching(/number/),
        primaryGoalId: expect.any(String),
      },
    });
  });

  test("an update sends only what changed, with the version it was made from; an emptied segment targets everyone", () => {
    const stored = {
      __typename: "FeatureFlag" as const,
      id: "f1",
      kind: "FEATURE_FLAG" as const,
      name: "New checkout",
      description: "old words",
      status: "RUNNING" as const,
      archived: false,
      createdAt: "",
      updatedAt: "",
      version: 7,
      scheduledStartAt: null,
      scheduledStopAt: null,
      segment: { id: "s1", name: "iPhone users" },
      key: { id: "k-number", name: "dark_mode" },
      value: 3,
      rolloutPercentage: 20,
      staleSince: null,
    };
    const initial = draftOf(stored, types);
    expect(initial).toMatchObject({
      keyId: "k-number",
      value: "3",
      rolloutPercentage: "20",
      segmentId: "s1",
    });
    const edited = { ...initial, rolloutPercentage: "50", segmentId: "", description: "" };
    expect(updateInputOf(initial, edited, types, "f1", 7)).toEqual({
      ok: true,
      input: { id: "f1", expectedVersion: 7, rolloutPercentage: 50, segmentId: "", description: "" },
    });
  });
});
