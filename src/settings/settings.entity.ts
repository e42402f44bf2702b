import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { InstantColumn } from "../db/columns";
import { Describe } from "../graphql/descriptions";

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
}

export function settingsView(settings: Settings): object {
  const { mutuallyExclusiveABTests, updatedAt, version } = settings;
  return { mutuallyExclusiveABTests, updatedAt, version };
}
