import { In, type EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import type { WebhookPolicy } from "../config";
import type { Database } from "../db/database";
import { newestFirstPagesOf, type Page, type PageRequest } from "../db/pagination";
import { changeProject } from "../db/unit-of-work";
import type { Clock } from "../shared/clock";
import { isId, newId } from "../shared/ids";
import { normalizeDescription } from "../shared/names";
import { fail, ok, type Result } from "../shared/result";
import { at, UserErrors, type UserError } from "../shared/user-error";
import { urlProblem } from "./webhook-address";
import { WebhookAttempt } from "./webhook-attempt.entity";
import { DeliveryStatus, WebhookDelivery } from "./webhook-delivery.entity";
import { selectionProblem } from "./webhook-events";
import { systemResolve, type Resolve } from "./webhook-sender";
import { newSigningSecret } from "./webhook-signature";
import { Webhook } from "./webhook.entity";

/** Webhooks a project may have: each is sent every change it follows, so a few are what anyone needs. */
export const MAX_WEBHOOKS_PER_PROJECT = 20;

export interface WebhookInput {
  url: string;
  events: string[];
  description?: string | null;
}

export interface WebhookUpdate {
  id: string;
  url?: string | null;
  events?: string[] | null;
  description?: string | null;
  active?: boolean | null;
}

export interface NewWebhook {
  webhook: Webhook;
  /** Shown once. */
  secret: string;
}

/** The webhook as the audit log shows it: never its secret. */
function webhookView(webhook: Webhook): object {
  const { id, url, description, events, active, createdAt, updatedAt } = webhook;
  return { id, url, description, events, active, createdAt, updatedAt };
}

/** The checked parts of a webhook's input that were given. */
interface CheckedFields {
  url?: string;
  events?: string[];
  description?: string | null;
}

/**
 * Webhooks of a project (ADMIN only, at the resolver): registering, changing and deleting them,
 * their deliveries and redelivery. What a change sends is the outbox's (webhook-outbox.ts); how a
 * delivery is attempted, the dispatcher's (webhook-dispatcher.ts).
 */
export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly policy: Pick<WebhookPolicy, "allowPrivateNetworks">,
    private readonly resolve: Resolve = systemResolve,
  ) {}

  webhooks(caller: Caller): Promise<Webhook[]> {
    return this.db.reader.find(Webhook, { where: { projectId: caller.projectId }, order: { id: "ASC" } });
  }

  async create(caller: Caller, input: WebhookInput): Promise<Result<NewWebhook>> {
    // Checked before the transaction: resolving the URL's name may take a moment, and the
    // transaction (on SQLite, the one writer) must not wait for DNS.
    const checked = await this.check(input);
    if (!checked.ok) return checked;
    return changeProject(this.db, caller.projectId, async (tx) => {
      const count = await tx.count(Webhook, { where: { projectId: caller.projectId } });
      if (count >= MAX_WEBHOOKS_PER_PROJECT)
        return fail(
          UserErrors.limitReached(
            null,
            `A project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks: delete one you no longer use`,
          ),
        );
      const now = this.clock.now();
      const webhook = Object.assign(new Webhook(), {
        id: newId(now),
        projectId: caller.projectId,
        url: checked.value.url!,
        description: checked.value.description ?? null,
        events: checked.value.events!,
        active: true,
        signingSecret: newSigningSecret(),
        createdAt: new Date(now),
        updatedAt: new Date(now),
      });
      await tx.insert(Webhook, webhook);
      await this.record(tx, caller, "createWebhook", webhook, null, webhookView(webhook));
      return ok({ webhook, secret: webhook.signingSecret });
    });
  }

  async update(caller: Caller, input: WebhookUpdate): Promise<Result<Webhook>> {
    const checked = await this.check({
      url: input.url ?? undefined,
      events: input.events ?? undefined,
      description: input.description,
    });
    if (!checked.ok) return checked;
    return changeProject(this.db, caller.projectId, async (tx) => {
      const webhook = await this.find(tx, caller, input.id);
      if (!webhook) return fail(UserErrors.notFound(["input", "id"], "webhook"));
      const before = webhookView(webhook);
      Object.assign(webhook, checked.value);
      if (input.active !== undefined && input.active !== null) webhook.active = input.active;
      webhook.updatedAt = new Date(this.clock.now());
      await tx.save(Webhook, webhook);
      await this.record(tx, caller, "updateWebhook", webhook, before, webhookView(webhook));
      return ok(webhook);
    });
  }

  /** Deletes the webhook with its deliveries: pending ones are dropped, the log goes with it. */
  delete(caller: Caller, id: string): Promise<Result<Webhook>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const webhook = await this.find(tx, caller, id);
      if (!webhook) return fail(UserErrors.notFound(["id"], "webhook"));
      await tx
        .createQueryBuilder()
        .delete()
        .from(WebhookAttempt)
        .where("delivery_id IN (SELECT id FROM webhook_delivery WHERE webhook_id = :id)", { id })
        .execute();
      await tx.delete(WebhookDelivery, { webhookId: id });
      await tx.delete(Webhook, { id });
      await this.record(tx, caller, "deleteWebhook", webhook, webhookView(webhook), null);
      return ok(webhook);
    });
  }

  /** A new delivery of the same message (same body and messageId), due now. */
  redeliver(caller: Caller, deliveryId: string): Promise<Result<WebhookDelivery>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const original = isId(deliveryId)
        ? await tx.findOne(WebhookDelivery, { where: { id: deliveryId, projectId: caller.projectId } })
        : null;
      if (!original) return fail(UserErrors.notFound(["deliveryId"], "webhook delivery"));
      const webhook = await this.find(tx, caller, original.webhookId);
      if (!webhook?.active)
        return fail(
          UserErrors.invalidState(
            ["deliveryId"],
            "Its webhook is inactive: make it active first (updateWebhook)",
          ),
        );
      const now = new Date(this.clock.now());
      const delivery = Object.assign(new WebhookDelivery(), {
        id: newId(now.getTime()),
        projectId: caller.projectId,
        webhookId: original.webhookId,
        messageId: original.messageId,
        type: original.type,
        body: original.body,
        status: DeliveryStatus.PENDING,
        attempts: 0,
        createdAt: now,
        lastAttemptAt: null,
        lastResponseStatus: null,
        lastError: null,
        nextAttemptAt: now,
        leaseUntil: null,
        leaseToken: null,
      });
      await tx.insert(WebhookDelivery, delivery);
      await this.record(tx, caller, "redeliverWebhook", webhook, null, {
        deliveryId: delivery.id,
        redelivers: original.id,
        messageId: delivery.messageId,
        type: delivery.type,
      });
      return ok(delivery);
    });
  }

  /** A page of each webhook's deliveries, newest first, in one statement however many webhooks. */
  deliveryPages(
    caller: Caller,
    webhookIds: readonly string[],
    page: PageRequest,
  ): Promise<Map<string, Page<WebhookDelivery>>> {
    return newestFirstPagesOf(
      this.db.reader,
      { table: "webhook_delivery", ownerColumn: "webhook_id", toNode: deliveryOf },
      caller.projectId,
      webhookIds,
      page,
    );
  }

  /** Every attempt of these deliveries, in order. */
  attemptsOf(caller: Caller, deliveryIds: readonly string[]): Promise<WebhookAttempt[]> {
    return this.db.reader.find(WebhookAttempt, {
      where: { projectId: caller.projectId, deliveryId: In([...deliveryIds]) },
      order: { deliveryId: "ASC", number: "ASC" },
    });
  }

  private find(tx: EntityManager, caller: Caller, id: string): Promise<Webhook | null> {
    return isId(id)
      ? tx.findOne(Webhook, { where: { id, projectId: caller.projectId } })
      : Promise.resolve(null);
  }

  /** The given fields, checked: every problem at its input path. */
  private async check(input: Partial<WebhookInput>): Promise<Result<CheckedFields>> {
    const errors: UserError[] = [];
    const fields: CheckedFields = {};
    if (input.url !== undefined) {
      const url = input.url.trim();
      const problem = await urlProblem(url, this.policy.allowPrivateNetworks, this.resolve);
      if (problem) errors.push(UserErrors.invalid(["input", "url"], problem));
      fields.url = url;
    }
    if (input.events !== undefined) {
      if (input.events.length === 0)
        errors.push(UserErrors.invalid(["input", "events"], "Name at least one event type, or * for all"));
      input.events.forEach((selection, index) => {
        const problem = selectionProblem(selection);
        if (problem) errors.push(UserErrors.invalid(at(["input", "events"], index), problem));
      });
      fields.events = [...new Set(input.events)];
    }
    if (input.description !== undefined) {
      const description = normalizeDescription(input.description, ["input", "description"]);
      if (description.ok) fields.description = description.value;
      else errors.push(...description.errors);
    }
    return errors.length ? fail(...errors) : ok(fields);
  }

  private record(
    tx: EntityManager,
    caller: Caller,
    action: string,
    webhook: Webhook,
    before: object | null,
    after: object | null,
  ): Promise<void> {
    return this.audit.record(tx, caller, {
      action,
      entityType: "Webhook",
      entityId: webhook.id,
      before,
      after,
    });
  }
}

interface DeliveryRow {
  id: string;
  project_id: string;
  webhook_id: string;
  message_id: string;
  type: string;
  body: string;
  status: DeliveryStatus;
  attempts: number | string;
  created_at: number | string;
  last_attempt_at: number | string | null;
  last_response_status: number | string | null;
  last_error: string | null;
  next_attempt_at: number | string | null;
  lease_until: number | string | null;
  lease_token: string | null;
}

const instant = (value: number | string | null) => (value === null ? null : new Date(Number(value)));

function deliveryOf(row: DeliveryRow): WebhookDelivery {
  return Object.assign(new WebhookDelivery(), {
    id: row.id,
    projectId: row.project_id,
    webhookId: row.webhook_id,
    messageId: row.message_id,
    type: row.type,
    body: row.body,
    status: row.status,
    attempts: Number(row.attempts),
    createdAt: new Date(Number(row.created_at)),
    lastAttemptAt: instant(row.last_attempt_at),
    lastResponseStatus: row.last_response_status === null ? null : Number(row.last_response_status),
    lastError: row.last_error,
    nextAttemptAt: instant(row.next_attempt_at),
    leaseUntil: instant(row.lease_until),
    leaseToken: row.lease_token,
  });
}
