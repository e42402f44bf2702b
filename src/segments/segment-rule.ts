import { normalizeEventName } from "../shared/event-names";
import { characterCount } from "../shared/names";
import { fail, ok, type Result } from "../shared/result";
import { textProblem } from "../shared/text";
import { at, UserErrors, type UserError } from "../shared/user-error";

/**
 * A segment's rule: a tree of ALL/ANY groups over conditions on user properties and on the events
 * a user did or did not perform. This file is pure (no I/O): the shape, its validation, and the
 * limits. Matching lives in segment-matching.ts.
 */

export enum Match {
  ALL = "ALL",
  ANY = "ANY",
}

export enum Occurrence {
  DID = "DID",
  DID_NOT = "DID_NOT",
}

export enum Operator {
  EQUALS = "EQUALS",
  NOT_EQUALS = "NOT_EQUALS",
  IN = "IN",
  NOT_IN = "NOT_IN",
  CONTAINS = "CONTAINS",
  NOT_CONTAINS = "NOT_CONTAINS",
  GREATER_THAN = "GREATER_THAN",
  GREATER_THAN_OR_EQUAL = "GREATER_THAN_OR_EQUAL",
  LESS_THAN = "LESS_THAN",
  LESS_THAN_OR_EQUAL = "LESS_THAN_OR_EQUAL",
  BETWEEN = "BETWEEN",
  EXISTS = "EXISTS",
  NOT_EXISTS = "NOT_EXISTS",
}

export type Scalar = string | number | boolean;

export interface PropertyCondition {
  type: "property";
  property: string;
  operator: Operator;
  values: Scalar[];
}

export interface EventCondition {
  type: "event";
  occurrence: Occurrence;
  event: string;
  /** Null: ever. */
  withinDays: number | null;
  /** Null: 1. */
  minCount: number | null;
  /** Filters on the event's own properties; all must hold. */
  where: PropertyCondition[];
}

export type Condition = PropertyCondition | EventCondition;

export interface Rule {
  match: Match;
  conditions: Condition[];
  groups: Rule[];
}

/** The rule as a client sends it: each condition sets exactly one of `event` / `property`. */
export interface PropertyConditionDraft {
  property: string;
  operator: Operator;
  values?: unknown[] | null;
}

export interface EventConditionDraft {
  occurrence: Occurrence;
  event: string;
  withinDays?: number | null;
  minCount?: number | null;
  where?: PropertyConditionDraft[] | null;
}

export interface RuleDraft {
  match: Match;
  conditions?: { event?: EventConditionDraft | null; property?: PropertyConditionDraft | null }[] | null;
  groups?: RuleDraft[] | null;
}

export const MAX_RULE_DEPTH = 4;
/** Every condition counts, event property filters (`where`) included. */
export const MAX_RULE_CONDITIONS = 100;
export const MAX_IN_VALUES = 500;
export const MAX_PROPERTY_NAME_LENGTH = 128;
export const MAX_WITHIN_DAYS = 3650;
/**
 * Evaluation reads at most this many of a user's events of one name (the most recent), so a user
 * with a huge history costs no more than any other: `minCount` cannot ask for more, and a condition
 * with `where` filters looks at this many most recent events (docs/EVENTS.md).
 */
export const MAX_EVENTS_READ = 1000;

const NO_VALUE = new Set([Operator.EXISTS, Operator.NOT_EXISTS]);
const ONE_SCALAR = new Set([Operator.EQUALS, Operator.NOT_EQUALS, Operator.CONTAINS, Operator.NOT_CONTAINS]);
const ONE_OR_MORE = new Set([Operator.IN, Operator.NOT_IN]);
const ORDERED = new Set([
  Operator.GREATER_THAN,
  Operator.GREATER_THAN_OR_EQUAL,
  Operator.LESS_THAN,
  Operator.LESS_THAN_OR_EQUAL,
]);

const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The instant an ISO-8601 date string names, or null if it is not one. */
export function isoInstant(value: string): number | null {
  if (!ISO_DATE.test(value)) return null;
  const millis = Date.parse(value);
  return Number.isFinite(millis) ? millis : null;
}

/** Comparisons take numbers, or ISO-8601 dates, which compare as instants. */
export function comparable(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string") return isoInstant(value);
  return null;
}

