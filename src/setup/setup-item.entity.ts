import { Field, ID, ObjectType } from "type-graphql";
import { Column, PrimaryColumn } from "typeorm";
import { InstantColumn } from "../db/columns";
import { Describe } from "../graphql/descriptions";
import type { SetupItem } from "./setup-items";

/**
 * The columns and fields keys, segments and goals share. Not an entity or a schema type itself:
 * Key, Segment and Goal inherit it, each with its own table and its own fields.
 */
@ObjectType()
export abstract class SetupItemEntity implements SetupItem {
  @Field(() => ID, { description: Describe.id })
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Field({ description: "Unique among the project's objects of this kind, ignoring case." })
  @Column({ type: "varchar", length: 200 })
  name!: string;

  /** The trimmed, lower-cased name: what uniqueness compares. */
  /** Lower-casing can double a name's length ("İ" → "i̇"): room for the worst case (shared/names.ts). */
  @Column({ type: "varchar", length: 400 })
  nameKey!: string;

  /** Name and description, lower-cased, for the `search` filter. */
  @Column({ type: "text" })
  searchText!: string;

  @Field(() => String, { nullable: true, description: Describe.description })
  @Column({ type: "text", nullable: true })
  description!: string | null;

  @Field(() => Date, { nullable: true, description: Describe.archivedAt })
  @InstantColumn({ nullable: true })
  archivedAt!: Date | null;

  @Field({ description: Describe.createdAt })
  @InstantColumn()
  createdAt!: Date;

  @Field({ description: Describe.updatedAt })
  @InstantColumn()
  updatedAt!: Date;

  @Field({ description: "Archived objects are read-only and cannot be used by new or changed experiences." })
  get archived(): boolean {
    return this.archivedAt !== null;
  }
}
