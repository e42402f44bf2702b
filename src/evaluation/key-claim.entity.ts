import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * A key one of a user's A/B tests sets. The primary key (project, user, key) is what makes "tests
 * that set a common key never share a user" hold under concurrent evaluations, as the exclusive slot
 * does for exclusive tests: the database refuses a second test's claim. Stopping a test frees its claims.
 */
@Entity("key_claim")
@Index("IDX_key_claim_experience", ["experienceId"])
export class KeyClaim {
  @PrimaryColumn({ type: "varchar", length: 36 })
  projectId!: string;

  @PrimaryColumn({ type: "varchar", length: 256 })
  userId!: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  keyId!: string;

  @Column({ type: "varchar", length: 36 })
  experienceId!: string;
}