function isScalar(value: unknown): value is Scalar {
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

/**
 * Validates a rule a client sent and turns it into the stored shape. Every problem is reported with
 * the path of the value at fault, e.g. ["input", "rule", "groups", "0", "conditions", "2", "property", "values", "1"].
 */
export function parseRule(draft: RuleDraft, path: string[]): Result<Rule> {
  const errors: UserError[] = [];
  let conditionCount = 0;

  const parseGroup = (group: RuleDraft, groupPath: string[], depth: number): Rule => {
    if (depth > MAX_RULE_DEPTH) {
      errors.push(UserErrors.invalid(groupPath, `A rule is at most ${MAX_RULE_DEPTH} levels deep`));
      return { match: group.match, conditions: [], groups: [] };
    }
    const conditions = group.conditions ?? [];
    const groups = group.groups ?? [];
    if (conditions.length === 0 && groups.length === 0) {
      errors.push(UserErrors.invalid(groupPath, "A rule needs at least one condition or group"));
    }
    return {
      match: group.match,
      conditions: conditions.flatMap((condition, index): Condition[] => {
        const conditionPath = at(groupPath, "conditions", index);
        if ((condition.event == null) === (condition.property == null)) {
          errors.push(
            UserErrors.invalid(conditionPath, "A condition sets exactly one of event and property"),
          );
          return [];
        }
        conditionCount++;
        return condition.event != null
          ? [parseEventCondition(condition.event, at(conditionPath, "event"))]
          : [parsePropertyCondition(condition.property!, at(conditionPath, "property"))];
      }),
      groups: groups.map((nested, index) => parseGroup(nested, at(groupPath, "groups", index), depth + 1)),
    };
  };

  const parseEventCondition = (draft: EventConditionDraft, conditionPath: string[]): EventCondition => {
    const event = normalizeEventName(draft.event, at(conditionPath, "event"));
    if (!event.ok) errors.push(...event.errors);
    const withinDays = draft.withinDays ?? null;
    if (
      withinDays !== null &&
      !(Number.isInteger(withinDays) && withinDays >= 1 && withinDays <= MAX_WITHIN_DAYS)
    ) {
      errors.push(
        UserErrors.invalid(
          at(conditionPath, "withinDays"),
          `withinDays is a whole number from 1 to ${MAX_WITHIN_DAYS}`,
        ),
      );
    }
    const minCount = draft.minCount ?? null;
    if (minCount !== null && !(Number.isInteger(minCount) && minCount >= 1 && minCount <= MAX_EVENTS_READ)) {
      errors.push(
        UserErrors.invalid(
          at(conditionPath, "minCount"),
          `minCount is a whole number from 1 to ${MAX_EVENTS_READ}`,
        ),
      );
    }
    const where = (draft.where ?? []).map((filter, index) => {
      conditionCount++;
      return parsePropertyCondition(filter, at(conditionPath, "where", index));
    });
    return {
      type: "event",
      occurrence: draft.occurrence,
      event: event.ok ? event.value : draft.event,
      withinDays,
      minCount,
      where,
    };
  };

  const parsePropertyCondition = (condition: PropertyConditionDraft, conditionPath: string[]) =>
    propertyCondition(condition, conditionPath, errors);

  const rule = parseGroup(draft, path, 1);
  if (conditionCount > MAX_RULE_CONDITIONS) {
    errors.push(
      UserErrors.invalid(
        path,
        `A rule has at most ${MAX_RULE_CONDITIONS} conditions in all (event filters included); this one has ${conditionCount}`,
      ),
    );
  }
  return errors.length ? fail(...errors) : ok(rule);
}

/** One property condition (on a user property, or on an event's in a `where`); problems go to `errors`. */
function propertyCondition(
  draft: PropertyConditionDraft,
  conditionPath: string[],
  errors: UserError[],
): PropertyCondition {
  const property = draft.property.trim();
  if (property === "" || characterCount(property) > MAX_PROPERTY_NAME_LENGTH) {
    errors.push(
      UserErrors.invalid(
        at(conditionPath, "property"),
        `A property name is 1 to ${MAX_PROPERTY_NAME_LENGTH} characters`,
      ),
    );
  } else if (textProblem(property)) {
    errors.push(
      UserErrors.invalid(at(conditionPath, "property"), `A property name ${textProblem(property)}`),
    );
  }
  const values = draft.values ?? [];
  errors.push(...operandErrors(draft.operator, values, at(conditionPath, "values")));
  return { type: "property", property, operator: draft.operator, values: values.filter(isScalar) };
}

/** Filters on an event's properties (a goal's `where`): at most `max`, each like a segment's property condition. */
export function parseEventFilters(
  drafts: PropertyConditionDraft[],
  path: string[],
  max: number,
): Result<PropertyCondition[]> {
  if (drafts.length > max)
    return fail(UserErrors.invalid(path, `At most ${max} filters; got ${drafts.length}`));
  const errors: UserError[] = [];
  const filters = drafts.map((draft, index) => propertyCondition(draft, at(path, index), errors));
  return errors.length ? fail(...errors) : ok(filters);
}

/** What values each operator takes; anything else is INVALID at the path of the bad value. */
function operandErrors(operator: Operator, values: unknown[], path: string[]): UserError[] {
  const count = (expected: string) =>
    UserErrors.invalid(path, `${operator} takes ${expected}; got ${values.length}`);
  if (NO_VALUE.has(operator)) return values.length === 0 ? [] : [count("no values")];
  if (ONE_SCALAR.has(operator)) {
    if (values.length !== 1) return [count("exactly one value")];
    return isScalar(values[0])
      ? []
      : [UserErrors.invalid(at(path, 0), `${operator} takes a string, a number or a boolean`)];
  }
  if (ONE_OR_MORE.has(operator)) {
    if (values.length === 0 || values.length > MAX_IN_VALUES) return [count(`1 to ${MAX_IN_VALUES} values`)];
    return values.flatMap((value, index) =>
      isScalar(value)
        ? []
        : [UserErrors.invalid(at(path, index), `${operator} values are strings, numbers or booleans`)],
    );
  }
  if (ORDERED.has(operator)) {
    if (values.length !== 1) return [count("exactly one value")];
    return comparable(values[0]) === null
      ? [UserErrors.invalid(at(path, 0), `${operator} takes a number or an ISO-8601 date`)]
      : [];
  }
  // BETWEEN: low then high, both numbers or both dates, inclusive.
  if (values.length !== 2) return [count("two values, low then high")];
  const bounds = values.map(comparable);
  const badBound = bounds.findIndex((bound) => bound === null);
  if (badBound >= 0)
    return [UserErrors.invalid(at(path, badBound), "BETWEEN takes two numbers or two ISO-8601 dates")];
  if (typeof values[0] !== typeof values[1]) {
    return [UserErrors.invalid(at(path, 1), "BETWEEN takes two numbers or two dates, not one of each")];
  }
  if (bounds[0]! > bounds[1]!)
    return [UserErrors.invalid(at(path, 1), "BETWEEN takes the low value first, then the high")];
  return [];
}
