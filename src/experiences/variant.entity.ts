import { Field, Float, ID, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { KeyValue } from "./key-value.entity";
import { Describe } from "../graphql/descriptions";

@ObjectType({ description: "One arm of an A/B test: the key values its users get." })
@Entity("variant")
@Index("IDX_variant_experience", ["experienceId"])
export class Variant {
  @Field(() => ID, { description: Describe.id })
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "varchar", length: 36 })
  experienceId!: string;

  @Field({ description: "Unique within the test; it is what evaluate reports as the user's variant." })
  @Column({ type: "varchar", length: 200 })
  name!: string;

  @Field(() => Float, {
    description: "Share of the test's users, in percent; the variants' weights sum to 100.",
  })
  @Column({ type: "double precision" })
  weight!: number;

  @Field({ description: "Whether this is the control the others are compared with." })
  @Column({ type: "boolean" })
  isControl!: boolean;

  @Field(() => [KeyValue], {
    description:
      "Keys this variant sets; a key it does not set falls through to flags, configs and the default.",
  })
  values?: KeyValue[];

  @Column({ type: "integer" })
  position!: number;
}
