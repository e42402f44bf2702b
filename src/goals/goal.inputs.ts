import { Field, ID, InputType, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error.type";
import { ArchivedFilter } from "../setup/archived-filter";
import { Goal } from "./goal.entity";

@InputType()
export class GoalFilter extends ArchivedFilter {}

@InputType()
export class CreateGoalInput {
  @Field({ description: "Unique among the project's goals, ignoring case." })
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { description: "1 to 20 distinct event names." })
  events!: string[];
}

@InputType({ description: "Fields left null keep their value." })
export class UpdateGoalInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "An empty string clears it." })
  description?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: "Cannot change once an experience using the goal has run: its results would lie.",
  })
  events?: string[] | null;
}

@ObjectType()
export class GoalPayload {
  @Field(() => Goal, { nullable: true })
  goal!: Goal | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
