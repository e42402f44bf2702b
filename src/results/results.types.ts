import { Field, Float, Int, ObjectType } from "type-graphql";
import { Variant } from "../experiences/variant.entity";
import { Goal } from "../goals/goal.entity";
import { Interval } from "./analysis.types";

@ObjectType({ description: "How one variant does on one goal." })
export class GoalResult {
  @Field(() => Goal, { description: "The goal." })
  goal!: Goal;

  @Field(() => Int, {
    description:
      "Counted users who performed one of the goal's events (passing its filters) after their assignment or exposure and before the test stopped.",
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

  @Field(() => Int, { description: "Every counted goal event, not only the first per user." })
  occurrences!: number;

  @Field(() => Float, {
    nullable: true,
    description: "With the goal's valueProperty: the sum over counted users.",
  })
  valueTotal!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "With the goal's valueProperty: the mean per counted user (users without the event count as 0); null without users.",
  })
  valuePerUser!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "Relative change of valuePerUser against the control; null for the control.",
  })
  valueUplift!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "Welch's two-sided t-test of valuePerUser against the control; null for the control.",
  })
  valuePValue!: number | null;

  @Field(() => Float, {
    description:
      "The goal's measure per counted user: valuePerUser with a valueProperty, else conversionRate.",
  })
  mean!: number;

  @Field(() => Interval, {
    nullable: true,
    description:
      "Fixed-horizon interval of mean(variant) − mean(control) at analysis.confidenceLevel; null for the control.",
  })
  differenceInterval!: Interval | null;

  @Field(() => Interval, {
    nullable: true,
    description:
      "Always-valid interval of the same difference; null for the control or when analysis.sequential is off.",
  })
  sequentialInterval!: Interval | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "The measure's own p-value (valuePValue with a valueProperty, else pValue) after analysis.correction; null for the control.",
  })
  adjustedPValue!: number | null;

  @Field(() => Interval, {
    nullable: true,
    description:
      "With analysis.cuped: the interval of the CUPED-adjusted difference; null for the control or when off.",
  })
  cupedDifferenceInterval!: Interval | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "With analysis.cuped: the two-sided p-value of the CUPED-adjusted difference; null for the control or when off.",
  })
  cupedPValue!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "With analysis.cuped: 1 − variance(adjusted) / variance(unadjusted), pooled over the test's users; null when off.",
  })
  varianceReduction!: number | null;
}

@ObjectType({ description: "How one variant does." })
export class VariantResult {
  @Field(() => Variant, { description: "The variant." })
  variant!: Variant;

  @Field(() => Int, {
    description:
      "Users assigned to the variant (with an exposure event: exposed after it); QA test users never count.",
  })
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

  /** The day-by-day figures `daily` cumulates (ResultsResolver computes them only when asked). */
  series!: DailySeries;
}

/** What `daily` is computed from: the rollups' sums per variant and day, and the days to show. */
export interface DailySeries {
  days: number[];
  figures: (throughDay: number) => VariantResult[];
}

@ObjectType({ description: "The results as they stood at the end of one UTC day." })
export class DailyResult {
  @Field({ description: "The UTC day, YYYY-MM-DD." })
  date!: string;

  @Field(() => [VariantResult], { description: "Cumulated from the first day to the end of this one." })
  variants!: VariantResult[];
}
