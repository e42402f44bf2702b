import { Field, ID, InputType, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error.type";
import { ArchivedFilter } from "../setup/archived-filter";
import { Goal } from "./goal.entity";
import { Describe } from "../graphql/descriptions";

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
export class UpdateGoalInput {
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

@ObjectType({ description: "What a mutation of a goal answers." })
export class GoalPayload {
  @Field(() => Goal, { nullable: true, description: "The goal after the change; null when it was not done." })
  goal!: Goal | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}
