import { GraphQLJSON } from "graphql-scalars";
import { Arg, Authorized, Ctx, Field, ID, InputType, ObjectType, Query, registerEnumType, Resolver } from "type-graphql";
import { Can } from "../access/role";
import type { RequestContext } from "../graphql/context";
import { ValueSource } from "./evaluate-user";

registerEnumType(ValueSource, { name: "ValueSource", description: "Where a key's value came from." });

@InputType()
export class UserContextInput {
  @Field({ description: "The app's stable user identifier." })
  id!: string;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: "Profile properties sent with the request; they override stored ones for this evaluation (null removes one).",
  })
  properties?: unknown;
}

@ObjectType()
export class EvaluatedValue {
  @Field({ description: "The key's name." })
  key!: string;

  @Field(() => GraphQLJSON)
  value!: unknown;

  @Field(() => ValueSource)
  source!: ValueSource;

  @Field(() => ID, { nullable: true, description: "The experience that set the value; null for the default." })
  experienceId!: string | null;
}

@ObjectType("Assignment")
export class AssignmentView {
  @Field(() => ID)
  abTestId!: string;

  @Field({ description: "The variant's name." })
  variant!: string;
}

@ObjectType()
export class Evaluation {
  @Field(() => [EvaluatedValue], { description: "Every active key, by name." })
  values!: EvaluatedValue[];

  @Field(() => [AssignmentView], { description: "The user's variants in running A/B tests." })
  assignments!: AssignmentView[];

  @Field(() => [ID], { description: "The active segments the user is in." })
  segmentIds!: string[];
}

@Resolver()
export class EvaluationResolver {
  @Authorized(Can.evaluate)
  @Query(() => Evaluation, { description: "What a user gets now: every active key's value, and the user's A/B test variants." })
  evaluate(@Arg("user", () => UserContextInput) user: UserContextInput, @Ctx() { services, caller }: RequestContext): Promise<Evaluation> {
    return services.evaluation.evaluate(caller, user);
  }
}
