import { Field, ID, InputType } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { VersionedUpdate } from "../graphql/versions";
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
}
