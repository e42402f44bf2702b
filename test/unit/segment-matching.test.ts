import { compileRule, compileValueTest, type UserFacts } from "../../src/segments/segment-matching";
import { propertiesOf } from "../../src/shared/properties";
import {
  Match,
  Occurrence,
  Operator,
  parseRule,
  type RuleDraft,
  type Scalar,
} from "../../src/segments/segment-rule";

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const DAY = 86_400_000;

interface PlainEvent {
  at: number;
  properties: Record<string, unknown>;
}

/** A user's facts as evaluation builds them: properties in a Map, each name's events newest first. */
function facts(properties: Record<string, unknown>, events: Record<string, PlainEvent[]> = {}): UserFacts {
  const byName = new Map(
    Object.entries(events).map(([name, list]) => [
      name,
      [...list]
        .sort((a, b) => b.at - a.at)
        .map((event) => ({ at: event.at, properties: propertiesOf(event.properties) })),
    ]),
  );
  return { properties: propertiesOf(properties), now: NOW, events: (name) => byName.get(name) ?? [] };
}

function matches(draft: RuleDraft, user: UserFacts): boolean {
  const rule = parseRule(draft, ["rule"]);
  if (!rule.ok) throw new Error(JSON.stringify(rule.errors));
  return compileRule(rule.value)(user);
}

const test1 = (operator: Operator, values: Scalar[]) => compileValueTest({ operator, values });

describe("property operators", () => {
  test.each<[Operator, Scalar[], unknown, boolean]>([
    [Operator.EQUALS, ["New York"], "new york", true],
    [Operator.EQUALS, ["New York"], "Newark", false],
    [Operator.EQUALS, [3], 3, true],
    [Operator.EQUALS, [3], "3", true],
    [Operator.EQUALS, [3], 4, false],
    [Operator.EQUALS, [true], true, true],
    [Operator.EQUALS, [true], "TRUE", true],
    [Operator.EQUALS, ["3"], 3, true],
    [Operator.EQUALS, ["2024-01-01T00:00:00Z"], "2024-01-01T01:00:00+01:00", true],
    [Operator.EQUALS, ["ios"], ["Android", "iOS"], true],
    [Operator.NOT_EQUALS, ["New York"], "NEW YORK", false],
    [Operator.NOT_EQUALS, ["New York"], "Miami", true],
    [Operator.IN, ["Miami", "New York"], "miami", true],
    [Operator.IN, ["Miami", "New York"], "Boston", false],
    [Operator.NOT_IN, ["Miami", "New York"], "Boston", true],
    [Operator.NOT_IN, ["Miami", "New York"], "MIAMI", false],
    [Operator.CONTAINS, ["phone"], "iPhone 15", true],
    [Operator.CONTAINS, ["PHONE"], "iPhone 15", true],
    [Operator.CONTAINS, ["pad"], "iPhone 15", false],
    [Operator.CONTAINS, ["beta"], ["alpha", "Beta"], true],
    [Operator.CONTAINS, ["bet"], ["alpha", "Beta"], false],
    [Operator.NOT_CONTAINS, ["pad"], "iPhone", true],
    [Operator.NOT_CONTAINS, ["phone"], "iPhone", false],
    [Operator.GREATER_THAN, [18], 19, true],
    [Operator.GREATER_THAN, [18], 18, false],
    [Operator.GREATER_THAN, [18], "21", true],
    [Operator.GREATER_THAN_OR_EQUAL, [18], 18, true],
    [Operator.LESS_THAN, [18], 17.5, true],
    [Operator.LESS_THAN, [18], 18, false],
    [Operator.LESS_THAN_OR_EQUAL, [18], 18, true],
    [Operator.GREATER_THAN, ["2024-06-01"], "2024-06-02T00:00:00Z", true],
    [Operator.LESS_THAN, ["2024-06-01"], "2024-05-31", true],
    [Operator.GREATER_THAN, [18], "eighteen", false],
    [Operator.BETWEEN, [18, 35], 18, true],
    [Operator.BETWEEN, [18, 35], 35, true],
    [Operator.BETWEEN, [18, 35], 35.01, false],
    [Operator.BETWEEN, ["2024-01-01", "2024-12-31"], "2024-07-04T10:00:00Z", true],
    [Operator.BETWEEN, ["2024-01-01", "2024-12-31"], "2025-01-01", false],
    [Operator.EXISTS, [], "anything", true],
    [Operator.EXISTS, [], 0, true],
    [Operator.EXISTS, [], false, true],
  ])("%s %j on %j is %s", (operator, values, value, expected) => {
    expect(test1(operator, values)(value)).toBe(expected);
  });

  test.each(Object.values(Operator).filter((operator) => operator !== Operator.NOT_EXISTS))(
    "a property the user lacks fails %s, the negative operators included",
    (operator) => {
      const values: Scalar[] =
        operator === Operator.BETWEEN ? [1, 2] : operator === Operator.EXISTS ? [] : [1];
      expect(test1(operator, values)(undefined)).toBe(false);
      expect(test1(operator, values)(null)).toBe(false);
    },
  );

  test("a property the user lacks satisfies NOT_EXISTS, and one they have does not", () => {
    expect(test1(Operator.NOT_EXISTS, [])(undefined)).toBe(true);
    expect(test1(Operator.NOT_EXISTS, [])(null)).toBe(true);
    expect(test1(Operator.NOT_EXISTS, [])("")).toBe(false);
  });

  test("objects never equal, contain or compare", () => {
    expect(test1(Operator.EQUALS, ["x"])({ a: "x" })).toBe(false);
    expect(test1(Operator.CONTAINS, ["x"])({ a: "x" })).toBe(false);
    expect(test1(Operator.GREATER_THAN, [1])({ a: 2 })).toBe(false);
  });
});

