import type { EntityManager } from "typeorm";
import type { AuditEvent } from "../audit/audit-event.entity";
import type { AuditFollower } from "../audit/audit.service";
import { insertRows, sql } from "../db/sql";
import { newId } from "../shared/ids";
import { DeliveryStatus } from "./webhook-delivery.entity";
import { eventTypesOf, selects } from "./webhook-events";

type Snapshot = { name?: unknown; version?: unknown } | null;

/** The request body of one event (RULES.md "Webhooks"), fixed once: every attempt sends these bytes. */
export function messageBody(type: string, event: AuditEvent): string {
  const before = event.before as Snapshot;
  const after = event.after as Snapshot;
  return JSON.stringify({
    type,
    timestamp: event.at.toISOString(),
    data: {
      projectId: event.projectId,
      entityType: event.entityType,
      entityId: event.entityId,
      name: after?.name ?? before?.name ?? null,
      version: after?.version ?? before?.version ?? null,
      actor: event.actor,
      before: event.before,
      after: event.after,
    },
  });
}

/**
 * The outbox: every change's audit event (AuditService calls this inside the change's transaction)
 * becomes a delivery for each active webhook of the project that follows its type, in that same
 * transaction. So a delivery exists exactly when its change committed, whatever happens to the
 * process afterwards; the dispatcher sends it from there. One message id per event and type, shared
 * by the webhooks that receive it (and by a redelivery), as the webhook-id header.
 */
export class WebhookOutbox implements AuditFollower {
  async recorded(tx: EntityManager, event: AuditEvent): Promise<void> {
    const types = eventTypesOf(event);
    if (types.length === 0) return;
    const webhooks = await sql<{ id: string; events: string }>(
      tx,
      "SELECT id, events FROM webhook WHERE project_id = :projectId AND active = :active",
      { projectId: event.projectId, active: true },
    );
    if (webhooks.length === 0) return;
    const at = event.at.getTime();
    const rows: unknown[][] = [];
    for (const type of types) {
      const receivers = webhooks.filter((webhook) => selects(JSON.parse(webhook.events) as string[], type));
      if (receivers.length === 0) continue;
      const messageId = `msg_${newId(at).replaceAll("-", "")}`;
      const body = messageBody(type, event);
      for (const webhook of receivers)
        rows.push([
          newId(at),
          event.projectId,
          webhook.id,
          messageId,
          type,
          body,
          DeliveryStatus.PENDING,
          0,
          at,
          at,
        ]);
    }
    await insertRows(
      tx,
      "webhook_delivery",
      [
        "id",
        "project_id",
        "webhook_id",
        "message_id",
        "type",
        "body",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
      ],
      rows,
    );
  }
}
