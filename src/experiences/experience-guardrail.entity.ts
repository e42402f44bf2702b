import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * An A/B test's guardrail goal (watched for harm, RULES.md "Guardrails"): a reference from
 * experiences to goals like experience_goal, so usages and the freeze of a goal's events see it too.
 */
@Entity("experience_guardrail")
@Index("IDX_experience_guardrail_goal", ["goalId"])
export class ExperienceGuardrail {
  @PrimaryColumn({ type: "varchar", length: 36 })
  experienceId!: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  goalId!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "integer" })
  position!: number;
}
