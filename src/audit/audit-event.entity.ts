import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn, JsonColumn } from "../db/columns";
import { Describe } from "../graphql/descriptions";

@ObjectType({
  description: "One change made through the API: who, what, when, and the object before and after.",
})
@Entity("audit_event")
@Index("IDX_audit_event_entity", ["projectId", "entityId"])
export class AuditEvent {
  @Field(() => ID, { description: Describe.id })
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Index("IDX_audit_event_project")
  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Field({ description: "When the change was committed." })
  @InstantColumn()
  at!: Date;

  @Field({ description: "Name of the API token that made the change." })
  @Column({ type: "varchar", length: 200 })
  actor!: string;

  @Field({ description: "The mutation, e.g. createKey, archiveSegment." })
  @Column({ type: "varchar", length: 64 })
  action!: string;

  @Field({ description: "Key, Segment, Goal, Settings, Experience, ApiToken, Project or Webhook." })
  @Column({ type: "varchar", length: 32 })
  entityType!: string;

  @Field(() => ID, { description: "The changed object's id." })
  @Column({ type: "varchar", length: 36 })
  entityId!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: "Null for a creation." })
  @JsonColumn({ nullable: true })
  before!: object | null;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: "The object after the change, as the API shows it.",
  })
  @JsonColumn({ nullable: true })
  after!: object | null;

  @Field(() => String, {
    nullable: true,
    description: "Why, when the server itself decided the change: e.g. why a scheduled start was dropped.",
  })
  @Column({ type: "text", nullable: true })
  note!: string | null;
}
