import { Field, Int, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error.type";

@ObjectType({ description: "What trackEvents and identify answer." })
export class TrackPayload {
  @Field(() => Int, { description: "Events accepted: stored now, or already stored under the same id." })
  accepted!: number;

  @Field(() => [UserError], {
    description: 'One per bad event, its index in the path: ["events", "3", "name"].',
  })
  userErrors!: UserError[];
}
