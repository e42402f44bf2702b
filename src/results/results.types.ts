import { Field, Float, Int, ObjectType } from "type-graphql";
import { Variant } from "../experiences/variant.entity";
import { Goal } from "../goals/goal.entity";

@ObjectType({ description: "How one variant does on one goal." })
export class GoalResult {
  @Field(() => Goal, { description: "The goal." })
  goal!: Goal;

  @Field(() => Int, {
    description:
      "Assigned users who performed one of the goal's events after their assignment and before the test stopped.",
  })
  conversions!: number;

  @Field(() => Float, { description: "conversions / users; 0 without users." })
  conversionRate!: number;

  @Field(() => Float, {
    nullable: true,
    description: "Relative change of the conversion rate against the control variant; null for the control.",
  })
  uplift!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Two-sided p-value (pooled two-proportion z-test) of the difference from the control; null for the control or too little data.",
  })
  pValue!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "P(this variant's rate > the control's) under Beta(1 + conversions, 1 + non-conversions) posteriors; null for the control.",
  })
  chanceToBeatControl!: number | null;
}

@ObjectType({ description: "How one variant does." })
export class VariantResult {
  @Field(() => Variant, { description: "The variant." })
  variant!: Variant;

  @Field(() => Int, { description: "Users assigned to the variant." })
  users!: number;

  @Field(() => [GoalResult], { description: "One per goal of the test, in the test's order." })
  goals!: GoalResult[];
}

@ObjectType({ description: "An A/B test's results so far (final once it stops)." })
export class ABTestResults {
  @Field(() => [VariantResult], { description: "One per variant, in the test's order." })
  variants!: VariantResult[];

  @Field(() => Float, {
    nullable: true,
    description:
      "p-value of a chi-square test of the observed split against the weights; low values flag a broken split. Null while a variant has no users.",
  })
  sampleRatioMismatchPValue!: number | null;
}
