import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn, JsonColumn } from "../db/columns";
import { Describe } from "../graphql/descriptions";

@ObjectType({
  description: "An address told of every change of the chosen types, signed as Standard Webhooks says.",
})
@Entity("webhook")
export class Webhook {
  @Field(() => ID, { description: Describe.id })
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Index("IDX_webhook_project")
  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Field({ description: "Where deliveries are POSTed: http or https." })
  @Column({ type: "varchar", length: 2048 })
  url!: string;

  @Field(() => String, { nullable: true, description: Describe.description })
  @Column({ type: "text", nullable: true })
  description!: string | null;

  @Field(() => [String], {
    description:
      "Event types (RULES.md 'Webhooks'), e.g. experience.started; '*' for all, 'experience.*' for a family.",
  })
  @JsonColumn()
  events!: string[];

  @Field({
    description: "Inactive: no new deliveries are made, and pending ones wait until it is active again.",
  })
  @Column({ type: "boolean" })
  active!: boolean;

  /**
   * The `whsec_` secret every request is signed with. Kept as it is (HMAC needs the secret, not a
   * hash of it), never shown after creation and never logged: docs/SECURITY.md.
   */
  @Column({ type: "varchar", length: 64 })
  signingSecret!: string;

  @Field({ description: Describe.createdAt })
  @InstantColumn()
  createdAt!: Date;

  @Field({ description: Describe.updatedAt })
  @InstantColumn()
  updatedAt!: Date;
}
