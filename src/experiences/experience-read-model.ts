import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { pageOf, type Page, type PageRequest } from "../db/pagination";
import { likePattern } from "../db/sql";
import { Goal } from "../goals/goal.entity";
import { searchOf } from "../setup/setup-items";
import { isId } from "../shared/ids";
import { ExperienceGoal } from "./experience-goal.entity";
import type { ExperienceKind, ExperienceStatus } from "./experience-kind";
import { KeyValue } from "./key-value.entity";
import { Experience } from "./experience.entity";
import { Variant } from "./variant.entity";

export interface ExperienceFilter {
  kind?: ExperienceKind | null;
  status?: ExperienceStatus | null;
  archived?: boolean | null;
  search?: string | null;
}

/**
 * Reading experiences: the lists, lookups, and the values, variants and goals that field resolvers
 * and results batch. The write flows are in experience.service.ts; nothing here changes anything.
 */
export class ExperienceReadModel {
  constructor(private readonly db: Database) {}

  list(caller: Caller, filter: ExperienceFilter, page: PageRequest): Promise<Page<Experience>> {
    const query = this.db.reader
      .createQueryBuilder(Experience, "experience")
      .where("experience.projectId = :projectId", { projectId: caller.projectId });
    if (filter.kind) query.andWhere("experience.kind = :kind", { kind: filter.kind });
    if (filter.status) query.andWhere("experience.status = :status", { status: filter.status });
    if (filter.archived === true) query.andWhere("experience.archivedAt IS NOT NULL");
    if (filter.archived === false || filter.archived === undefined)
      query.andWhere("experience.archivedAt IS NULL");
    const search = searchOf(filter);
    if (search)
      query.andWhere("experience.searchText LIKE :pattern ESCAPE '\\'", { pattern: likePattern(search) });
    return pageOf(query, "experience", page);
  }

  /** Unknown, malformed or another project's id: null. */
  async find(manager: EntityManager, projectId: string, id: string): Promise<Experience | null> {
    return isId(id) ? manager.findOne(Experience, { where: { id, projectId } }) : null;
  }

  /** Product config and feature flag values (not variants'), by experience. */
  valuesOf(projectId: string, experienceIds: readonly string[]): Promise<KeyValue[]> {
    return this.db.reader
      .createQueryBuilder(KeyValue, "value")
      .where("value.projectId = :projectId AND value.experienceId IN (:...ids) AND value.variantId IS NULL", {
        projectId,
        ids: experienceIds,
      })
      .orderBy("value.position")
      .getMany();
  }

  variantValuesOf(projectId: string, variantIds: readonly string[]): Promise<KeyValue[]> {
    return this.db.reader
      .createQueryBuilder(KeyValue, "value")
      .where("value.projectId = :projectId AND value.variantId IN (:...ids)", { projectId, ids: variantIds })
      .orderBy("value.position")
      .getMany();
  }

  variantsOf(projectId: string, experienceIds: readonly string[]): Promise<Variant[]> {
    return this.db.reader
      .createQueryBuilder(Variant, "variant")
      .where("variant.projectId = :projectId AND variant.experienceId IN (:...ids)", {
        projectId,
        ids: experienceIds,
      })
      .orderBy("variant.position")
      .getMany();
  }

  /** Each test's goals in the order given, from one joined query. */
  async goalsOf(
    projectId: string,
    experienceIds: readonly string[],
  ): Promise<{ experienceId: string; goal: Goal }[]> {
    const links = await this.db.reader
      .createQueryBuilder(ExperienceGoal, "link")
      .where("link.projectId = :projectId AND link.experienceId IN (:...ids)", {
        projectId,
        ids: experienceIds,
      })
      .orderBy("link.position")
      .getMany();
    const goalIds = [...new Set(links.map((link) => link.goalId))];
    const goals = goalIds.length
      ? await this.db.reader
          .createQueryBuilder(Goal, "goal")
          .where("goal.id IN (:...goalIds)", { goalIds })
          .getMany()
      : [];
    const byId = new Map(goals.map((goal) => [goal.id, goal]));
    return links.map((link) => ({ experienceId: link.experienceId, goal: byId.get(link.goalId)! }));
  }
}
