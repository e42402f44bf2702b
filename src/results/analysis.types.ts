import { Field, Float, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { Variant } from "../experiences/variant.entity";
import { Goal } from "../goals/goal.entity";
import { Correction, GuardrailAction } from "./analysis";

registerEnumType(Correction, {
  name: "MultipleTestingCorrection",
  description: "How p-values are corrected across every (variant, goal) comparison of a test.",
  valuesConfig: {
    NONE: { description: "No correction: adjustedPValue equals the measure's p-value." },
    HOLM: { description: "Holm's step-down: controls the chance of any false winner (family-wise error)." },
    BENJAMINI_HOCHBERG: {
      description:
        "Benjamini–Hochberg's step-up: controls the share of false winners (false discovery rate).",
    },
  },
});

registerEnumType(GuardrailAction, {
  name: "GuardrailAction",
  description: "What a guardrail breach does.",
  valuesConfig: {
    NOTIFY: { description: "Records it: guardrailBreach, an audit event, the webhook event." },
    PAUSE: {
      description:
        "Records it and pauses the test in the same transaction (placed users keep their variants).",
    },
  },
});

@ObjectType({
  description:
    "How results are analysed: confidence, always-valid intervals, CUPED, multiple-testing correction.",
})
export class AnalysisSettings {
  @Field(() => Float, { description: "Of every interval and significance call, e.g. 0.95." })
  confidenceLevel!: number;

  @Field({
    description: "Always-valid intervals that may be watched every day without inflating false positives.",
  })
  sequential!: boolean;

  @Field(() => Int, {
    description: "The sample size (users in the test) the always-valid interval is tightest at.",
  })
  sequentialTuning!: number;

  @Field({ description: "Variance reduction by each user's same measure before the test (CUPED)." })
  cuped!: boolean;

  @Field(() => Int, { description: "Days before a user's assignment that make their pre-test measure." })
  cupedPreDays!: number;

  @Field(() => Correction, {
    description: "Applied to pValue across every (variant, goal) comparison of the test: adjustedPValue.",
  })
  correction!: Correction;
}

@InputType({ description: "Fields left null keep their value (or take the project's default, on creation)." })
export class AnalysisSettingsInput {
  @Field(() => Float, { nullable: true, description: "0.8 to 0.999." })
  confidenceLevel?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Always-valid intervals on or off." })
  sequential?: boolean | null;

  @Field(() => Int, { nullable: true, description: "100 to 10,000,000." })
  sequentialTuning?: number | null;

  @Field(() => Boolean, { nullable: true, description: "CUPED on or off." })
  cuped?: boolean | null;

  @Field(() => Int, { nullable: true, description: "1 to 60." })
  cupedPreDays?: number | null;

  @Field(() => Correction, { nullable: true, description: "The multiple-testing correction." })
  correction?: Correction | null;
}

@ObjectType({ description: "An interval of the difference variant − control." })
export class Interval {
  @Field(() => Float, { description: "Its lower end." })
  low!: number;

  @Field(() => Float, { description: "Its upper end." })
  high!: number;
}

@ObjectType({ description: "A guardrail goal that a variant harmed, as the always-valid interval showed." })
export class GuardrailBreach {
  @Field(() => Goal, { description: "The guardrail goal." })
  goal!: Goal;

  @Field(() => Variant, { description: "The variant that harmed it." })
  variant!: Variant;

  @Field({ description: "When the breach was found." })
  at!: Date;

  @Field(() => Interval, {
    description: "The always-valid interval of the difference (variant − control) that showed the harm.",
  })
  interval!: Interval;
}
