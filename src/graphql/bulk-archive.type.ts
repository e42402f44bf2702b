import { Field, ID, ObjectType } from "type-graphql";
import { UserError } from "./user-error.type";

@ObjectType({ description: "What a bulk archive answers: what it did, and why not for the rest." })
export class BulkArchivePayload {
  @Field(() => [ID], { description: "The ids archived by this call." })
  archived!: string[];

  @Field(() => [UserError], {
    description: 'One per id that was not archived, its field ["ids", "<index>"].',
  })
  userErrors!: UserError[];
}
