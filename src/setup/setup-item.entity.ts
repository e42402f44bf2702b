import { Field, ID, Int, ObjectType } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { NamedRow } from "./named-row";

/**
 * The fields keys, segments and goals show, over the columns of NamedRow. Not an entity or a
 * schema type itself: Key, Segment and Goal inherit it, each with its own table and its own fields.
 */
@ObjectType()
export abstract class SetupItemEntity extends NamedRow {
  @Field(() => ID, { description: Describe.id })
  declare id: string;

  @Field({ description: "Unique among the project's objects of this kind, ignoring case." })
  declare name: string;

  @Field(() => String, { nullable: true, description: Describe.description })
  declare description: string | null;

  @Field(() => Date, { nullable: true, description: Describe.archivedAt })
  declare archivedAt: Date | null;

  @Field({ description: Describe.createdAt })
  declare createdAt: Date;

  @Field({ description: Describe.updatedAt })
  declare updatedAt: Date;

  @Field(() => Int, { description: Describe.version })
  declare version: number;

  @Field({ description: "Archived objects are read-only and cannot be used by new or changed experiences." })
  get archived(): boolean {
    return this.archivedAt !== null;
  }
}
