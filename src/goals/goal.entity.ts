import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
import { JsonColumn } from "../db/columns";
import { SetupItemEntity } from "../setup/setup-item.entity";
import type { PropertyCondition as DomainPropertyCondition } from "../segments/segment-rule";
import { PropertyCondition } from "../segments/segment-rule.types";

@ObjectType({ description: "What counts as a conversion in an A/B test: performing any of its events." })
@Entity("goal")
@Index("IDX_goal_name", ["projectId", "nameKey"], { unique: true })
export class Goal extends SetupItemEntity {
  @Field(() => [String], { description: "Performing any of these events counts as a conversion." })
  @JsonColumn()
  events!: string[];

  @Field(() => [PropertyCondition], {
    description: "Filters on the event's properties (at most 3); an event counts only when all hold.",
  })
  @JsonColumn({ name: "filters", default: "[]" })
  where!: DomainPropertyCondition[];

  @Field(() => String, {
    nullable: true,
    description: "A numeric event property (e.g. amount) whose per-user total results compare, e.g. revenue.",
  })
  @Column({ type: "varchar", length: 128, nullable: true })
  valueProperty!: string | null;

  @Field({
    description:
      "false when a rise is bad (crashes, refunds, uninstalls): results and guardrails read its direction.",
  })
  @Column({ type: "boolean", default: true })
  higherIsBetter!: boolean;
}

export function goalView(goal: Goal): object {
  const {
    id,
    name,
    description,
    events,
    where,
    valueProperty,
    higherIsBetter,
    archivedAt,
    createdAt,
    updatedAt,
    version,
  } = goal;
  return {
    id,
    name,
    description,
    events,
    where,
    valueProperty,
    higherIsBetter,
    archived: archivedAt !== null,
    archivedAt,
    createdAt,
    updatedAt,
    version,
  };
}
