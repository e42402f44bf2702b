import { Field, ObjectType } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { UserError } from "../graphql/user-error.type";
import { Segment } from "./segment.entity";

@ObjectType({ description: "What a mutation of a segment answers." })
export class SegmentPayload {
  @Field(() => Segment, {
    nullable: true,
    description: "The segment after the change; null when it was not done.",
  })
  segment!: Segment | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}
