import { GraphQLJSON } from "graphql-scalars";
import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { JsonColumn } from "../db/columns";
import { Key } from "../keys/key.entity";

/**
 * A value an experience gives a key: a product config's values, a feature flag's one value, or a
 * variant's values (variantId set). Also the reference from experiences to keys.
 */
@ObjectType({ description: "A value an experience gives a key." })
@Entity("experience_value")
@Index("IDX_experience_value_key", ["keyId"])
@Index("IDX_experience_value_experience", ["experienceId"])
export class KeyValue {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "varchar", length: 36 })
  experienceId!: string;

  @Column({ type: "varchar", length: 36, nullable: true })
  variantId!: string | null;

  @Column({ type: "varchar", length: 36 })
  keyId!: string;

  @Field(() => Key, { description: "The key." })
  key?: Key;

  @Field(() => GraphQLJSON, { description: "Of the key's type." })
  @JsonColumn()
  value!: unknown;

  /** Order as given. */
  @Column({ type: "integer" })
  position!: number;
}