describe("rules", () => {
  const nycIphone: RuleDraft = {
    match: Match.ALL,
    conditions: [
      { property: { property: "device", operator: Operator.EQUALS, values: ["iPhone"] } },
      { property: { property: "city", operator: Operator.EQUALS, values: ["New York"] } },
    ],
  };

  test("ALL needs every condition, ANY one of them", () => {
    expect(matches(nycIphone, facts({ device: "iphone", city: "new york" }))).toBe(true);
    expect(matches(nycIphone, facts({ device: "iphone", city: "Miami" }))).toBe(false);
    expect(matches({ ...nycIphone, match: Match.ANY }, facts({ device: "Pixel", city: "New York" }))).toBe(
      true,
    );
    expect(matches({ ...nycIphone, match: Match.ANY }, facts({ device: "Pixel", city: "Miami" }))).toBe(
      false,
    );
  });

  test("groups nest: (city is Miami) AND (plan is pro OR age over 30)", () => {
    const rule: RuleDraft = {
      match: Match.ALL,
      conditions: [{ property: { property: "city", operator: Operator.EQUALS, values: ["Miami"] } }],
      groups: [
        {
          match: Match.ANY,
          conditions: [
            { property: { property: "plan", operator: Operator.EQUALS, values: ["pro"] } },
            { property: { property: "age", operator: Operator.GREATER_THAN, values: [30] } },
          ],
        },
      ],
    };
    expect(matches(rule, facts({ city: "Miami", plan: "free", age: 31 }))).toBe(true);
    expect(matches(rule, facts({ city: "Miami", plan: "free", age: 30 }))).toBe(false);
    expect(matches(rule, facts({ city: "Boston", plan: "pro" }))).toBe(false);
  });
});

