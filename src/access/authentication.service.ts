import type { Logger } from "pino";
import type { BatchWork, Database } from "../db/database";
import { RememberedReads } from "../db/remembered-reads";
import { sql } from "../db/sql";
import { ApiToken } from "./api-token.entity";
import type { Caller, Role } from "./role";
import { isId } from "../shared/ids";
import { channelMatches, hashesMatch, hashSecret } from "./token-secret";

/** `lastUsedAt` is written at most this often per token: a write per request would cost more than it tells. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** A token with its project's config version: evaluate checks its cache against it, in the same read. */
const TOKEN_SELECT = `SELECT token.id, token.project_id, token.name, token.role, token.secret_hash, token.revoked_at, project.config_version
  FROM api_token token JOIN project ON project.id = token.project_id`;

interface TokenRow {
  id: string;
  project_id: string;
  name: string;
  role: Role;
  secret_hash: string;
  revoked_at: string | number | null;
  config_version: string | number;
}

/** Callers remembered at most: a bound on memory, whatever number of tokens is in use. */
const KNOWN_CALLERS = 10_000;

/** Who is behind a request's bearer secret: the one call every request makes. */
export class AuthenticationService {
  private readonly lastUsedWritten = new Map<string, number>();
  /**
   * Callers by their secret's hash, where the database lets reads be kept (RememberedReads: SQLite):
   * every token revocation and every setup change (the config version) is a committed transaction,
   * so a kept caller is what a read would answer. Only found tokens are kept.
   */
  private readonly known: RememberedReads<Caller>;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    this.known = new RememberedReads(db, KNOWN_CALLERS);
  }

  /**
   * The caller behind a bearer secret, or null. Looked up by the secret's hash and compared in
   * constant time; read from the database unless nothing was committed since the last read of it
   * (SQLite, whose one writer is this process), so a revocation holds from the next request on, in
   * every process.
   */
  async authenticate(secret: string): Promise<Caller | null> {
    const presented = hashSecret(secret);
    const known = this.known.recall(presented);
    if (known) {
      this.noteUse(known.tokenId);
      return known;
    }
    const moment = this.known.moment();
    const [token] = await this.db.read<TokenRow>(`${TOKEN_SELECT} WHERE token.secret_hash = :presented`, {
      presented,
    });
    if (!token || token.revoked_at !== null || !hashesMatch(token.secret_hash, presented)) return null;
    const caller = callerOf(token);
    this.known.remember(presented, moment, caller);
    this.noteUse(token.id);
    return caller;
  }

  /**
   * The caller behind a change-stream channel (token-secret.ts, streamChannel), or null: the token
   * must still exist and not be revoked.
   */
  async authenticateChannel(channel: string): Promise<Caller | null> {
    const tokenId = channel.split(".")[0];
    if (!isId(tokenId)) return null;
    const [token] = await sql<TokenRow>(this.db.reader, `${TOKEN_SELECT} WHERE token.id = :tokenId`, {
      tokenId,
    });
    if (!token || token.revoked_at !== null || !channelMatches(channel, token.id, token.secret_hash))
      return null;
    return callerOf(token);
  }

  /** Records a token's use at most once per LAST_USED_RESOLUTION_MS, off the request's path. */
  private noteUse(tokenId: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(tokenId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(tokenId, now);
    this.db
      .sharedTransaction(this.writeLastUses, { tokenId, at: now })
      .catch((error) => this.logger.warn({ err: error, tokenId }, "could not record a token's last use"));
  }

  /** A shared write: no remembered caller depends on a token's last use (Database.transactionsCommitted). */
  private readonly writeLastUses: BatchWork<{ tokenId: string; at: number }, void> = async (tx, uses) => {
    for (const { tokenId, at } of uses)
      await tx.update(ApiToken, { id: tokenId }, { lastUsedAt: new Date(at) });
    return uses.map(() => undefined);
  };
}

function callerOf(token: TokenRow): Caller {
  return {
    projectId: token.project_id,
    role: token.role,
    tokenId: token.id,
    tokenName: token.name,
    configVersion: Number(token.config_version),
  };
}
