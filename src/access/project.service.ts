import { In, type EntityManager } from "typeorm";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import { lockNames, sql } from "../db/sql";
import { commitIfOk } from "../db/unit-of-work";
import type { SettingsService } from "../settings/settings.service";
import { newId } from "../shared/ids";
import { nameKeyOf, normalizeName } from "../shared/names";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors } from "../shared/user-error";
import { ApiToken } from "./api-token.entity";
import { Project } from "./project.entity";
import { Role, type Caller } from "./role";
import { hashSecret } from "./token-secret";
import type { TokenService } from "./token.service";

export interface NewProject {
  project: Project;
  adminSecret: string;
}

export interface Bootstrapped {
  project: Project;
  secret: string;
  /** False when a token with the secret existed already. */
  created: boolean;
}

/** Projects: the caller's own, new ones with their first ADMIN token, and the first start's bootstrap. */
export class ProjectService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
    private readonly tokens: TokenService,
  ) {}

  project(caller: Caller): Promise<Project> {
    return this.db.reader.findOneOrFail(Project, { where: { id: caller.projectId } });
  }

  /**
   * The projects an ADMIN token reaches: its own, and those its project made with createProject (and
   * they in turn), oldest first. Each of those is used with its own tokens; this only lists them.
   */
  async reachable(caller: Caller): Promise<Project[]> {
    const rows = await sql<{ id: string }>(
      this.db.reader,
      `WITH RECURSIVE reached(id) AS (
         SELECT CAST(:projectId AS VARCHAR(36))
         UNION SELECT project.id FROM project JOIN reached ON project.created_by_project_id = reached.id
       ) SELECT id FROM reached`,
      { projectId: caller.projectId },
    );
    return this.db.reader.find(Project, {
      where: { id: In(rows.map((row) => row.id)) },
      order: { id: "ASC" },
    });
  }

  /**
   * A new project named `rawName`, unique among the installation's projects ignoring case (as every
   * other name is within its project): two projects of one name could not be told apart in a
   * dashboard's project picker or a promotion between them.
   */
  createProject(caller: Caller, rawName: string): Promise<Result<NewProject>> {
    return commitIfOk(this.db, async (tx) => {
      const name = normalizeName(rawName, ["name"]);
      if (!name.ok) return name;
      // Projects are few: compared here, with JavaScript's case rules as every name is (SQLite's
      // lower() knows only ASCII); creations take turns on the lock so the check holds until commit.
      await lockNames(tx, ["createProject"]);
      const holder = (await tx.find(Project)).find(
        (project) => nameKeyOf(project.name) === name.value.nameKey,
      );
      if (holder)
        return fail(UserErrors.nameTaken(["name"], "project", { name: holder.name, archivedAt: null }));
      const project = await this.insertProject(tx, name.value.name, caller.projectId);
      const { secret } = await this.tokens.insertToken(tx, project.id, "admin", Role.ADMIN);
      await this.audit.record(tx, caller, {
        action: "createProject",
        entityType: "Project",
        entityId: project.id,
        before: null,
        after: { id: project.id, name: project.name },
      });
      return ok({ project, adminSecret: secret });
    });
  }

  /**
   * Makes sure someone can get in. With a bootstrap secret: if no token has it, it becomes an ADMIN
   * token named "bootstrap" of the first project (made if there is none). Without one: on a database
   * with no tokens at all, a default project and an ADMIN token are made. Returns what to tell the
   * operator, or null when there is nothing new to say.
   */
  async bootstrap(bootstrapSecret: string | null): Promise<Bootstrapped | null> {
    const result = await commitIfOk(this.db, async (tx): Promise<Result<Bootstrapped | null>> => {
      if (bootstrapSecret !== null) {
        const existing = await tx.findOne(ApiToken, { where: { secretHash: hashSecret(bootstrapSecret) } });
        if (existing) {
          const project = await tx.findOneOrFail(Project, { where: { id: existing.projectId } });
          return ok({ project, secret: bootstrapSecret, created: false });
        }
      } else if ((await tx.count(ApiToken)) > 0) {
        return ok(null);
      }
      const project =
        (await tx.createQueryBuilder(Project, "project").orderBy("project.id", "ASC").getOne()) ??
        (await this.insertProject(tx, "Default project"));
      const { secret } = await this.tokens.insertToken(
        tx,
        project.id,
        bootstrapSecret ? "bootstrap" : "admin",
        Role.ADMIN,
        bootstrapSecret ?? undefined,
      );
      return ok({ project, secret, created: true });
    });
    return result.ok ? result.value : null;
  }

  private async insertProject(
    tx: EntityManager,
    name: string,
    createdBy: string | null = null,
  ): Promise<Project> {
    const now = Date.now();
    const project = Object.assign(new Project(), {
      id: newId(now),
      name,
      configVersion: 0,
      createdAt: new Date(now),
      createdByProjectId: createdBy,
    });
    await tx.insert(Project, project);
    await this.settings.createFor(tx, project.id, project.createdAt);
    return project;
  }
}
