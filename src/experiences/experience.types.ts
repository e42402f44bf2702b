import { GraphQLJSON } from "graphql-scalars";
import { Field, Float, Int, ObjectType } from "type-graphql";
import { Goal } from "../goals/goal.entity";
import type { Analysis } from "../results/analysis";
import { GuardrailAction } from "../results/analysis";
import { AnalysisSettings } from "../results/analysis.types";
import { connectionType } from "../graphql/connection";
import { ExperienceVersion } from "./experience-version.entity";
import { Describe } from "../graphql/descriptions";
import { UserError } from "../graphql/user-error.type";
import { Key } from "../keys/key.entity";
import { Experience } from "./experience.entity";
import { KeyValue } from "./key-value.entity";
import { TestUser } from "./test-user.entity";
import { Variant } from "./variant.entity";

/*
 * The three kinds of experience. Each is an Experience row; these classes only say which of its
 * columns (and which related objects, resolved in experience.resolver.ts) the kind exposes.
 */

@ObjectType({ implements: Experience, description: "Overrides key values for the users of a segment." })
export class ProductConfig extends Experience {
  @Field(() => [KeyValue], { description: "The keys it sets and their values." })
  values?: KeyValue[];

  @Field(() => Int, {
    description: "When a user is in several running product configs, the highest priority wins per key.",
  })
  declare priority: number;
}

@ObjectType({
  implements: Experience,
  description: "Serves one value of one key to a percentage of a segment.",
})
export class FeatureFlag extends Experience {
  @Field(() => Key, { description: "The key it serves." })
  key?: Key;

  @Field(() => GraphQLJSON, { description: "Of the key's type." })
  value?: unknown;

  @Field(() => Float, {
    description: "Percent of the segment's users who get the value; raising it keeps everyone already in.",
  })
  declare rolloutPercentage: number;
}

@ObjectType({
  implements: Experience,
  description: "Splits a segment's users between variants and measures the goals.",
})
export class ABTest extends Experience {
  @Field(() => Float, { description: "Percent of the segment's users that enter the test." })
  declare trafficPercentage: number;

  @Field(() => [Variant], { description: "The arms, in order; exactly one is the control." })
  variants?: Variant[];

  @Field(() => [Goal], { description: "What the test measures." })
  goals?: Goal[];

  @Field(() => Goal, { description: "The goal that decides the test." })
  primaryGoal?: Goal;

  @Field({ description: "Fixed at creation from Settings.mutuallyExclusiveABTests unless the input set it." })
  declare mutuallyExclusive: boolean;

  @Field(() => Date, { nullable: true, description: "The first start; resuming a paused test keeps it." })
  declare startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: "When it stopped; conversions after it do not count." })
  declare stoppedAt: Date | null;

  @Field(() => Int, {
    description: "Among tests that set a common key, a new user enters only the highest-priority one.",
  })
  declare priority: number;

  @Field(() => Boolean, {
    description: "true: a placed user keeps the variant even after leaving the segment.",
  })
  declare stickyTarget: boolean;

  @Field(() => String, {
    nullable: true,
    description: "When set, only users who performed this event after their assignment count in results.",
  })
  declare exposureEvent: string | null;

  @Field(() => [TestUser], { description: "QA users pinned to variants; they never count in results." })
  testUsers?: TestUser[];

  @Field(() => Variant, {
    nullable: true,
    description: "The variant declared the winner, if any; declaring changes nothing else.",
  })
  winner?: Variant | null;

  @Field(() => Variant, {
    nullable: true,
    description: "The variant rolled out when the test ended by rollOutVariant.",
  })
  rolledOutVariant?: Variant | null;

  @Field(() => ProductConfig, {
    nullable: true,
    description: "The product config that rollOutVariant created.",
  })
  rolledOutTo?: ProductConfig | null;

  @Field(() => AnalysisSettings, {
    description:
      "How results are analysed: confidence, always-valid intervals, CUPED, multiple-testing correction.",
  })
  declare analysis: Analysis;

  @Field(() => [Goal], {
    description: "Goals watched for harm while the test runs (besides its goals; at most 5).",
  })
  guardrailGoals?: Goal[];

  @Field(() => GuardrailAction, {
    description:
      "What a guardrail breach does: NOTIFY records it (audit, webhook), PAUSE also pauses the test.",
  })
  declare guardrailAction: GuardrailAction;
}

export const ExperienceConnection = connectionType("Experience", Experience);

export const ExperienceVersionConnection = connectionType("ExperienceVersion", ExperienceVersion);

@ObjectType({ description: "What a mutation of an experience answers." })
export class ExperiencePayload {
  @Field(() => Experience, {
    nullable: true,
    description: "The experience after the change; null when it was not done.",
  })
  experience!: Experience | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}
