import type { EntityManager } from "typeorm";
import { sql } from "../db/sql";
import type { ExperienceKind, ExperienceStatus } from "../experiences/experience-kind";
import type { Usage } from "../shared/user-error";

/** What an experience can reference. */
export type Referenced = "key" | "segment" | "goal";

/** Each query returns the referenced id and the referencing experience, oldest experience first. */
const USAGE_QUERIES: Record<Referenced, string> = {
  key: `SELECT DISTINCT value.key_id AS referenced_id, e.id, e.kind, e.name, e.status, e.archived_at
          FROM experience_value value JOIN experience e ON e.id = value.experience_id
         WHERE value.project_id = :projectId AND value.key_id IN (:...ids)
         ORDER BY e.id`,
  segment: `SELECT e.segment_id AS referenced_id, e.id, e.kind, e.name, e.status, e.archived_at
              FROM experience e
             WHERE e.project_id = :projectId AND e.segment_id IN (:...ids)
             ORDER BY e.id`,
  goal: `SELECT link.goal_id AS referenced_id, e.id, e.kind, e.name, e.status, e.archived_at
           FROM experience_goal link JOIN experience e ON e.id = link.experience_id
          WHERE link.project_id = :projectId AND link.goal_id IN (:...ids)
          ORDER BY e.id`,
};

interface UsageRow {
  referenced_id: string;
  id: string;
  kind: ExperienceKind;
  name: string;
  status: ExperienceStatus;
  archived_at: string | number | null;
}

/**
 * The one answer to "which experiences use this key / segment / goal": the `usages` fields, the
 * IN_USE checks of archiveKey, archiveSegment and archiveGoal, and the goal-events freeze all ask
 * here. One indexed query per batch of ids.
 */
export class UsageService {
  /** Every experience referencing each id, archived ones included (flagged). */
  async usagesOf(manager: EntityManager, projectId: string, referenced: Referenced, ids: readonly string[]): Promise<Map<string, Usage[]>> {
    const usages = new Map<string, Usage[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return usages;
    const rows = await sql<UsageRow>(manager, USAGE_QUERIES[referenced], { projectId, ids: [...new Set(ids)] });
    for (const row of rows) {
      usages.get(row.referenced_id)?.push({
        kind: row.kind,
        id: row.id,
        name: row.name,
        status: row.status,
        archived: row.archived_at !== null,
      });
    }
    return usages;
  }

  async usagesOfOne(manager: EntityManager, projectId: string, referenced: Referenced, id: string): Promise<Usage[]> {
    return (await this.usagesOf(manager, projectId, referenced, [id])).get(id) ?? [];
  }

  /** The unarchived experiences referencing `id`: while there are any, it cannot be archived. */
  async liveUsagesOf(manager: EntityManager, projectId: string, referenced: Referenced, id: string): Promise<Usage[]> {
    return (await this.usagesOfOne(manager, projectId, referenced, id)).filter((usage) => !usage.archived);
  }
}
