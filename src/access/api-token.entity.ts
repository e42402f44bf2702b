import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn } from "../db/columns";
import { Role } from "./role";
import { Describe } from "../graphql/descriptions";

registerEnumType(Role, {
  name: "Role",
  description:
    "ADMIN: everything in its project, tokens included. EDITOR: create, change and archive setup and experiences. " +
    "VIEWER: read only. SDK: evaluate, trackEvents and identify only.",
  valuesConfig: {
    ADMIN: { description: "Everything in its project, including tokens and new projects." },
    EDITOR: { description: "Read, and create, change, start, stop and archive setup and experiences." },
    VIEWER: { description: "Read only: a dashboard that shows but does not change." },
    SDK: { description: "For apps: evaluate, trackEvents and identify." },
  },
});

@ObjectType({ description: "A bearer token of the project. Its secret is shown once, on creation." })
@Entity("api_token")
export class ApiToken {
  @Field(() => ID, { description: Describe.id })
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Index("IDX_api_token_project")
  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Field({ description: "Shown as the actor of the audit events this token causes." })
  @Column({ type: "varchar", length: 200 })
  name!: string;

  @Field(() => Role, { description: "What it may do." })
  @Column({ type: "varchar", length: 16 })
  role!: Role;

  /** SHA-256 of the secret, hex; the secret itself is never stored. */
  @Index("IDX_api_token_secret_hash", { unique: true })
  @Column({ type: "varchar", length: 64 })
  secretHash!: string;

  @Field({ description: Describe.createdAt })
  @InstantColumn()
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: "Accurate to about a minute: it is not written on every request.",
  })
  @InstantColumn({ nullable: true })
  lastUsedAt!: Date | null;

  @InstantColumn({ nullable: true })
  revokedAt!: Date | null;

  @Field({ description: "A revoked token is refused from the next request on." })
  get revoked(): boolean {
    return this.revokedAt !== null;
  }
}
