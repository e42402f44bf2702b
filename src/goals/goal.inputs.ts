import { Field, ID, InputType } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { VersionedUpdate } from "../graphql/versions";
import { PropertyConditionInput } from "../segments/segment.inputs";
import { ArchivedFilter } from "../setup/archived-filter";

@InputType({ description: "Which goals to list." })
export class GoalFilter extends ArchivedFilter {}

@InputType({ description: "A new goal." })
export class CreateGoalInput {
  @Field({ description: "Unique among the project's goals, ignoring case." })
  name!: string;

  @Field(() => String, { nullable: true, description: Describe.description })
  description?: string | null;

  @Field(() => [String], { description: "1 to 20 distinct event names." })
  events!: string[];

  @Field(() => [PropertyConditionInput], {
    nullable: true,
    description: "At most 3 filters on the event's properties, with the segment operators; all must hold.",
  })
  where?: PropertyConditionInput[] | null;

  @Field(() => String, {
    nullable: true,
    description: "A numeric event property (e.g. amount) whose per-user total results compare.",
  })
  valueProperty?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: true,
    description: "false when a rise is bad (crashes, refunds): results and guardrails read its direction.",
  })
  higherIsBetter?: boolean | null;
}

@InputType({ description: "Fields left null keep their value." })
export class UpdateGoalInput extends VersionedUpdate {
  @Field(() => ID, { description: "The goal to change." })
  id!: string;

  @Field(() => String, { nullable: true, description: "A new name, unique ignoring case." })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "An empty string clears it." })
  description?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: "Cannot change once an experience using the goal has run: its results would lie.",
  })
  events?: string[] | null;

  @Field(() => [PropertyConditionInput], {
    nullable: true,
    description: "Replaces the filters; frozen like events once an experience using the goal has run.",
  })
  where?: PropertyConditionInput[] | null;

  @Field(() => String, {
    nullable: true,
    description: "An empty string clears it; frozen like events once an experience using the goal has run.",
  })
  valueProperty?: string | null;

  @Field(() => Boolean, { nullable: true, description: "The goal's direction; may change at any time." })
  higherIsBetter?: boolean | null;
}
