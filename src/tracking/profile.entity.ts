import { Entity, PrimaryColumn } from "typeorm";
import { InstantColumn, JsonColumn } from "../db/columns";

/** A user's stored properties, merged by identify. */
@Entity("profile")
export class Profile {
  @PrimaryColumn({ type: "varchar", length: 36 })
  projectId!: string;

  @PrimaryColumn({ type: "varchar", length: 256 })
  userId!: string;

  @JsonColumn()
  properties!: Record<string, unknown>;

  @InstantColumn()
  updatedAt!: Date;
}
