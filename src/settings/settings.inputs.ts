import { Field, InputType, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error.type";
import { Settings } from "./settings.entity";
import { Describe } from "../graphql/descriptions";

@InputType({ description: "Fields left null keep their value." })
export class UpdateSettingsInput {
  @Field(() => Boolean, { nullable: true, description: "Applies to A/B tests created from now on." })
  mutuallyExclusiveABTests?: boolean | null;
}

@ObjectType({ description: "What a mutation of a settings answers." })
export class SettingsPayload {
  @Field(() => Settings, {
    nullable: true,
    description: "The settings after the change; null when it was not done.",
  })
  settings!: Settings | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}
