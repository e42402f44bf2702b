import { Field, InputType } from "type-graphql";

/**
 * The filter every setup list shares: which archive state, and a search over name and description.
 * KeyFilter, SegmentFilter and GoalFilter inherit its fields; it is not reachable in the schema itself.
 */
@InputType()
export class ArchivedFilter {
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "false: active only (the default); true: archived only; null: both.",
  })
  archived?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: "Case-insensitive substring of the name or description.",
  })
  search?: string | null;
}
