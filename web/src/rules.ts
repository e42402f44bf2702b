// The segment rule builder's model: what the form edits, and the input it becomes. Values are typed
// as text, one per line (IN, NOT_IN) or one per field; numbers stay numbers.
import type { Operator, Occurrence, RuleFieldsFragment, SegmentRuleInput } from "../../client";

export interface PropertyRow {
  kind: "property";
  property: string;
  operator: Operator;
  values: string;
}
export interface EventRow {
  kind: "event";
  event: string;
  occurrence: Occurrence;
  minCount: string;
  withinDays: string;
}
export type ConditionRow = PropertyRow | EventRow;
export interface RuleModel {
  match: "ALL" | "ANY";
  conditions: ConditionRow[];
  groups: RuleModel[];
}

export const OPERATORS: readonly Operator[] = [
  "EQUALS",
  "NOT_EQUALS",
  "IN",
  "NOT_IN",
  "CONTAINS",
  "NOT_CONTAINS",
  "GREATER_THAN",
  "GREATER_THAN_OR_EQUAL",
  "LESS_THAN",
  "LESS_THAN_OR_EQUAL",
  "BETWEEN",
  "EXISTS",
  "NOT_EXISTS",
];
/** Rules nest at most 4 levels deep (RULES.md): a group inside the third level is not offered. */
export const MAX_DEPTH = 4;

export const emptyRule = (): RuleModel => ({ match: "ALL", conditions: [], groups: [] });
export const newPropertyRow = (): PropertyRow => ({
  kind: "property",
  property: "",
  operator: "EQUALS",
  values: "",
});
export const newEventRow = (): EventRow => ({
  kind: "event",
  event: "",
  occurrence: "DID",
  minCount: "1",
  withinDays: "",
});

/** A typed value: a number when it reads as one, true/false, else the text. */
function valueOf(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed !== "" && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  return trimmed;
}

/** Values as typed: one per line; none for EXISTS and NOT_EXISTS. */
export function valuesOf(row: PropertyRow): unknown[] {
  if (row.operator === "EXISTS" || row.operator === "NOT_EXISTS") return [];
  return row.values
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(valueOf);
}

const optionalInt = (text: string): number | undefined => (text.trim() === "" ? undefined : Number(text));

export function toRuleInput(model: RuleModel): SegmentRuleInput {
  return {
    match: model.match,
    conditions: model.conditions.map((row) =>
      row.kind === "property"
        ? { property: { property: row.property.trim(), operator: row.operator, values: valuesOf(row) } }
        : {
            event: {
              event: row.event.trim(),
              occurrence: row.occurrence,
              minCount: optionalInt(row.minCount),
              withinDays: optionalInt(row.withinDays),
            },
          },
    ),
    groups: model.groups.map(toRuleInput),
  };
}

type StoredRule = Pick<RuleFieldsFragment, "match" | "conditions"> & {
  groups?: readonly StoredRule[] | null;
};

const textOf = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

export function fromStoredRule(rule: StoredRule): RuleModel {
  return {
    match: rule.match,
    conditions: rule.conditions.map((condition): ConditionRow =>
      condition.__typename === "PropertyCondition"
        ? {
            kind: "property",
            property: condition.property,
            operator: condition.operator,
            values: condition.values.map(textOf).join("\n"),
          }
        : {
            kind: "event",
            event: condition.event,
            occurrence: condition.occurrence,
            minCount: condition.minCount == null ? "" : String(condition.minCount),
            withinDays: condition.withinDays == null ? "" : String(condition.withinDays),
          },
    ),
    groups: (rule.groups ?? []).map(fromStoredRule),
  };
}
