import { GraphQLJSON } from "graphql-scalars";
import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
import { JsonColumn } from "../db/columns";
import { SetupItemEntity } from "../setup/setup-item.entity";
import { ValueType } from "./key-rules";

registerEnumType(ValueType, {
  name: "ValueType",
  description: "What a key's values are; never changes after creation.",
  valuesConfig: {
    STRING: { description: "Text of at most 10,000 characters." },
    NUMBER: { description: "A finite number." },
    BOOLEAN: { description: "true or false." },
    JSON: {
      description: "Any JSON value (object, list, string, number, boolean) of at most 64 KiB serialized.",
    },
  },
});

@ObjectType({
  description: "A setting of the app, by the name its code reads it with; experiences override its value.",
})
@Entity("key")
@Index("IDX_key_name", ["projectId", "nameKey"], { unique: true })
export class Key extends SetupItemEntity {
  @Field({ description: "Matches the key name in the app's code; never changes after creation." })
  declare name: string;

  @Field(() => ValueType, { description: "What its values are; never changes after creation." })
  @Column({ type: "varchar", length: 8 })
  type!: ValueType;

  @Field(() => GraphQLJSON, {
    description: "The value the app uses when no experience overrides it; always of the key's type.",
  })
  @JsonColumn()
  defaultValue!: unknown;
}

/** The key as the API shows it, for the audit log. */
export function keyView(key: Key): object {
  const { id, name, description, type, defaultValue, archivedAt, createdAt, updatedAt, version } = key;
  return {
    id,
    name,
    description,
    type,
    defaultValue,
    archived: archivedAt !== null,
    archivedAt,
    createdAt,
    updatedAt,
    version,
  };
}
