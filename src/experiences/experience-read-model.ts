import { In, type EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import {
  listPageOf,
  newestFirstPagesOf,
  pageOfRows,
  type ListRequest,
  type Page,
  type PageRequest,
} from "../db/pagination";
import { likePattern } from "../db/sql";
import type { Clock } from "../shared/clock";
import { Goal } from "../goals/goal.entity";
import { searchOf } from "../setup/setup-items";
import { isId } from "../shared/ids";
import { ExperienceGoal } from "./experience-goal.entity";
import { ExperienceGuardrail } from "./experience-guardrail.entity";
import { ExperienceKind, type ExperienceStatus } from "./experience-kind";
import { staleSince } from "./experience-rules";
import { ExperienceVersion } from "./experience-version.entity";
import { KeyValue } from "./key-value.entity";
import { Experience } from "./experience.entity";
import { TestUser } from "./test-user.entity";
import { Variant } from "./variant.entity";

export interface ExperienceFilter {
  kind?: ExperienceKind | null;
  status?: ExperienceStatus | null;
  archived?: boolean | null;
  search?: string | null;
  /** true: stale feature flags only (experience-rules.ts, staleSince). */
  stale?: boolean | null;
}

interface VersionRow {
  id: string;
  project_id: string;
  experience_id: string;
  version: number | string;
  at: number | string;
  actor: string;
  action: string;
  status: ExperienceStatus;
  snapshot: string;
  changed_fields: string;
}

/**
 * Reading experiences: the lists, lookups, and the values, variants and goals that field resolvers
 * and results batch. The write flows are in experience.service.ts; nothing here changes anything.
 */
export class ExperienceReadModel {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async list(caller: Caller, filter: ExperienceFilter, page: ListRequest): Promise<Page<Experience>> {
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
    if (!filter.stale) return listPageOf(query, "experience", page, this.db.engine);
    // Staleness is one rule in TypeScript (staleSince); a project's flags are few enough to page in memory.
    const flags = await query
      .andWhere("experience.kind = :flag", { flag: ExperienceKind.FEATURE_FLAG })
      .getMany();
    return pageOfRows(
      flags.filter((flag) => this.staleSince(flag) !== null),
      page,
    );
  }

  /** Since when a feature flag is stale, by the server's clock (null: it is not). */
  staleSince(flag: Experience): Date | null {
    return staleSince(flag, this.clock.now());
  }

  /** A page of each experience's history, newest first, in one statement however many a list shows. */
  historyPages(
    projectId: string,
    experienceIds: readonly string[],
    page: PageRequest,
  ): Promise<Map<string, Page<ExperienceVersion>>> {
    return newestFirstPagesOf(
      this.db.reader,
      { table: "experience_version", ownerColumn: "experience_id", toNode: versionOf },
      projectId,
      experienceIds,
      page,
    );
  }

  /** Unknown, malformed or another project's id: null. */
  async find(manager: EntityManager, projectId: string, id: string): Promise<Experience | null> {
    return isId(id) ? manager.findOne(Experience, { where: { id, projectId } }) : null;
  }

  byIds(projectId: string, ids: readonly string[]): Promise<Experience[]> {
    return this.db.reader.find(Experience, { where: { projectId, id: In(ids.filter(isId)) } });
  }

  /** Tests' QA users, by user id. */
  testUsersOf(projectId: string, experienceIds: readonly string[]): Promise<TestUser[]> {
    return this.db.reader.find(TestUser, {
      where: { projectId, experienceId: In([...experienceIds]) },
      order: { userId: "ASC" },
    });
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

  /** Each test's goals (or, with `link` ExperienceGuardrail, its guardrail goals) in the order given. */
  async goalsOf(
    projectId: string,
    experienceIds: readonly string[],
    link: typeof ExperienceGoal | typeof ExperienceGuardrail = ExperienceGoal,
  ): Promise<{ experienceId: string; goal: Goal }[]> {
    const links = await this.db.reader
      .createQueryBuilder<ExperienceGoal | ExperienceGuardrail>(link, "link")
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

function versionOf(row: VersionRow): ExperienceVersion {
  return Object.assign(new ExperienceVersion(), {
    id: row.id,
    projectId: row.project_id,
    experienceId: row.experience_id,
    version: Number(row.version),
    at: new Date(Number(row.at)),
    actor: row.actor,
    action: row.action,
    status: row.status,
    snapshot: JSON.parse(row.snapshot),
    changedFields: JSON.parse(row.changed_fields),
  });
}
