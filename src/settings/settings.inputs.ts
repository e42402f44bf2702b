import { Field, InputType } from "type-graphql";

@InputType({ description: "Fields left null keep their value." })
export class UpdateSettingsInput {
  @Field(() => Boolean, { nullable: true, description: "Applies to A/B tests created from now on." })
  mutuallyExclusiveABTests?: boolean | null;
}
