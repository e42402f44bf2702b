import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn } from "../db/columns";

/** A user's variant in an A/B test, recorded on the first qualifying evaluation and never changed. */
@Entity("assignment")
@Index("IDX_assignment_user", ["projectId", "userId"])
export class StoredAssignment {
  @PrimaryColumn({ type: "varchar", length: 36 })
  experienceId!: string;

  @PrimaryColumn({ type: "varchar", length: 256 })
  userId!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "varchar", length: 36 })
  variantId!: string;

  @InstantColumn()
  assignedAt!: Date;

  /** When the user entered the test's results: the assignment, or with an exposure event the first exposure after it (null: not yet). */
  @InstantColumn({ nullable: true })
  enteredAt!: Date | null;
}
