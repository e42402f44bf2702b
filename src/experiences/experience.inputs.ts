import { GraphQLJSON } from "graphql-scalars";
import { Field, Float, ID, InputType, Int } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { VersionedUpdate } from "../graphql/versions";
import { ExperienceKind, ExperienceStatus } from "./experience-kind";
import { GuardrailAction } from "../results/analysis";
import { AnalysisSettingsInput } from "../results/analysis.types";

@InputType({ description: "Which experiences to list." })
export class ExperienceFilter {
  @Field(() => ExperienceKind, { nullable: true, description: "Only this kind; null: every kind." })
  kind?: ExperienceKind | null;

  @Field(() => ExperienceStatus, { nullable: true, description: "Only this status; null: every status." })
  status?: ExperienceStatus | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "false: unarchived only (the default); true: archived only; null: both.",
  })
  archived?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: "Case-insensitive substring of the name or description.",
  })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: "true: stale feature flags only." })
  stale?: boolean | null;
}

@InputType({ description: "A value for a key." })
export class KeyValueInput {
  @Field(() => ID, { description: "The key, active and of this project." })
  keyId!: string;

  @Field(() => GraphQLJSON, { description: "Of the key's type." })
  value!: unknown;
}

/** What creating any kind of experience takes; the kinds' inputs inherit it. */
@InputType()
export class CreateExperienceFields {
  @Field({ description: "Unique among the project's experiences of this kind, ignoring case." })
  name!: string;

  @Field(() => String, { nullable: true, description: Describe.description })
  description?: string | null;

  @Field(() => ID, { nullable: true, description: "Null: all users." })
  segmentId?: string | null;
}

/** What updating any kind of experience takes, at any status until archived. */
@InputType()
export class UpdateExperienceFields extends VersionedUpdate {
  @Field(() => ID, { description: "The experience to change." })
  id!: string;

  @Field(() => String, {
    nullable: true,
    description: "A new name, unique among experiences of this kind ignoring case.",
  })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "An empty string clears it." })
  description?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "Null keeps the segment; an empty string targets all users.",
  })
  segmentId?: string | null;
}

@InputType({ description: "A new product config; it starts as a DRAFT." })
export class CreateProductConfigInput extends CreateExperienceFields {
  @Field(() => [KeyValueInput], { description: "At least one key, each at most once." })
  values!: KeyValueInput[];

  @Field(() => Int, {
    nullable: true,
    defaultValue: 0,
    description: "When a user is in several running configs, the highest wins per key.",
  })
  priority?: number | null;
}

@InputType({ description: "A new feature flag; it starts as a DRAFT." })
export class CreateFeatureFlagInput extends CreateExperienceFields {
  @Field(() => ID, { description: "The key the flag serves; a key has at most one running or paused flag." })
  keyId!: string;

  @Field(() => GraphQLJSON, { description: "Of the key's type." })
  value!: unknown;

  @Field(() => Float, { nullable: true, defaultValue: 100, description: "0 to 100." })
  rolloutPercentage?: number | null;
}

@InputType({ description: "One arm of an A/B test." })
export class VariantInput {
  @Field({ description: "Unique within the test, ignoring case." })
  name!: string;

  @Field(() => Float, { description: "More than 0; the weights of a test's variants sum to 100." })
  weight!: number;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "Exactly one variant is the control.",
  })
  isControl?: boolean | null;

  @Field(() => [KeyValueInput], {
    defaultValue: [],
    description: "The keys this variant sets; others fall through to flags, configs and defaults.",
  })
  values!: KeyValueInput[];
}

@InputType({ description: "A new A/B test; it starts as a DRAFT." })
export class CreateABTestInput extends CreateExperienceFields {
  @Field(() => Float, { nullable: true, defaultValue: 100, description: "More than 0, at most 100." })
  trafficPercentage?: number | null;

  @Field(() => [VariantInput], { description: "2 to 10." })
  variants!: VariantInput[];

  @Field(() => [ID], { description: "1 to 10 distinct goals." })
  goalIds!: string[];

