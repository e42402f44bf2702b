import type { Database } from "../db/database";
import { sql } from "../db/sql";
import type { Experience } from "../experiences/experience.entity";
import type { ExperienceReadModel } from "../experiences/experience-read-model";
import type { Goal } from "../goals/goal.entity";
import { chanceToBeatControl, sampleRatioMismatchPValue, twoProportionPValue, type Arm } from "./statistics";
import type { ABTestResults, GoalResult } from "./results.types";

/** After the end of time: conversions of a test that has not stopped are counted up to now. */
const OPEN_END = Number.MAX_SAFE_INTEGER;

export class ResultsService {
  constructor(
    private readonly db: Database,
    private readonly experiences: ExperienceReadModel,
  ) {}

  /**
   * Users per variant and, per goal, the assigned users who performed one of its events at or after
   * their assignment and before the test stopped; then the statistics against the control.
   */
  async resultsOf(test: Experience): Promise<ABTestResults> {
    const [variants, links] = await Promise.all([
      this.experiences.variantsOf(test.projectId, [test.id]),
      this.experiences.goalsOf(test.projectId, [test.id]),
    ]);
    const goals = links.map((link) => link.goal);
    const counts = await this.countsByVariant(test, goals);
    const control = variants.find((variant) => variant.isControl)!;
    const arm = (variantId: string, goalIndex: number): Arm => ({
      users: counts.get(variantId)?.users ?? 0,
      conversions: counts.get(variantId)?.conversions[goalIndex] ?? 0,
    });
    return {
      variants: variants.map((variant) => ({
        variant,
        users: counts.get(variant.id)?.users ?? 0,
        goals: goals.map((goal, goalIndex) =>
          goalResult(goal, arm(control.id, goalIndex), arm(variant.id, goalIndex), variant === control),
        ),
      })),
      sampleRatioMismatchPValue: sampleRatioMismatchPValue(
        variants.map((variant) => counts.get(variant.id)?.users ?? 0),
        variants.map((variant) => variant.weight),
      ),
    };
  }

  /**
   * Per variant: assigned users and, per goal, those of them with one of the goal's events at or
   * after their assignment and before the stop. One statement, so every number is of one moment.
   * QA users never count, even one who was assigned before being pinned.
   */
  private async countsByVariant(
    test: Experience,
    goals: Goal[],
  ): Promise<Map<string, { users: number; conversions: number[] }>> {
    const parameters: Record<string, unknown> = {
      testId: test.id,
      until: test.stoppedAt?.getTime() ?? OPEN_END,
    };
    const goalColumns = goals.map((goal, index) => {
      parameters[`events${index}`] = goal.events;
      return `SUM(CASE WHEN EXISTS (
                SELECT 1 FROM event e
                 WHERE e.project_id = a.project_id AND e.user_id = a.user_id AND e.name IN (:...events${index})
                   AND e.at >= a.assigned_at AND e.at < :until) THEN 1 ELSE 0 END) AS goal${index}`;
    });
    const rows = await sql<Record<string, string | number>>(
      this.db.reader,
      `SELECT a.variant_id, COUNT(*) AS users${goalColumns.map((column) => `, ${column}`).join("")}
         FROM assignment a WHERE a.experience_id = :testId
          AND NOT EXISTS (SELECT 1 FROM test_user t WHERE t.experience_id = a.experience_id AND t.user_id = a.user_id)
        GROUP BY a.variant_id`,
      parameters,
    );
    return new Map(
      rows.map((row) => [
        String(row.variant_id),
        { users: Number(row.users), conversions: goals.map((_, index) => Number(row[`goal${index}`])) },
      ]),
    );
  }
}

function rate(arm: Arm): number {
  return arm.users === 0 ? 0 : arm.conversions / arm.users;
}

function goalResult(goal: Goal, control: Arm, variant: Arm, isControl: boolean): GoalResult {
  const comparable = !isControl && control.users > 0 && variant.users > 0;
  return {
    goal,
    conversions: variant.conversions,
    conversionRate: rate(variant),
    uplift: comparable && rate(control) > 0 ? (rate(variant) - rate(control)) / rate(control) : null,
    pValue: comparable ? twoProportionPValue(control, variant) : null,
    chanceToBeatControl: comparable ? chanceToBeatControl(control, variant) : null,
  };
}
