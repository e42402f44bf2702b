import { GraphQLJSON } from "graphql-scalars";
import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn, JsonColumn } from "../db/columns";
import { ExperienceStatus } from "./experience-kind";

/**
 * One version of an experience: who changed it, how, and the whole experience as it was after the
 * change. Written in the change's own transaction; never changed afterwards.
 */
@ObjectType({
  description: "One version of an experience: who changed what, and the whole experience as it was.",
})
@Entity("experience_version")
@Index("IDX_experience_version_number", ["experienceId", "version"], { unique: true })
export class ExperienceVersion {
  /** UUIDv7: the history pages by it, newest first. */
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "varchar", length: 36 })
  experienceId!: string;

  @Field(() => Int, { description: "1 at creation, +1 on every change." })
  @Column({ type: "integer" })
  version!: number;

  @Field({ description: "When the change was committed." })
  @InstantColumn()
  at!: Date;

  @Field({ description: "The token name, or scheduler." })
  @Column({ type: "varchar", length: 200 })
  actor!: string;

  @Field({ description: "e.g. create, update, start, pause, stop, schedule, revert, rollOut." })
  @Column({ type: "varchar", length: 64 })
  action!: string;

  @Field(() => ExperienceStatus, { description: "The status after the change." })
  @Column({ type: "varchar", length: 8 })
  status!: ExperienceStatus;

  @Field(() => GraphQLJSON, { description: "The whole experience as it was at this version." })
  @JsonColumn()
  snapshot!: Record<string, unknown>;

  @Field(() => [String], { description: "Names of the fields this version changed." })
  @JsonColumn()
  changedFields!: string[];
}
