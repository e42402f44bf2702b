import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn } from "../db/columns";
import { Describe } from "../graphql/descriptions";

@ObjectType({
  description: "A workspace: every key, segment, goal, experience and token belongs to exactly one.",
})
@Entity("project")
export class Project {
  @Field(() => ID, { description: Describe.id })
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Field({ description: "Its name, for people." })
  @Column({ type: "varchar", length: 200 })
  name!: string;

  /** Bumped by every setup change; cached rulesets compare it to know they are stale. */
  @Column({ type: "integer", default: 0 })
  configVersion!: number;

  @InstantColumn()
  createdAt!: Date;

  /** The project whose ADMIN made this one with createProject; null for a bootstrapped project. */
  @Index("project_created_by")
  @Column({ type: "varchar", length: 36, nullable: true })
  createdByProjectId!: string | null;
}
