import type { Properties } from "../shared/properties";
import {
  isoInstant,
  Match,
  Occurrence,
  Operator,
  type Condition,
  type EventCondition,
  type PropertyCondition,
  type Rule,
  type Scalar,
} from "./segment-rule";

/**
 * Whether a user is in a segment: pure, compiled once per rule into a predicate (the ruleset cache
 * keeps it), then applied to a user's facts. Semantics, as RULES.md has them:
 * - strings compare ignoring case; dates (ISO-8601 strings) compare as instants;
 * - a property the user lacks (absent or null) satisfies only NOT_EXISTS: every other operator,
 *   the negative ones included, is false on it;
 * - a list-valued property EQUALS / IN a value when one of its elements does, and CONTAINS a value
 *   when one of its elements equals it; a string CONTAINS a substring;
 * - an event condition counts the user's events of that name within the last `withinDays` days
 *   (default: ever) whose properties pass every `where` filter: DID holds at `minCount` (default 1)
 *   or more, DID_NOT below it;
 * - property names are data: they are looked up in Maps, so "constructor" or "__proto__" name a
 *   property like any other, never something JavaScript objects carry.
 */

export interface UserEvent {
  at: number;
  properties: Properties;
}

export interface UserFacts {
  /** The stored profile overlaid with the request's properties. */
  properties: Properties;
  /**
   * The user's events of this name, newest first: those inside the longest window the ruleset's
   * conditions on the name use, at most as many as they need (Ruleset.events says how many).
   */
  events(name: string): readonly UserEvent[];
  now: number;
}

export type SegmentPredicate = (facts: UserFacts) => boolean;

const DAY_MS = 86_400_000;

export function compileRule(rule: Rule): SegmentPredicate {
  const parts: SegmentPredicate[] = [
    ...rule.conditions.map(compileCondition),
    ...rule.groups.map(compileRule),
  ];
  return rule.match === Match.ALL
    ? (facts) => parts.every((part) => part(facts))
    : (facts) => parts.some((part) => part(facts));
}

function compileCondition(condition: Condition): SegmentPredicate {
  if (condition.type === "property") {
    const test = compileValueTest(condition);
    return (facts) => test(facts.properties.get(condition.property));
  }
  return compileEventCondition(condition);
}

function compileEventCondition(condition: EventCondition): SegmentPredicate {
  const needed = condition.minCount ?? 1;
  const passes = compileEventFilters(condition.where);
  const windowMs = condition.withinDays === null ? null : condition.withinDays * DAY_MS;
  /** Whether the user has `needed` matching events; stops counting there. */
  const enough = (facts: UserFacts): boolean => {
    const since = windowMs === null ? -Infinity : facts.now - windowMs;
    let counted = 0;
    for (const event of facts.events(condition.event)) {
      if (event.at < since) break; // newest first: the rest are older still
      if (passes(event.properties) && ++counted >= needed) return true;
    }
    return false;
  };
  return condition.occurrence === Occurrence.DID ? enough : (facts) => !enough(facts);
}

/** Whether an event's properties pass every filter (an event condition's or a goal's `where`). */
export function compileEventFilters(
  where: readonly PropertyCondition[],
): (properties: Properties) => boolean {
  const filters = where.map((filter) => ({ property: filter.property, test: compileValueTest(filter) }));
  return (properties) => filters.every((filter) => filter.test(properties.get(filter.property)));
}

type ValueTest = (value: unknown) => boolean;

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A property condition as a test of one value (undefined when the user lacks the property). */
export function compileValueTest(condition: Pick<PropertyCondition, "operator" | "values">): ValueTest {
  const { operator, values } = condition;
  const matchers = values.map(equalsMatcher);
  const anyEquals = (value: unknown) => matchers.some((matches) => matches(value));
  switch (operator) {
    case Operator.EXISTS:
      return present;
    case Operator.NOT_EXISTS:
      return (value) => !present(value);
    case Operator.EQUALS:
    case Operator.IN:
      return (value) => present(value) && anyEquals(value);
    case Operator.NOT_EQUALS:
    case Operator.NOT_IN:
      return (value) => present(value) && !anyEquals(value);
    case Operator.CONTAINS: {
      const contains = containsMatcher(values[0]);
      return (value) => present(value) && contains(value);
    }
    case Operator.NOT_CONTAINS: {
      const contains = containsMatcher(values[0]);
      return (value) => present(value) && !contains(value);
    }
    case Operator.BETWEEN: {
      const [low, high] = values.map(comparableBound);
      return (value) => {
        const at = comparableValue(value);
        return at !== null && at >= low && at <= high;
      };
    }
    default: {
      const bound = comparableBound(values[0]);
      const compare = ORDER[operator];
      if (!compare) throw new Error(`no comparison for ${operator}`);
      return (value) => {
        const at = comparableValue(value);
        return at !== null && compare(at, bound);
      };
    }
  }
}

const ORDER: Partial<Record<Operator, (value: number, bound: number) => boolean>> = {
  [Operator.GREATER_THAN]: (value, bound) => value > bound,
  [Operator.GREATER_THAN_OR_EQUAL]: (value, bound) => value >= bound,
  [Operator.LESS_THAN]: (value, bound) => value < bound,
  [Operator.LESS_THAN_OR_EQUAL]: (value, bound) => value <= bound,
};

/** Whether a user's value equals `expected` (a list when one element does). */
function equalsMatcher(expected: Scalar): ValueTest {
  const scalarEquals = scalarEqualsMatcher(expected);
  return (value) => (Array.isArray(value) ? value.some(scalarEquals) : scalarEquals(value));
}

function scalarEqualsMatcher(expected: Scalar): ValueTest {
  if (typeof expected === "number") {
    return (value) => (typeof value === "number" ? value === expected : numericString(value) === expected);
  }
  if (typeof expected === "boolean") {
    return (value) =>
      typeof value === "boolean"
        ? value === expected
        : typeof value === "string" && value.toLowerCase() === String(expected);
  }
  const lower = expected.toLowerCase();
  const instant = isoInstant(expected);
  return (value) => {
    if (typeof value === "string") {
      return value.toLowerCase() === lower || (instant !== null && isoInstant(value) === instant);
    }
    return (typeof value === "number" || typeof value === "boolean") && String(value).toLowerCase() === lower;
  };
}

function containsMatcher(expected: Scalar): ValueTest {
  const needle = String(expected).toLowerCase();
  const elementEquals = scalarEqualsMatcher(expected);
  return (value) => {
    if (Array.isArray(value)) return value.some(elementEquals);
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      return String(value).toLowerCase().includes(needle);
    }
    return false;
  };
}

function numericString(value: unknown): number | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/** A condition's bound: validated on the way in to be a number or an ISO-8601 date. */
function comparableBound(value: Scalar): number {
  return typeof value === "number" ? value : isoInstant(String(value))!;
}

/** A user's value as a number to compare: a number, an ISO-8601 date, or a numeric string. */
function comparableValue(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string") return isoInstant(value) ?? numericString(value);
  return null;
}
