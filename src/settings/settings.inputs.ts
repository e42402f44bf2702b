import { Field, InputType } from "type-graphql";
import { VersionedUpdate } from "../graphql/versions";
import { AnalysisSettingsInput } from "../results/analysis.types";

@InputType({ description: "Fields left null keep their value." })
export class UpdateSettingsInput extends VersionedUpdate {
  @Field(() => Boolean, { nullable: true, description: "Applies to A/B tests created from now on." })
  mutuallyExclusiveABTests?: boolean | null;

  @Field(() => AnalysisSettingsInput, { nullable: true, description: "Only the fields given change." })
  defaultAnalysis?: AnalysisSettingsInput | null;
}
