import { Field, InputType } from "type-graphql";
import { VersionedUpdate } from "../graphql/versions";

@InputType({ description: "Fields left null keep their value." })
export class UpdateSettingsInput extends VersionedUpdate {
  @Field(() => Boolean, { nullable: true, description: "Applies to A/B tests created from now on." })
  mutuallyExclusiveABTests?: boolean | null;
}
