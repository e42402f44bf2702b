import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import { ValueSource } from "./evaluate-user";

registerEnumType(ValueSource, {
  name: "ValueSource",
  description: "Where a key's value came from.",
  valuesConfig: {
    DEFAULT: { description: "The key's default value: no running experience set it for this user." },
    PRODUCT_CONFIG: { description: "A running product config whose segment the user is in." },
    FEATURE_FLAG: { description: "The key's running feature flag: the user is in its segment and rollout." },
    AB_TEST: { description: "The user's variant in a running A/B test." },
  },
});

@InputType({ description: "The user to evaluate." })
export class UserContextInput {
  @Field({ description: "The app's stable user identifier." })
  id!: string;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description:
      "Profile properties sent with the request; they override stored ones for this evaluation (null removes one).",
  })
  properties?: unknown;
}

@ObjectType({ description: "One key's value for the user, and where it came from." })
export class EvaluatedValue {
  @Field({ description: "The key's name." })
  key!: string;

  @Field(() => GraphQLJSON, { description: "The value, of the key's type." })
  value!: unknown;

  @Field(() => ValueSource, { description: "What decided the value." })
  source!: ValueSource;

  @Field(() => ID, {
    nullable: true,
    description: "The experience that set the value; null for the default.",
  })
  experienceId!: string | null;
}

@ObjectType({ description: "The user's variant in a running A/B test; it never changes." })
export class Assignment {
  @Field(() => ID, { description: "The A/B test." })
  abTestId!: string;

  @Field({ description: "The variant's name." })
  variant!: string;
}

@ObjectType({ description: "What a user gets now." })
export class Evaluation {
  @Field(() => [EvaluatedValue], { description: "Every active key, by name." })
  values!: EvaluatedValue[];

  @Field(() => [Assignment], { description: "The user's variants in running A/B tests." })
  assignments!: Assignment[];

  @Field(() => [ID], { description: "The active segments the user is in." })
  segmentIds!: string[];
}
