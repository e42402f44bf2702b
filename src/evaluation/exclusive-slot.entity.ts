import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn } from "../db/columns";

/**
 * The one mutually exclusive test a user is in. The primary key (project, user) is what makes "at
 * most one" hold under concurrent evaluations: the database refuses a second slot. Stopping the
 * test frees its slots.
 */
@Entity("exclusive_slot")
@Index("IDX_exclusive_slot_experience", ["experienceId"])
export class ExclusiveSlot {
  @PrimaryColumn({ type: "varchar", length: 36 })
  projectId!: string;

  @PrimaryColumn({ type: "varchar", length: 256 })
  userId!: string;

  @Column({ type: "varchar", length: 36 })
  experienceId!: string;

  @InstantColumn()
  assignedAt!: Date;
}
