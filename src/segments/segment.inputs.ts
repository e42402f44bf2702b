import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, InputType, Int } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { VersionedUpdate } from "../graphql/versions";
import { ArchivedFilter } from "../setup/archived-filter";
import {
  Match,
  Occurrence,
  Operator,
  type EventConditionDraft,
  type PropertyConditionDraft,
  type RuleDraft,
} from "./segment-rule";

@InputType({ description: "Which segments to list." })
export class SegmentFilter extends ArchivedFilter {}

@InputType({
  description: "A test on a user property, or (inside an event condition's where) on an event property.",
})
export class PropertyConditionInput implements PropertyConditionDraft {
  @Field({ description: "Name of the user (or event) property, e.g. city." })
  property!: string;

  @Field(() => Operator, { description: "How to compare; it decides how many values to give." })
  operator!: Operator;

  @Field(() => [GraphQLJSON], {
    defaultValue: [],
    description: "How many depends on the operator (see Operator).",
  })
  values!: unknown[];
}

@InputType({
  description:
    "Users who did (or did not) perform an event, optionally within a window, at least minCount times.",
})
export class EventConditionInput implements EventConditionDraft {
  @Field(() => Occurrence, { description: "DID or DID_NOT." })
  occurrence!: Occurrence;

  @Field({ description: "The event's name, 1 to 128 characters." })
  event!: string;

  @Field(() => Int, {
    nullable: true,
    description: "Only events of the last 1 to 3650 days count; null: ever.",
  })
  withinDays?: number | null;

  @Field(() => Int, { nullable: true, description: "At least this many (1 or more); null: 1." })
  minCount?: number | null;

  @Field(() => [PropertyConditionInput], {
    defaultValue: [],
    description: "Filters on the event's properties.",
  })
  where!: PropertyConditionInput[];
}

@InputType({ description: "Exactly one of event / property is set." })
export class SegmentConditionInput {
  @Field(() => EventConditionInput, {
    nullable: true,
    description: "A condition on the events the user performed.",
  })
  event?: EventConditionInput | null;

  @Field(() => PropertyConditionInput, {
    nullable: true,
    description: "A condition on a property of the user.",
  })
  property?: PropertyConditionInput | null;
}

@InputType({ description: "At most 4 levels deep and 100 conditions in all; no group may be empty." })
export class SegmentRuleInput implements RuleDraft {
  @Field(() => Match, { description: "ALL: every condition and group must hold; ANY: one is enough." })
  match!: Match;

  @Field(() => [SegmentConditionInput], { defaultValue: [], description: "Conditions at this level." })
  conditions!: SegmentConditionInput[];

  @Field(() => [SegmentRuleInput], {
    defaultValue: [],
    description: "Nested rules, combined with the conditions by match.",
  })
  groups!: SegmentRuleInput[];
}

@InputType({ description: "A new segment." })
export class CreateSegmentInput {
  @Field({ description: "Unique among the project's segments, ignoring case." })
  name!: string;

  @Field(() => String, { nullable: true, description: Describe.description })
  description?: string | null;

  @Field(() => SegmentRuleInput, { description: "Who is in the segment." })
  rule!: SegmentRuleInput;
}

@InputType({ description: "Fields left null keep their value." })
export class UpdateSegmentInput extends VersionedUpdate {
  @Field(() => ID, { description: "The segment to change." })
  id!: string;

  @Field(() => String, { nullable: true, description: "A new name, unique ignoring case." })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "An empty string clears it." })
  description?: string | null;

  @Field(() => SegmentRuleInput, { nullable: true, description: "Replaces the whole rule." })
  rule?: SegmentRuleInput | null;
}
