import type { EntityManager } from "typeorm";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import { changeProject } from "../db/unit-of-work";
import { isId, newId } from "../shared/ids";
import { normalizeName } from "../shared/names";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors } from "../shared/user-error";
import { ApiToken } from "./api-token.entity";
import { Role, type Caller } from "./role";
import { hashSecret, newSecret } from "./token-secret";

export interface NewToken {
  token: ApiToken;
  /** Shown once; only its hash is stored. */
  secret: string;
}

function tokenView(token: ApiToken): object {
  const { id, name, role, createdAt, revokedAt } = token;
  return { id, name, role, createdAt, revoked: revokedAt !== null, revokedAt };
}

/** A project's API tokens: listing, making and revoking them. */
export class TokenService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

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

  /** A new token of the project, inside the caller's transaction (a new project's first token, the bootstrap one). */
  async insertToken(
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
}
