import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, InputType } from "type-graphql";
import { VersionedUpdate } from "../graphql/versions";
import { ArchivedFilter } from "../setup/archived-filter";
import { ValueType } from "./key-rules";

@InputType({ description: "Which keys to list." })
export class KeyFilter extends ArchivedFilter {}

@InputType({ description: "A new key, as the app's code reads it." })
export class CreateKeyInput {
  @Field({
    description: "1 to 64 characters: a letter, then letters, digits, '_', '.' or '-'. Unique ignoring case.",
  })
  name!: string;

  @Field(() => ValueType, { description: "What its values are; it never changes." })
  type!: ValueType;

  @Field(() => GraphQLJSON, { description: "Must be of `type`." })
  defaultValue!: unknown;

  @Field(() => String, { nullable: true, description: "At most 1,000 characters." })
  description?: string | null;
}

@InputType({ description: "Only the default value and the description of a key can change." })
export class UpdateKeyInput extends VersionedUpdate {
  @Field(() => ID, { description: "The key to change." })
  id!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: "Null keeps the current value." })
  defaultValue?: unknown;

  @Field(() => String, { nullable: true, description: "Null keeps it; an empty string clears it." })
  description?: string | null;
}
