import { Field, InputType } from "type-graphql";
import { Role } from "./role";

@InputType({ description: "A new token of the caller's project." })
export class CreateApiTokenInput {
  @Field({ description: "Shown as the actor in the audit log, e.g. 'ios-app' or 'alice'." })
  name!: string;

  @Field(() => Role, { description: "What it may do." })
  role!: Role;
}
