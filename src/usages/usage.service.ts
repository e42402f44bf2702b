import type { EntityManager } from "typeorm";
import type { Usage } from "../shared/user-error";

/** What an experience can reference. */
export type Referenced = "key" | "segment" | "goal";

/**
 * The one answer to "which experiences use this key / segment / goal": the `usages` fields and the
 * IN_USE checks of archiveKey, archiveSegment and archiveGoal all ask here.
 */
export class UsageService {
  /** Every experience referencing each id, archived ones included (flagged). */
  async usagesOf(_manager: EntityManager, _projectId: string, _referenced: Referenced, ids: readonly string[]): Promise<Map<string, Usage[]>> {
    // Experiences arrive with issue #3; until then nothing references setup components.
    return new Map(ids.map((id) => [id, []]));
  }

  /** The unarchived experiences referencing `id`: while there are any, it cannot be archived. */
  async liveUsagesOf(manager: EntityManager, projectId: string, referenced: Referenced, id: string): Promise<Usage[]> {
    const usages = (await this.usagesOf(manager, projectId, referenced, [id])).get(id) ?? [];
    return usages.filter((usage) => !usage.archived);
  }
}