  @Field(() => ID, { description: "One of goalIds: the goal that decides the test." })
  primaryGoalId!: string;

  @Field(() => Boolean, {
    nullable: true,
    description: "Null: take Settings.mutuallyExclusiveABTests as it is now.",
  })
  mutuallyExclusive?: boolean | null;

  @Field(() => Int, {
    nullable: true,
    defaultValue: 0,
    description: "Among tests that set a common key, a new user enters only the highest-priority one.",
  })
  priority?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: true,
    description:
      "true: a placed user keeps the variant after leaving the segment; false: served only while in it.",
  })
  stickyTarget?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: "Only users who performed this event after their assignment count in results.",
  })
  exposureEvent?: string | null;

  @Field(() => AnalysisSettingsInput, {
    nullable: true,
    description: "Fields left null take Settings.defaultAnalysis.",
  })
  analysis?: AnalysisSettingsInput | null;

  @Field(() => [ID], {
    nullable: true,
    description: "Goals watched for harm while the test runs; at most 5.",
  })
  guardrailGoalIds?: string[] | null;

  @Field(() => GuardrailAction, {
    nullable: true,
    defaultValue: GuardrailAction.NOTIFY,
    description: "What a breach does: NOTIFY records it, PAUSE also pauses the test.",
  })
  guardrailAction?: GuardrailAction | null;
}

@InputType({ description: "A QA user pinned to a variant of the test." })
export class TestUserInput {
  @Field({ description: "The app's user id, 1 to 256 characters." })
  userId!: string;

  @Field(() => ID, { description: "A variant of the test." })
  variantId!: string;
}

@InputType({
  description:
    "Fields left null keep their value. Key references and values change only while the experience is a DRAFT.",
})
export class UpdateProductConfigInput extends UpdateExperienceFields {
  @Field(() => [KeyValueInput], { nullable: true, description: "DRAFT only; replaces all values." })
  values?: KeyValueInput[] | null;

  @Field(() => Int, { nullable: true, description: "A new priority (any status until archived)." })
  priority?: number | null;
}

@InputType({ description: "Fields left null keep their value. The key never changes." })
export class UpdateFeatureFlagInput extends UpdateExperienceFields {
  @Field(() => GraphQLJSON, { nullable: true, description: "May change while RUNNING or PAUSED." })
  value?: unknown;

  @Field(() => Float, {
    nullable: true,
    description: "May change while RUNNING: that is how a rollout widens.",
  })
  rolloutPercentage?: number | null;
}

@InputType({
  description:
    "Fields left null keep their value. Segment, variants and their values change only while the test is a DRAFT; traffic only upward once it started; the rest until it stops.",
})
export class UpdateABTestInput extends UpdateExperienceFields {
  @Field(() => Float, {
    nullable: true,
    description: "More than 0, at most 100; once started only upward (it lets new users in).",
  })
  trafficPercentage?: number | null;

  @Field(() => [VariantInput], {
    nullable: true,
    description: "DRAFT only; replaces all variants (a variant whose name stays keeps its id).",
  })
  variants?: VariantInput[] | null;

  @Field(() => [ID], { nullable: true, description: "Until the test stops; replaces all goals." })
  goalIds?: string[] | null;

  @Field(() => ID, { nullable: true, description: "Until the test stops; must be one of the test's goals." })
  primaryGoalId?: string | null;

  @Field(() => Int, { nullable: true, description: "Until the test stops; applies to new users only." })
  priority?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Until the test stops." })
  stickyTarget?: boolean | null;

  @Field(() => String, { nullable: true, description: "An empty string clears it." })
  exposureEvent?: string | null;

  @Field(() => AnalysisSettingsInput, {
    nullable: true,
    description: "Only the fields given change; may change while the test runs (results are read afresh).",
  })
  analysis?: AnalysisSettingsInput | null;

  @Field(() => [ID], { nullable: true, description: "Until the test stops; replaces all guardrail goals." })
  guardrailGoalIds?: string[] | null;

  @Field(() => GuardrailAction, { nullable: true, description: "Until the test stops." })
  guardrailAction?: GuardrailAction | null;
}