describe("event conditions", () => {
  const purchase = (daysAgo: number, amount = 10): PlainEvent => ({
    at: NOW - daysAgo * DAY,
    properties: { amount, currency: "USD" },
  });
  const user = facts({}, { Purchase: [purchase(0.5, 80), purchase(3, 20), purchase(40, 120)] });
  const did = (
    extra: Partial<{ withinDays: number; minCount: number; where: RuleDraft["conditions"] }> = {},
    occurrence = Occurrence.DID,
  ): RuleDraft => ({
    match: Match.ALL,
    conditions: [
      {
        event: {
          occurrence,
          event: "Purchase",
          withinDays: extra.withinDays,
          minCount: extra.minCount,
          where: extra.where?.map((c) => c.property!),
        },
      },
    ],
  });

  test("DID holds for a user who performed the event at least once, ever", () => {
    expect(matches(did(), user)).toBe(true);
    expect(matches(did(), facts({}))).toBe(false);
  });

  test("minCount counts occurrences", () => {
    expect(matches(did({ minCount: 3 }), user)).toBe(true);
    expect(matches(did({ minCount: 4 }), user)).toBe(false);
  });

  test("withinDays counts only the last N × 24 hours", () => {
    expect(matches(did({ withinDays: 7, minCount: 2 }), user)).toBe(true);
    expect(matches(did({ withinDays: 7, minCount: 3 }), user)).toBe(false);
    expect(matches(did({ withinDays: 2, minCount: 2 }), user)).toBe(false);
    const boundary = facts({}, { Purchase: [purchase(1 + 1 / DAY)] });
    expect(matches(did({ withinDays: 1 }), boundary)).toBe(false);
  });

  test("where filters must all hold on the event's own properties", () => {
    const big = [
      { property: { property: "amount", operator: Operator.GREATER_THAN_OR_EQUAL, values: [50] } },
    ];
    expect(matches(did({ where: big, minCount: 2 }), user)).toBe(true);
    expect(matches(did({ where: big, withinDays: 7, minCount: 2 }), user)).toBe(false);
    const euro = [{ property: { property: "currency", operator: Operator.EQUALS, values: ["eur"] } }];
    expect(matches(did({ where: euro }), user)).toBe(false);
  });

  test("DID_NOT is the negation of DID with the same window and count", () => {
    expect(matches(did({}, Occurrence.DID_NOT), user)).toBe(false);
    expect(matches(did({}, Occurrence.DID_NOT), facts({}))).toBe(true);
    expect(matches(did({ withinDays: 2, minCount: 2 }, Occurrence.DID_NOT), user)).toBe(true);
  });
});

describe("property names are data, not JavaScript", () => {
  // Every name an object literal inherits: a user who lacks them has none of them.
  const inherited = Object.getOwnPropertyNames(Object.prototype);

  test.each(inherited)("a user without a %j property satisfies only NOT_EXISTS on it", (name) => {
    const nobody = facts({});
    const on = (operator: Operator, values: Scalar[] = []) =>
      matches({ match: Match.ALL, conditions: [{ property: { property: name, operator, values } }] }, nobody);
    expect(on(Operator.EXISTS)).toBe(false);
    expect(on(Operator.NOT_EXISTS)).toBe(true);
    expect(on(Operator.NOT_EQUALS, ["x"])).toBe(false);
    expect(on(Operator.EQUALS, ["x"])).toBe(false);
    expect(on(Operator.NOT_CONTAINS, ["x"])).toBe(false);
  });

  test.each(inherited)("a user whose %j property is set matches on its value like any other", (name) => {
    // JSON.parse makes an own property even of "__proto__", as the server's storage does.
    const user = facts(
      JSON.parse(JSON.stringify({ [name]: "Paris" }).replace(`"${name}"`, JSON.stringify(name))),
    );
    const on = (operator: Operator, values: Scalar[] = []) =>
      matches({ match: Match.ALL, conditions: [{ property: { property: name, operator, values } }] }, user);
    expect(on(Operator.EXISTS)).toBe(true);
    expect(on(Operator.EQUALS, ["paris"])).toBe(true);
    expect(on(Operator.NOT_EXISTS)).toBe(false);
    // And it gives the user no other property.
    expect(
      matches(
        {
          match: Match.ALL,
          conditions: [{ property: { property: "city", operator: Operator.EQUALS, values: ["Paris"] } }],
        },
        user,
      ),
    ).toBe(false);
  });

  test.each(inherited)("an event filter on %j sees only the event's own properties", (name) => {
    const rule = (operator: Operator): RuleDraft => ({
      match: Match.ALL,
      conditions: [
        {
          event: {
            occurrence: Occurrence.DID,
            event: "Charged",
            where: [{ property: name, operator, values: [] }],
          },
        },
      ],
    });
    const user = facts({}, { Charged: [{ at: NOW - DAY, properties: { amount: 5 } }] });
    expect(matches(rule(Operator.EXISTS), user)).toBe(false);
    expect(matches(rule(Operator.NOT_EXISTS), user)).toBe(true);
  });
});
