import { Field, ObjectType } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { UserError } from "../graphql/user-error.type";
import { Settings } from "./settings.entity";

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
