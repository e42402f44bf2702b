import { GraphQLJSON } from "graphql-scalars";
import { createUnionType, Field, Int, ObjectType, registerEnumType } from "type-graphql";
import {
  Match,
  Occurrence,
  Operator,
  type Condition,
  type EventCondition as DomainEventCondition,
  type PropertyCondition as DomainPropertyCondition,
  type Scalar,
} from "./segment-rule";

registerEnumType(Match, {
  name: "Match",
  description: "How a rule combines its conditions and groups.",
  valuesConfig: {
    ALL: { description: "Every condition and group holds." },
    ANY: { description: "At least one holds." },
  },
});
registerEnumType(Occurrence, {
  name: "Occurrence",
  description: "Whether an event condition asks for users who did the event, or who did not.",
  valuesConfig: {
    DID: { description: "Performed it at least minCount times within the window." },
    DID_NOT: { description: "Performed it fewer than minCount times within the window." },
  },
});
registerEnumType(Operator, {
  name: "Operator",
  description:
    "EXISTS, NOT_EXISTS take no values; EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS and the four comparisons one; " +
    "IN, NOT_IN one or more; BETWEEN two (low, high, inclusive). Comparisons take numbers or ISO-8601 dates. " +
    "Strings compare ignoring case. A property the user lacks satisfies only NOT_EXISTS.",
  valuesConfig: {
    EQUALS: { description: "The value equals the one given (a list property: one of its elements does)." },
    NOT_EQUALS: { description: "The value differs from the one given." },
    IN: { description: "The value equals one of those given." },
    NOT_IN: { description: "The value equals none of those given." },
    CONTAINS: { description: "A string holds the text given; a list holds the value given." },
    NOT_CONTAINS: { description: "The opposite of CONTAINS." },
    GREATER_THAN: { description: "A number or date after the one given." },
    GREATER_THAN_OR_EQUAL: { description: "A number or date at or after the one given." },
    LESS_THAN: { description: "A number or date before the one given." },
    LESS_THAN_OR_EQUAL: { description: "A number or date at or before the one given." },
    BETWEEN: { description: "A number or date from the low value to the high one, both included." },
    EXISTS: { description: "The user (or event) has the property, with any value." },
    NOT_EXISTS: { description: "The user (or event) lacks the property." },
  },
});

@ObjectType({
  description: "A test on a user property (demographics, geography, device, ...) or an event property.",
})
export class PropertyCondition implements DomainPropertyCondition {
  type!: "property";

  @Field({ description: "The property's name, e.g. city." })
  property!: string;

  @Field(() => Operator, { description: "How the property's value is compared." })
  operator!: Operator;

  @Field(() => [GraphQLJSON], { description: "What it is compared with; how many depends on the operator." })
  values!: Scalar[];
}

@ObjectType({
  description:
    "Users who did (or did not) perform an event, optionally within the last N days, at least minCount times.",
})
export class EventCondition implements DomainEventCondition {
  type!: "event";

  @Field(() => Occurrence, { description: "DID or DID_NOT." })
  occurrence!: Occurrence;

  @Field({ description: "The event's name." })
  event!: string;

  @Field(() => Int, { nullable: true, description: "Null: ever." })
  withinDays!: number | null;

  @Field(() => Int, { nullable: true, description: "Null: at least once." })
  minCount!: number | null;

  @Field(() => [PropertyCondition], { description: "Filters on the event's properties; all must hold." })
  where!: PropertyCondition[];
}

/** The GraphQL object type of a condition. */
export const segmentConditionTypeName = (condition: Condition): string =>
  condition.type === "event" ? "EventCondition" : "PropertyCondition";

export const SegmentCondition = createUnionType({
  name: "SegmentCondition",
  description: "A condition of a segment rule: on the user's events or on a user property.",
  types: () => [EventCondition, PropertyCondition] as const,
  resolveType: segmentConditionTypeName,
});

@ObjectType({ description: "A rule: conditions and nested rules, combined by match." })
export class SegmentRule {
  @Field(() => Match, { description: "ALL: every condition and group holds; ANY: at least one does." })
  match!: Match;

  @Field(() => [SegmentCondition], { description: "Conditions at this level." })
  conditions!: Condition[];

  @Field(() => [SegmentRule], { description: "Nested rules; at most 4 levels in all." })
  groups!: SegmentRule[];
}
