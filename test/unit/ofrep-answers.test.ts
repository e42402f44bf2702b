import { Reason, ValueSource, type EvaluatedValue } from "../../src/evaluation/evaluate-user";
import {
  entityTag,
  flagAnswer,
  flagsJson,
  readContext,
  tagMatches,
  MAX_CONTEXT_BYTES,
} from "../../src/ofrep/ofrep-answers";

const TEST = "test-1";
const values: EvaluatedValue[] = [
  { key: "banner", value: "Hi", source: ValueSource.AB_TEST, experienceId: TEST, reason: Reason.SPLIT },
  {
    key: "theme",
    value: { mode: "dark" },
    source: ValueSource.PRODUCT_CONFIG,
    experienceId: "c-1",
    reason: Reason.TARGETING_MATCH,
  },
  {
    key: "checkout",
    value: true,
    source: ValueSource.FEATURE_FLAG,
    experienceId: "f-1",
    reason: Reason.SPLIT,
  },
  { key: "items", value: 10, source: ValueSource.DEFAULT, experienceId: null, reason: Reason.DEFAULT },
];

describe("flagsJson", () => {
  test("is the text JSON.stringify makes of the flag answers, for every user of one configuration", () => {
    const configuration = {};
    for (const variant of ["friendly", "bold", "friendly", "bold"]) {
      const variants = new Map([[TEST, variant]]);
      const expected = JSON.stringify(values.map((value) => flagAnswer(value, variants)));
      expect(flagsJson(values, variants, configuration)).toBe(expected);
    }
  });

  test("a new configuration is serialized afresh, not served from the old one's flags", () => {
    const variants = new Map([[TEST, "friendly"]]);
    flagsJson(values, variants, {});
    const edited = values.map((value) =>
      value.key === "theme" ? { ...value, value: { mode: "light" } } : value,
    );
    expect(JSON.parse(flagsJson(edited, variants, {}))[1].value).toEqual({ mode: "light" });
  });
});

describe("flagAnswer", () => {
  test("names the variant for an A/B test and the source otherwise, with the experience in the metadata", () => {
    const variants = new Map([[TEST, "friendly"]]);
    expect(flagAnswer(values[0], variants)).toEqual({
      key: "banner",
      value: "Hi",
      reason: "SPLIT",
      variant: "friendly",
      metadata: { source: "AB_TEST", experienceId: TEST },
    });
    expect(flagAnswer(values[3], variants)).toEqual({
      key: "items",
      value: 10,
      reason: "DEFAULT",
      variant: "DEFAULT",
      metadata: { source: "DEFAULT" },
    });
  });
});

describe("readContext", () => {
  test("the targeting key is the user id and the other attributes are properties", () => {
    expect(readContext({ context: { targetingKey: "u-1", plan: "pro" } })).toEqual({
      ok: true,
      userId: "u-1",
      properties: { plan: "pro" },
    });
  });

  test.each([
    [null, "INVALID_CONTEXT"],
    [{}, "INVALID_CONTEXT"],
    [{ context: [] }, "INVALID_CONTEXT"],
    [{ context: {} }, "TARGETING_KEY_MISSING"],
    [{ context: { targetingKey: "" } }, "TARGETING_KEY_MISSING"],
    [{ context: { targetingKey: 42 } }, "INVALID_CONTEXT"],
    [{ context: { targetingKey: "u", blob: "x".repeat(MAX_CONTEXT_BYTES) } }, "INVALID_CONTEXT"],
  ])("%j is refused with %s", (body, errorCode) => {
    expect(readContext(body)).toMatchObject({ ok: false, errorCode });
  });
});

describe("entity tags", () => {
  test("equal bodies have equal tags, different bodies different ones", () => {
    expect(entityTag("[1]")).toBe(entityTag("[1]"));
    expect(entityTag("[1]")).not.toBe(entityTag("[2]"));
  });

  test("If-None-Match matches the tag in a list, as a weak tag, or as *", () => {
    const tag = entityTag("[1]");
    expect(tagMatches(`"other", ${tag}`, tag)).toBe(true);
    expect(tagMatches(`W/${tag}`, tag)).toBe(true);
    expect(tagMatches("*", tag)).toBe(true);
    expect(tagMatches('"other"', tag)).toBe(false);
    expect(tagMatches(undefined, tag)).toBe(false);
  });
});
