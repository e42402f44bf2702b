import { Reason, ValueSource, type EvaluatedValue } from "../../src/evaluation/evaluate-user";
import { bulkFlags, flagAnswer, readContext, tagMatches } from "../../src/ofrep/ofrep-answers";
import { MAX_REQUEST_PROPERTIES_BYTES } from "../../src/shared/properties";

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

describe("bulkFlags", () => {
  test("is the text JSON.stringify makes of the flag answers, for every user of one configuration", () => {
    const configuration = {};
    for (const variant of ["friendly", "bold", "friendly", "bold"]) {
      const variants = new Map([[TEST, variant]]);
      const expected = JSON.stringify(values.map((value) => flagAnswer(value, variants)));
      expect(bulkFlags(values, variants, configuration).json()).toBe(expected);
    }
  });

  test("says whether its text is all ASCII: one accented value makes it not", () => {
    const variants = new Map([[TEST, "bold"]]);
    expect(bulkFlags(values, variants, {}).ascii).toBe(true);
    const accented = [...values, { ...values[0], key: "greeting", value: "Grüße, 你好" }];
    const flags = bulkFlags(accented, variants, {});
    expect(flags.ascii).toBe(false);
    expect(JSON.parse(flags.json())[4].value).toBe("Grüße, 你好");
    expect(bulkFlags([], variants, {})).toMatchObject({ ascii: true });
  });

  test("a new configuration is serialized afresh, not served from the old one's flags", () => {
    const variants = new Map([[TEST, "friendly"]]);
    bulkFlags(values, variants, {});
    const edited = values.map((value) =>
      value.key === "theme" ? { ...value, value: { mode: "light" } } : value,
    );
    expect(JSON.parse(bulkFlags(edited, variants, {}).json())[1].value).toEqual({ mode: "light" });
  });
});

describe("entity tags", () => {
  const tagOf = (answer: EvaluatedValue[], variant = "friendly", scope: object = {}) =>
    bulkFlags(answer, new Map([[TEST, variant]]), scope).tag;

  test("equal answers have equal tags, in any configuration that serves them", () => {
    expect(tagOf(values)).toBe(tagOf(values));
    expect(tagOf(values)).toMatch(/^"[0-9a-f]{16}"$/);
  });

  test("a different value, variant, order, or one flag more or less changes the tag", () => {
    const tags = [
      tagOf(values),
      tagOf(values, "bold"),
      tagOf(values.map((value, i) => (i === 3 ? { ...value, value: 11 } : value))),
      tagOf([values[1], values[0], ...values.slice(2)]),
      tagOf(values.slice(0, 3)),
      tagOf([...values, { ...values[3], key: "more" }]),
      tagOf([values[0], values[0]]),
      tagOf([values[0], values[0], values[0]]),
      tagOf([]),
    ];
    expect(new Set(tags).size).toBe(tags.length);
  });

  test("10,000 answers that differ in one number each have 10,000 tags", () => {
    const tags = new Set<string>();
    for (let n = 0; n < 10_000; n++)
      tags.add(tagOf(values.map((value, i) => (i === n % 4 ? { ...value, value: n } : value))));
    expect(tags.size).toBe(10_000);
  });

  test("If-None-Match matches the tag in a list or as a weak tag; * holds no answer, so it matches none", () => {
    const tag = bulkFlags(values, new Map(), {}).tag;
    expect(tagMatches(`"other", ${tag}`, tag)).toBe(true);
    expect(tagMatches(`W/${tag}`, tag)).toBe(true);
    expect(tagMatches("*", tag)).toBe(false);
    expect(tagMatches(`*, ${tag}`, tag)).toBe(true);
    expect(tagMatches('"other"', tag)).toBe(false);
    expect(tagMatches(undefined, tag)).toBe(false);
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
    [{ context: { targetingKey: "u", blob: "x".repeat(MAX_REQUEST_PROPERTIES_BYTES) } }, "INVALID_CONTEXT"],
  ])("%j is refused with %s", (body, errorCode) => {
    expect(readContext(body)).toMatchObject({ ok: false, errorCode });
  });
});
