import { Field, ID, InterfaceType, Int, registerEnumType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
import { InstantColumn, JsonColumn } from "../db/columns";
import type { Analysis, GuardrailAction, StoredBreach } from "../results/analysis";
import { Describe } from "../graphql/descriptions";
import { Segment } from "../segments/segment.entity";
import { NamedRow } from "../setup/named-row";
import { ExperienceKind, ExperienceStatus } from "./experience-kind";

registerEnumType(ExperienceKind, {
  name: "ExperienceKind",
  description: "The three kinds of experience.",
  valuesConfig: {
    PRODUCT_CONFIG: { description: "Overrides key values for the users of a segment." },
    FEATURE_FLAG: { description: "Serves one value of one key to a percentage of a segment." },
    AB_TEST: { description: "Splits a segment's users between variants and measures goals." },
  },
});
registerEnumType(ExperienceStatus, {
  name: "ExperienceStatus",
  description:
    "DRAFT → RUNNING (start) ⇄ PAUSED (pause/start); RUNNING or PAUSED → STOPPED (stop), which is final.",
  valuesConfig: {
    DRAFT: { description: "Being set up: serves nothing; everything can still change." },
    RUNNING: { description: "Serves values and assigns users." },
    PAUSED: {
      description:
        "Lets nobody new in: a paused A/B test keeps serving the users already in it, a paused config or flag serves nothing; can start again.",
    },
    STOPPED: { description: "Over for good: serves nothing; results stop counting." },
  },
});

/** The GraphQL object type of each kind (experience.types.ts). */
export const TYPE_NAME_OF_KIND: Record<ExperienceKind, string> = {
  [ExperienceKind.PRODUCT_CONFIG]: "ProductConfig",
  [ExperienceKind.FEATURE_FLAG]: "FeatureFlag",
  [ExperienceKind.AB_TEST]: "ABTest",
};

/** The GraphQL object type of an experience row. */
export const experienceTypeName = (experience: Experience): string => TYPE_NAME_OF_KIND[experience.kind];

/**
 * A product config, feature flag or A/B test: one row whatever the kind, with the columns of every
 * kind (null where they do not apply). It is also the GraphQL `Experience` interface; ProductConfig,
 * FeatureFlag and ABTest expose their own columns. Key values, variants and goals live in the
 * reference tables (experience_value, variant, experience_goal), so "who uses this key / segment /
 * goal" is one indexed query.
 */
@InterfaceType("Experience", {
  resolveType: experienceTypeName,
  description: "What users get: a product config, a feature flag or an A/B test.",
})
@Entity("experience")
@Index("IDX_experience_name", ["projectId", "kind", "nameKey"], { unique: true })
@Index("IDX_experience_segment", ["segmentId"])
export class Experience extends NamedRow {
  @Field(() => ID, { description: Describe.id })
  declare id: string;

  @Field(() => ExperienceKind, {
    description: "Which kind this is: product config, feature flag or A/B test.",
  })
  @Column({ type: "varchar", length: 16 })
  kind!: ExperienceKind;

  @Field({ description: "Unique among the project's experiences of this kind, ignoring case." })
  declare name: string;

  @Field(() => String, { nullable: true, description: Describe.description })
  declare description: string | null;

  @Field(() => ExperienceStatus, {
    description: "Where it is in its life cycle; only RUNNING experiences serve values.",
  })
  @Column({ type: "varchar", length: 8 })
  status!: ExperienceStatus;

  @Field(() => Segment, { nullable: true, description: "Null: all users." })
  segment?: Segment | null;

  @Column({ type: "varchar", length: 36, nullable: true })
  segmentId!: string | null;

  /** Product configs: the highest wins per key when a user is in several. A/B tests: the highest gets a new user first among tests sharing a key. */
  @Column({ type: "integer", nullable: true })
  priority!: number | null;

  /** Feature flags. */
  @Column({ type: "double precision", nullable: true })
  rolloutPercentage!: number | null;

  /** A/B tests. */
  @Column({ type: "double precision", nullable: true })
  trafficPercentage!: number | null;

  /** A/B tests: fixed at creation. */
  @Column({ type: "boolean", nullable: true })
  mutuallyExclusive!: boolean | null;

  /** A/B tests. */
  @Column({ type: "varchar", length: 36, nullable: true })
  primaryGoalId!: string | null;

  /** A/B tests: true keeps a placed user in the variant after they leave the segment. */
  @Column({ type: "boolean", nullable: true })
  stickyTarget!: boolean | null;

  /** A/B tests: only users who performed this event after their assignment count in results. */
  @Column({ type: "varchar", length: 128, nullable: true })
  exposureEvent!: string | null;

  /** A/B tests: the variant declared the winner. */
  @Column({ type: "varchar", length: 36, nullable: true })
  winnerVariantId!: string | null;

  /** A/B tests ended by rollOutVariant: the variant rolled out, and the product config that serves it. */
  @Column({ type: "varchar", length: 36, nullable: true })
  rolledOutVariantId!: string | null;

  @Column({ type: "varchar", length: 36, nullable: true })
  rolledOutToId!: string | null;

  /** A/B tests: how results are read (RULES.md "Analysis"); a change changes the reading, never what was recorded. */
  @JsonColumn({ nullable: true })
  analysis!: Analysis | null;

  /** A/B tests: what a guardrail breach does. */
  @Column({ type: "varchar", length: 8, nullable: true })
  guardrailAction!: GuardrailAction | null;

  /** A/B tests: the first guardrail breach since the test last started; starting again clears it. */
  @JsonColumn({ nullable: true })
  guardrailBreach!: StoredBreach | null;

  /** A/B tests: whether the results rollups hold every assignment and event (false: the next read rebuilds them). */
  @Column({ type: "boolean", default: false })
  rollupsBuilt!: boolean;

  /** The first start; a resume keeps it. Experiences that ever ran freeze their goals' events. */
  @InstantColumn({ nullable: true })
  startedAt!: Date | null;

  @InstantColumn({ nullable: true })
  stoppedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: "A DRAFT or PAUSED experience starts by itself at this time.",
  })
  @Index("IDX_experience_scheduled_start")
  @InstantColumn({ nullable: true })
  scheduledStartAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "The experience stops by itself at this time." })
  @Index("IDX_experience_scheduled_stop")
  @InstantColumn({ nullable: true })
  scheduledStopAt!: Date | null;

  @Field({ description: Describe.createdAt })
  declare createdAt: Date;

  @Field({ description: Describe.updatedAt })
  declare updatedAt: Date;

  @Field(() => Int, { description: "1 at creation, +1 on every change." })
  declare version: number;

  @Field({ description: "Archived experiences are read-only and never serve." })
  get archived(): boolean {
    return this.archivedAt !== null;
  }
}
