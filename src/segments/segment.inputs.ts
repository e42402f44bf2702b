import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error.type";
import { ArchivedFilter } from "../setup/archived-filter";
import {
  Match,
  Occurrence,
  Operator,
  type EventConditionDraft,
  type PropertyConditionDraft,
  type RuleDraft,
} from "./segment-rule";
import { Segment } from "./segment.entity";

@InputType()
export class SegmentFilter extends ArchivedFilter {}

@InputType()
export class PropertyConditionInput implements PropertyConditionDraft {
  @Field({ description: "Name of the user (or event) property, e.g. city." })
  property!: string;

  @Field(() => Operator)
  operator!: Operator;

  @Field(() => [GraphQLJSON], { defaultValue: [], description: "How many depends on the operator (see Operator)." })
  values!: unknown[];
}

@InputType()
export class EventConditionInput implements EventConditionDraft {
  @Field(() => Occurrence)
  occurrence!: Occurrence;

  @Field({ description: "The event's name, 1 to 128 characters." })
  event!: string;

  @Field(() => Int, { nullable: true, description: "Only events of the last 1 to 3650 days count; null: ever." })
  withinDays?: number | null;

  @Field(() => Int, { nullable: true, description: "At least this many (1 or more); null: 1." })
  minCount?: number | null;

  @Field(() => [PropertyConditionInput], { defaultValue: [], description: "Filters on the event's properties." })
  where!: PropertyConditionInput[];
}

@InputType({ description: "Exactly one of event / property is set." })
export class SegmentConditionInput {
  @Field(() => EventConditionInput, { nullable: true })
  event?: EventConditionInput | null;

  @Field(() => PropertyConditionInput, { nullable: true })
  property?: PropertyConditionInput | null;
}

@InputType({ description: "At most 4 levels deep and 100 conditions in all; no group may be empty." })
export class SegmentRuleInput implements RuleDraft {
  @Field(() => Match)
  match!: Match;

  @Field(() => [SegmentConditionInput], { defaultValue: [] })
  conditions!: SegmentConditionInput[];

  @Field(() => [SegmentRuleInput], { defaultValue: [] })
  groups!: SegmentRuleInput[];
}

@InputType()
export class CreateSegmentInput {
  @Field({ description: "Unique among the project's segments, ignoring case." })
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => SegmentRuleInput)
  rule!: SegmentRuleInput;
}

@InputType({ description: "Fields left null keep their value." })
export class UpdateSegmentInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "An empty string clears it." })
  description?: string | null;

  @Field(() => SegmentRuleInput, { nullable: true, description: "Replaces the whole rule." })
  rule?: SegmentRuleInput | null;
}

@ObjectType()
export class SegmentPayload {
  @Field(() => Segment, { nullable: true })
  segment!: Segment | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
