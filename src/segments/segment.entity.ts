import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
import { JsonColumn } from "../db/columns";
import { SetupItemEntity } from "../setup/setup-item.entity";
import type { Rule } from "./segment-rule";
import { SegmentRule } from "./segment-rule.types";

@ObjectType({
  description: "The users an experience targets: a rule over their properties and the events they performed.",
})
@Entity("segment")
@Index("IDX_segment_name", ["projectId", "nameKey"], { unique: true })
export class Segment extends SetupItemEntity {
  @Field(() => SegmentRule, { description: "Who is in the segment." })
  @JsonColumn()
  rule!: Rule;

  @Column({ type: "varchar", length: 36, nullable: true })
  clonedFromId!: string | null;
}

export function segmentView(segment: Segment): object {
  const { id, name, description, rule, clonedFromId, archivedAt, createdAt, updatedAt, version } = segment;
  return {
    id,
    name,
    description,
    rule,
    clonedFromId,
    archived: archivedAt !== null,
    archivedAt,
    createdAt,
    updatedAt,
    version,
  };
}
