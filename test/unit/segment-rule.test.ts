import {
  comparable,
  Match,
  Occurrence,
  Operator,
  parseRule,
  type RuleDraft,
} from "../../src/segments/segment-rule";

const path = ["input", "rule"];
const property = (operator: Operator, values: unknown[]): RuleDraft => ({
  match: Match.ALL,
  conditions: [{ property: { property: "p", operator, values } }],
});

describe("operator operands", () => {
  test.each<[Operator, unknown[]]>([
    [Operator.EXISTS, []],
    [Operator.NOT_EXISTS, []],
    [Operator.EQUALS, ["x"]],
    [Operator.EQUALS, [3]],
    [Operator.NOT_EQUALS, [true]],
    [Operator.CONTAINS, ["york"]],
    [Operator.NOT_CONTAINS, ["beta"]],
    [Operator.IN, ["a"]],
    [Operator.NOT_IN, ["a", 2, false]],
    [Operator.GREATER_THAN, [18]],
    [Operator.GREATER_THAN_OR_EQUAL, ["2024-05-01"]],
    [Operator.LESS_THAN, ["2024-05-01T10:00:00+02:00"]],
    [Operator.LESS_THAN_OR_EQUAL, [0.5]],
    [Operator.BETWEEN, [1, 1]],
    [Operator.BETWEEN, ["2024-01-01", "2024-02-01T00:00:00Z"]],
  ])("%s takes %j", (operator, values) => {
    expect(parseRule(property(operator, values), path).ok).toBe(true);
  });

  test.each<[Operator, unknown[], string[]]>([
    [Operator.EXISTS, [1], ["values"]],
    [Operator.EQUALS, [], ["values"]],
    [Operator.EQUALS, [{ a: 1 }], ["values", "0"]],
    [Operator.EQUALS, [[1]], ["values", "0"]],
    [Operator.CONTAINS, ["a", "b"], ["values"]],
    [Operator.IN, [], ["values"]],
    [Operator.IN, ["a", ["b"]], ["values", "1"]],
    [Operator.GREATER_THAN, ["ten"], ["values", "0"]],
    [Operator.GREATER_THAN, [true], ["values", "0"]],
    [Operator.LESS_THAN, ["2024-13-45"], ["values", "0"]],
    [Operator.BETWEEN, [1], ["values"]],
    [Operator.BETWEEN, [1, "x"], ["values", "1"]],
    [Operator.BETWEEN, [1, "2024-01-01"], ["values", "1"]],
    [Operator.BETWEEN, [5, 1], ["values", "1"]],
  ])("%s refuses %j at the value's path", (operator, values, tail) => {
    const result = parseRule(property(operator, values), path);
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({
          code: "INVALID",
          field: [...path, "conditions", "0", "property", ...tail],
        }),
      ],
    });
  });

  test("IN takes at most 500 values", () => {
    expect(
      parseRule(
        property(
          Operator.IN,
          Array.from({ length: 500 }, (_, i) => i),
        ),
        path,
      ).ok,
    ).toBe(true);
    expect(
      parseRule(
        property(
          Operator.IN,
          Array.from({ length: 501 }, (_, i) => i),
        ),
        path,
      ).ok,
    ).toBe(false);
  });
});

describe("rule shape", () => {
  test("a valid rule becomes the stored tree, names trimmed and defaults explicit", () => {
    const result = parseRule(
      {
        match: Match.ANY,
        conditions: [
          {
            event: {
              occurrence: Occurrence.DID,
              event: " Purchase ",
              where: [{ property: " amount ", operator: Operator.EXISTS }],
            },
          },
        ],
      },
      path,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        match: "ANY",
        conditions: [
          {
            type: "event",
            occurrence: "DID",
            event: "Purchase",
            withinDays: null,
            minCount: null,
            where: [{ type: "property", property: "amount", operator: "EXISTS", values: [] }],
          },
        ],
        groups: [],
      },
    });
  });

  test("all problems are reported together", () => {
    const result = parseRule(
      {
        match: Match.ALL,
        conditions: [
          { property: { property: "", operator: Operator.EXISTS } },
          { event: { occurrence: Occurrence.DID, event: "e", withinDays: 0, minCount: 0 } },
        ],
        groups: [{ match: Match.ALL }],
      },
      path,
    );
    expect(result.ok ? [] : result.errors.map((e) => e.field!.slice(2).join("."))).toEqual([
      "conditions.0.property.property",
      "conditions.1.event.withinDays",
      "conditions.1.event.minCount",
      "groups.0",
    ]);
  });

  test("event filters count toward the 100 conditions", () => {
    const where = Array.from({ length: 99 }, () => ({ property: "p", operator: Operator.EXISTS }));
    const rule = (extra: number): RuleDraft => ({
      match: Match.ALL,
      conditions: [
        { event: { occurrence: Occurrence.DID, event: "e", where } },
        ...Array.from({ length: extra }, () => ({ property: { property: "p", operator: Operator.EXISTS } })),
      ],
    });
    expect(parseRule(rule(0), path).ok).toBe(true);
    expect(parseRule(rule(1), path).ok).toBe(false);
  });
});

describe("comparable values", () => {
  test("numbers compare as themselves and ISO-8601 dates as instants", () => {
    expect(comparable(3)).toBe(3);
    expect(comparable("2024-01-01T00:00:00Z")).toBe(Date.UTC(2024, 0, 1));
    expect(comparable("2024-01-01T01:00:00+01:00")).toBe(Date.UTC(2024, 0, 1));
    expect(comparable("yesterday")).toBeNull();
    expect(comparable("12")).toBeNull();
  });
});
