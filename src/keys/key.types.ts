import { Field, ObjectType } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { UserError } from "../graphql/user-error.type";
import { Key } from "./key.entity";

@ObjectType({ description: "What a mutation of a key answers." })
export class KeyPayload {
  @Field(() => Key, { nullable: true, description: "The key after the change; null when it was not done." })
  key!: Key | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}
