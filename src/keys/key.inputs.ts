import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, InputType, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error.type";
import { ArchivedFilter } from "../setup/archived-filter";
import { ValueType } from "./key-rules";
import { Key } from "./key.entity";

@InputType()
export class KeyFilter extends ArchivedFilter {}

@InputType()
export class CreateKeyInput {
  @Field({ description: "1 to 64 characters: a letter, then letters, digits, '_', '.' or '-'. Unique ignoring case." })
  name!: string;

  @Field(() => ValueType)
  type!: ValueType;

  @Field(() => GraphQLJSON, { description: "Must be of `type`." })
  defaultValue!: unknown;

  @Field(() => String, { nullable: true, description: "At most 1,000 characters." })
  description?: string | null;
}

@InputType({ description: "Only the default value and the description of a key can change." })
export class UpdateKeyInput {
  @Field(() => ID)
  id!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: "Null keeps the current value." })
  defaultValue?: unknown;

  @Field(() => String, { nullable: true, description: "Null keeps it; an empty string clears it." })
  description?: string | null;
}

@ObjectType()
export class KeyPayload {
  @Field(() => Key, { nullable: true })
  key!: Key | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
