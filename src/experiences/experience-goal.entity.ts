import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** An A/B test's goal: the reference from experiences to goals. */
@Entity("experience_goal")
@Index("IDX_experience_goal_goal", ["goalId"])
export class ExperienceGoal {
  @PrimaryColumn({ type: "varchar", length: 36 })
  experienceId!: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  goalId!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "integer" })
  position!: number;
}
