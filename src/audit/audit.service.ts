import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { newestFirstPageOf, type Page, type PageRequest } from "../db/pagination";
import { newId } from "../shared/ids";
import { AuditEvent } from "./audit-event.entity";

/**
 * `before` and `after` are the object as the API shows it, built by the owning service from an
 * explicit list of fields, so nothing internal (hashes, normalized names) reaches the log.
 */
export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before: object | null;
  after: object | null;
  /** Why, when the server decided the change itself (a scheduled move it dropped). */
  note?: string;
}

/** What must happen with every change, in its transaction: told each audit event as it is written. */
export interface AuditFollower {
  recorded(tx: EntityManager, event: AuditEvent): Promise<void>;
}

export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly followers: readonly AuditFollower[] = [],
  ) {}

  /**
   * Writes the audit event inside the mutation's own transaction, and tells the followers (the
   * webhooks' outbox) in it too: all of it commits, or none.
   */
  async record(
    tx: EntityManager,
    caller: Caller,
    entry: AuditEntry,
    projectId = caller.projectId,
  ): Promise<void> {
    const now = Date.now();
    const event = Object.assign(new AuditEvent(), {
      id: newId(now),
      projectId,
      at: new Date(now),
      actor: caller.tokenName,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: entry.before,
      after: entry.after,
      note: entry.note ?? null,
    });
    await tx.getRepository(AuditEvent).insert(event);
    for (const follower of this.followers) await follower.recorded(tx, event);
  }

  /** Newest first. */
  list(caller: Caller, entityId: string | null, page: PageRequest): Promise<Page<AuditEvent>> {
    const query = this.db.reader
      .createQueryBuilder(AuditEvent, "event")
      .where("event.projectId = :projectId", { projectId: caller.projectId });
    if (entityId !== null) query.andWhere("event.entityId = :entityId", { entityId });
    return newestFirstPageOf(query, "event", page);
  }
}
