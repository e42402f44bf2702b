import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Variant } from "./variant.entity";

/**
 * A QA user pinned to a variant of a test (setTestUsers): served that variant whatever the test's
 * status (but STOPPED), segment, traffic, exclusivity and priority say; never assigned, never counted.
 */
@ObjectType({ description: "A QA user pinned to a variant; never counted in results." })
@Entity("test_user")
export class TestUser {
  @PrimaryColumn({ type: "varchar", length: 36 })
  experienceId!: string;

  @Field({ description: "The app's user id." })
  @PrimaryColumn({ type: "varchar", length: 256 })
  userId!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "varchar", length: 36 })
  variantId!: string;

  @Field(() => Variant, { description: "The variant the user gets." })
  variant?: Variant;
}
