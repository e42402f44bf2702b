import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { sql } from "../db/sql";
import { VersionedCache } from "../db/versioned-cache";
import type { ExperienceKind, ExperienceStatus } from "../experiences/experience-kind";
import type { Usage } from "../shared/user-error";

/** What an experience can reference. */
export type Referenced = "key" | "segment" | "goal";

/**
 * Each query returns the referenced id and the referencing experience, oldest experience first;
 * `only` limits it to some referenced ids, else it returns the whole project's references.
 */
function usageQuery(referenced: Referenced, only: boolean): string {
  const columns = "e.id, e.kind, e.name, e.status, e.archived_at";
  switch (referenced) {
    case "key":
      return `SELECT DISTINCT value.key_id AS referenced_id, ${columns}
                FROM experience_value value JOIN experience e ON e.id = value.experience_id
               WHERE value.project_id = :projectId${only ? " AND value.key_id IN (:...ids)" : ""} ORDER BY e.id`;
    case "segment":
      return `SELECT e.segment_id AS referenced_id, ${columns} FROM experience e
               WHERE e.project_id = :projectId AND e.segment_id ${only ? "IN (:...ids)" : "IS NOT NULL"} ORDER BY e.id`;
    case "goal":
      // A test uses a goal as one of its goals or as a guardrail (or both: listed once).
      return `SELECT DISTINCT link.goal_id AS referenced_id, ${columns}
                FROM (SELECT goal_id, experience_id, project_id FROM experience_goal
                      UNION SELECT goal_id, experience_id, project_id FROM experience_guardrail) link
                JOIN experience e ON e.id = link.experience_id
               WHERE link.project_id = :projectId${only ? " AND link.goal_id IN (:...ids)" : ""} ORDER BY e.id`;
  }
}

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
 * here. Checks inside a mutation query its transaction; the `usages` fields read the project's
 * references from memory, as of the request's config version (db/versioned-cache.ts).
 */
export class UsageService {
  private readonly current: VersionedCache<Record<Referenced, Map<string, Usage[]>>>;

  constructor(private readonly db: Database) {
    this.current = new VersionedCache(async (projectId) => ({
      key: await this.query(this.db.reader, projectId, "key", null),
      segment: await this.query(this.db.reader, projectId, "segment", null),
      goal: await this.query(this.db.reader, projectId, "goal", null),
    }));
  }

  /** For reads: every experience referencing each id, archived ones included (flagged). */
  async usagesFor(
    caller: Caller,
    referenced: Referenced,
    ids: readonly string[],
  ): Promise<Map<string, Usage[]>> {
    const all = (await this.current.get(caller.projectId, caller.configVersion))[referenced];
    return new Map(ids.map((id) => [id, all.get(id) ?? []]));
  }

  /** Inside a mutation: every experience referencing each id, archived ones included (flagged). */
  async usagesOf(
    manager: EntityManager,
    projectId: string,
    referenced: Referenced,
    ids: readonly string[],
  ): Promise<Map<string, Usage[]>> {
    const usages = new Map<string, Usage[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return usages;
    for (const [id, found] of await this.query(manager, projectId, referenced, ids)) usages.set(id, found);
    return usages;
  }

  private async query(
    manager: EntityManager,
    projectId: string,
    referenced: Referenced,
    ids: readonly string[] | null,
  ): Promise<Map<string, Usage[]>> {
    const rows = await sql<UsageRow>(manager, usageQuery(referenced, ids !== null), {
      projectId,
      ids: ids ? [...new Set(ids)] : [],
    });
    const usages = new Map<string, Usage[]>();
    for (const row of rows) {
      const list = usages.get(row.referenced_id) ?? [];
      list.push({
        kind: row.kind,
        id: row.id,
        name: row.name,
        status: row.status,
        archived: row.archived_at !== null,
      });
      usages.set(row.referenced_id, list);
    }
    return usages;
  }

  async usagesOfOne(
    manager: EntityManager,
    projectId: string,
    referenced: Referenced,
    id: string,
  ): Promise<Usage[]> {
    return (await this.usagesOf(manager, projectId, referenced, [id])).get(id) ?? [];
  }

  /** The unarchived experiences referencing `id`: while there are any, it cannot be archived. */
  async liveUsagesOf(
    manager: EntityManager,
    projectId: string,
    referenced: Referenced,
    id: string,
  ): Promise<Usage[]> {
    return (await this.usagesOfOne(manager, projectId, referenced, id)).filter((usage) => !usage.archived);
  }
}
