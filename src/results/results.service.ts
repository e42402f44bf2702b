import type { Database } from "../db/database";
import { sql } from "../db/sql";
import type { Experience } from "../experiences/experience.entity";
import { ExperienceGoal } from "../experiences/experience-goal.entity";
import { Variant } from "../experiences/variant.entity";
import { Goal } from "../goals/goal.entity";
import { chanceToBeatControl, sampleRatioMismatchPValue, twoProportionPValue, type Arm } from "./statistics";
import type { ABTestResults, GoalResult } from "./results.types";

/** After the end of time: conversions of a test that has not stopped are counted up to now. */
const OPEN_END = Number.MAX_SAFE_INTEGER;

export class ResultsService {
  constructor(private readonly db: Database) {}

  /**
   * Users per variant and, per goal, the assigned users who performed one of its events at or after
   * their assignment and before the test stopped; then the statistics against the control.
   */
  async resultsOf(test: Experience): Promise<ABTestResults> {
    const reader = this.db.reader;
    const [variants, links] = await Promise.all([
      reader.find(Variant, { where: { experienceId: test.id }, order: { position: "ASC" } }),
      reader.find(ExperienceGoal, { where: { experienceId: test.id }, order: { position: "ASC" } }),
    ]);
    const goalRows = links.length ? await reader.createQueryBuilder(Goal, "goal").where("goal.id IN (:...ids)", { ids: links.map((l) => l.goalId) }).getMany() : [];
    const goals = links.map((link) => goalRows.find((goal) => goal.id === link.goalId)!);
    const users = await this.countByVariant(
      "SELECT variant_id, COUNT(*) AS count FROM assignment WHERE experience_id = :testId GROUP BY variant_id",
      { testId: test.id },
    );
    const conversions = await Promise.all(
      goals.map((goal) =>
        this.countByVariant(
          `SELECT a.variant_id, COUNT(*) AS count FROM assignment a
            WHERE a.experience_id = :testId AND EXISTS (
              SELECT 1 FROM event e
               WHERE e.project_id = a.project_id AND e.user_id = a.user_id AND e.name IN (:...events)
                 AND e.at >= a.assigned_at AND e.at < :until)
            GROUP BY a.variant_id`,
          { testId: test.id, events: goal.events, until: test.stoppedAt?.getTime() ?? OPEN_END },
        ),
      ),
    );

    const control = variants.find((variant) => variant.isControl)!;
    const arm = (variantId: string, goalIndex: number): Arm => ({
      users: users.get(variantId) ?? 0,
      conversions: conversions[goalIndex].get(variantId) ?? 0,
    });
    return {
      variants: variants.map((variant) => ({
        variant,
        users: users.get(variant.id) ?? 0,
        goals: goals.map((goal, goalIndex) => goalResult(goal, arm(control.id, goalIndex), arm(variant.id, goalIndex), variant === control)),
      })),
      sampleRatioMismatchPValue: sampleRatioMismatchPValue(
        variants.map((variant) => users.get(variant.id) ?? 0),
        variants.map((variant) => variant.weight),
      ),
    };
  }

  private async countByVariant(query: string, parameters: Record<string, unknown>): Promise<Map<string, number>> {
    const rows = await sql<{ variant_id: string; count: string | number }>(this.db.reader, query, parameters);
    return new Map(rows.map((row) => [row.variant_id, Number(row.count)]));
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
