import type { Logger } from "pino";
import type { EntityManager } from "typeorm";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import { sql } from "../db/sql";
import { changeProject, commitIfOk } from "../db/unit-of-work";
import type { SettingsService } from "../settings/settings.service";
import { isId, newId } from "../shared/ids";
import { normalizeName } from "../shared/names";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors } from "../shared/user-error";
import { ApiToken } from "./api-token.entity";
import { Project } from "./project.entity";
import { Role, type Caller } from "./role";
import { hashesMatch, hashSecret, newSecret } from "./token-secret";

/** `lastUsedAt` is written at most this often per token: a write per request would cost more than it tells. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface NewToken {
  token: ApiToken;
  /** Shown once; only its hash is stored. */
  secret: string;
}

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

interface TokenRow {
  id: string;
  project_id: string;
  name: string;
  role: Role;
  secret_hash: string;
  revoked_at: string | number | null;
  config_version: string | number;
}

function tokenView(token: ApiToken): object {
  const { id, name, role, createdAt, revokedAt } = token;
  return { id, name, role, createdAt, revoked: revokedAt !== null, revokedAt };
}

export class AccessService {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
    private readonly logger: Logger,
  ) {}

  /**
   * The caller behind a bearer secret, or null. Looked up by the secret's hash and compared in
   * constant time; read from the database on every request, so a revocation holds from the next
   * request on, in every process.
   */
  async authenticate(secret: string): Promise<Caller | null> {
    const presented = hashSecret(secret);
    // The project's config version comes in the same read: evaluate checks its cache against it.
    const [token] = await sql<TokenRow>(
      this.db.reader,
      `SELECT token.id, token.project_id, token.name, token.role, token.secret_hash, token.revoked_at, project.config_version
         FROM api_token token JOIN project ON project.id = token.project_id
        WHERE token.secret_hash = :presented`,
      { presented },
    );
    if (!token || token.revoked_at !== null || !hashesMatch(token.secret_hash, presented)) return null;
    this.noteUse(token.id);
    return {
      projectId: token.project_id,
      role: token.role,
      tokenId: token.id,
      tokenName: token.name,
      configVersion: Number(token.config_version),
    };
  }

  project(caller: Caller): Promise<Project> {
    return this.db.reader.findOneOrFail(Project, { where: { id: caller.projectId } });
  }

  tokens(caller: Caller): Promise<ApiToken[]> {
    return this.db.reader.find(ApiToken, { where: { projectId: caller.projectId }, order: { id: "ASC" } });
  }

  createToken(caller: Caller, input: { name: string; role: Role }): Promise<Result<NewToken>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const name = normalizeName(input.name, ["input", "name"]);
      if (!name.ok) return name;
      const created = await this.insertToken(tx, caller.projectId, name.value.name, input.role);
      await this.audit.record(tx, caller, {
        action: "createApiToken",
        entityType: "ApiToken",
        entityId: created.token.id,
        before: null,
        after: tokenView(created.token),
      });
      return ok(created);
    });
  }

  /** Revoking twice, or revoking the project's last active ADMIN token (which would lock everyone out), is INVALID_STATE. */
  revokeToken(caller: Caller, id: string): Promise<Result<ApiToken>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const token = isId(id)
        ? await tx.findOne(ApiToken, { where: { id, projectId: caller.projectId } })
        : null;
      if (!token) return fail(UserErrors.notFound(["id"], "API token"));
      if (token.revokedAt !== null)
        return fail(UserErrors.invalidState(["id"], "This token is already revoked"));
      if (token.role === Role.ADMIN) {
        const admins = await tx
          .createQueryBuilder(ApiToken, "token")
          .where("token.projectId = :projectId AND token.role = :role AND token.revokedAt IS NULL", {
            projectId: caller.projectId,
            role: Role.ADMIN,
          })
          .getCount();
        if (admins <= 1) {
          return fail(
            UserErrors.invalidState(
              ["id"],
              "This is the project's last active ADMIN token: create another ADMIN token first",
            ),
          );
        }
      }
      const before = tokenView(token);
      token.revokedAt = new Date();
      await tx.save(ApiToken, token);
      await this.audit.record(tx, caller, {
        action: "revokeApiToken",
        entityType: "ApiToken",
        entityId: token.id,
        before,
        after: tokenView(token),
      });
      return ok(token);
    });
  }

  /** A new, empty project with its settings and a first ADMIN token named "admin". */
  createProject(caller: Caller, rawName: string): Promise<Result<NewProject>> {
    return commitIfOk(this.db, async (tx) => {
      const name = normalizeName(rawName, ["name"]);
      if (!name.ok) return name;
      const project = await this.insertProject(tx, name.value.name);
      const { secret } = await this.insertToken(tx, project.id, "admin", Role.ADMIN);
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
      const { secret } = await this.insertToken(
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

  private async insertProject(tx: EntityManager, name: string): Promise<Project> {
    const now = Date.now();
    const project = Object.assign(new Project(), {
      id: newId(now),
      name,
      configVersion: 0,
      createdAt: new Date(now),
    });
    await tx.insert(Project, project);
    await this.settings.createFor(tx, project.id, project.createdAt);
    return project;
  }

  private async insertToken(
    tx: EntityManager,
    projectId: string,
    name: string,
    role: Role,
    secret: string = newSecret(),
  ): Promise<NewToken> {
    const now = Date.now();
    const token = Object.assign(new ApiToken(), {
      id: newId(now),
      projectId,
      name,
      role,
      secretHash: hashSecret(secret),
      createdAt: new Date(now),
      lastUsedAt: null,
      revokedAt: null,
    });
    await tx.insert(ApiToken, token);
    return { token, secret };
  }

  /** Records a token's use at most once per LAST_USED_RESOLUTION_MS, off the request's path. */
  private noteUse(tokenId: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(tokenId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(tokenId, now);
    this.db
      .transaction((tx) => tx.update(ApiToken, { id: tokenId }, { lastUsedAt: new Date(now) }))
      .catch((error) => this.logger.warn({ err: error, tokenId }, "could not record a token's last use"));
  }
}
