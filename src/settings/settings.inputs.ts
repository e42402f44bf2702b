import { Field, InputType, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error.type";
import { Settings } from "./settings.entity";

@InputType({ description: "Fields left null keep their value." })
export class UpdateSettingsInput {
  @Field(() => Boolean, { nullable: true, description: "Applies to A/B tests created from now on." })
  mutuallyExclusiveABTests?: boolean | null;
}

@ObjectType()
export class SettingsPayload {
  @Field(() => Settings, { nullable: true })
  settings!: Settings | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
