import { Field, ObjectType } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { UserError } from "../graphql/user-error.type";
import { Goal } from "./goal.entity";

@ObjectType({ description: "What a mutation of a goal answers." })
export class GoalPayload {
  @Field(() => Goal, { nullable: true, description: "The goal after the change; null when it was not done." })
  goal!: Goal | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}
