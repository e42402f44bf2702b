import { Field, ObjectType } from "type-graphql";
import { Entity, Index } from "typeorm";
import { JsonColumn } from "../db/columns";
import { SetupItemEntity } from "../setup/setup-item.entity";

@ObjectType({ description: "What counts as a conversion in an A/B test: performing any of its events." })
@Entity("goal")
@Index("IDX_goal_name", ["projectId", "nameKey"], { unique: true })
export class Goal extends SetupItemEntity {
  @Field(() => [String], { description: "Performing any of these events counts as a conversion." })
  @JsonColumn()
  events!: string[];
}

export function goalView(goal: Goal): object {
  const { id, name, description, events, archivedAt, createdAt, updatedAt } = goal;
  return { id, name, description, events, archived: archivedAt !== null, archivedAt, createdAt, updatedAt };
}
