import { Arg, Field, InputType, Int } from "type-graphql";
import { Describe } from "./descriptions";

/** The `expectedVersion` every update input of one existing object has (it inherits it from here). */
@InputType()
export abstract class VersionedUpdate {
  @Field(() => Int, { nullable: true, description: Describe.expectedVersion })
  expectedVersion?: number | null;
}

/** The `expectedVersion` argument of every mutation that changes one existing object by id. */
export function ExpectedVersionArg(): ReturnType<typeof Arg> {
  return Arg("expectedVersion", () => Int, { nullable: true, description: Describe.expectedVersion });
}
