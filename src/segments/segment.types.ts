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
  valuesConfig: { ALL: { description: "Every condition and group holds." }, ANY: { description: "At least one holds." } },
});
registerEnumType(Occurrence, { name: "Occurrence" });
registerEnumType(Operator, {
  name: "Operator",
  description:
    "EXISTS, NOT_EXISTS take no values; EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS and the four comparisons one; " +
    "IN, NOT_IN one or more; BETWEEN two (low, high, inclusive). Comparisons take numbers or ISO-8601 dates. " +
    "Strings compare ignoring case. A property the user lacks satisfies only NOT_EXISTS.",
});

@ObjectType({ description: "A test on a user property (demographics, geography, device, ...) or an event property." })
export class PropertyCondition implements DomainPropertyCondition {
  type!: "property";

  @Field()
  property!: string;

  @Field(() => Operator)
  operator!: Operator;

  @Field(() => [GraphQLJSON])
  values!: Scalar[];
}

@ObjectType({
  description: "Users who did (or did not) perform an event, optionally within the last N days, at least minCount times.",
})
export class EventCondition implements DomainEventCondition {
  type!: "event";

  @Field(() => Occurrence)
  occurrence!: Occurrence;

  @Field()
  event!: string;

  @Field(() => Int, { nullable: true, description: "Null: ever." })
  withinDays!: number | null;

  @Field(() => Int, { nullable: true, description: "Null: at least once." })
  minCount!: number | null;

  @Field(() => [PropertyCondition], { description: "Filters on the event's properties; all must hold." })
  where!: PropertyCondition[];
}

export const SegmentCondition = createUnionType({
  name: "SegmentCondition",
  types: () => [EventCondition, PropertyCondition] as const,
  resolveType: (condition: Condition) => (condition.type === "event" ? EventCondition : PropertyCondition),
});

@ObjectType()
export class SegmentRule {
  @Field(() => Match)
  match!: Match;

  @Field(() => [SegmentCondition])
  conditions!: Condition[];

  @Field(() => [SegmentRule], { description: "Nested rules; at most 4 levels in all." })
  groups!: SegmentRule[];
}
