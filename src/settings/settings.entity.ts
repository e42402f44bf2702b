import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { InstantColumn, JsonColumn } from "../db/columns";
import { Describe } from "../graphql/descriptions";
import type { Analysis } from "../results/analysis";
import { AnalysisSettings } from "../results/analysis.types";

@ObjectType({ description: "Project-wide settings of product experiences; one per project." })
@Entity("settings")
export class Settings {
  @PrimaryColumn({ type: "varchar", length: 36 })
  projectId!: string;

  @Field({
    description:
      "New A/B tests default to mutually exclusive while this is on; tests created earlier keep their own flag.",
  })
  @Column({ name: "mutually_exclusive_ab_tests", type: "boolean" })
  mutuallyExclusiveABTests!: boolean;

  @Field({ description: Describe.updatedAt })
  @InstantColumn()
  updatedAt!: Date;

  @Field(() => Int, { description: Describe.version })
  @Column({ type: "integer", default: 1 })
  version!: number;

  /** Written with every project (and by the migration for older ones); nullable only in the schema. */
  @Field(() => AnalysisSettings, {
    description: "What A/B tests created afterwards analyse with, unless their input says otherwise.",
  })
  @JsonColumn({ nullable: true })
  defaultAnalysis!: Analysis;
}

export function settingsView(settings: Settings): object {
  const { mutuallyExclusiveABTests, defaultAnalysis, updatedAt, version } = settings;
  return { mutuallyExclusiveABTests, defaultAnalysis, updatedAt, version };
}
