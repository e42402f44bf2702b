import type { Logger } from "pino";
import type { EntityManager } from "typeorm";
import type { WebhookPolicy } from "../config";
import type { Database } from "../db/database";
import { changedRows, forUpdateSkipLocked, sql } from "../db/sql";
import type { Clock } from "../shared/clock";
import { newId } from "../shared/ids";
import { PeriodicPass } from "../shared/periodic-pass";
import type { Signals } from "../shared/signals";
import { WebhookAttempt } from "./webhook-attempt.entity";
import { DeliveryStatus } from "./webhook-delivery.entity";
import { sendAttempt, type AttemptOutcome, type Resolve } from "./webhook-sender";

/** How often a process looks for due deliveries (a read; nothing is written unless one is due). */
const POLL_INTERVAL_MS = 250;
/** Attempts in flight per process: a burst of changes is sent a few at a time. */
const MAX_IN_FLIGHT = 16;
/** Attempts in flight per webhook and process: a slow receiver holds at most these, never the others'. */
const MAX_IN_FLIGHT_PER_WEBHOOK = 4;
/** A claim outlives its attempt's timeout by this much: the time to record the outcome. */
const LEASE_MARGIN_MS = 5000;
/** Finished deliveries are kept this long, then deleted with their attempts. */
const KEEP_FINISHED_MS = 30 * 86_400_000;
const PRUNE_INTERVAL_MS = 3_600_000;

/** A delivery this process holds for one attempt. */
interface Claim {
  id: string;
  projectId: string;
  webhookId: string;
  messageId: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
  leaseToken: string;
}

interface ClaimRequest {
  now: number;
  /** Webhooks with due deliveries, and how many more attempts each may have in flight here. */
  rooms: { webhookId: string; room: number }[];
  /** Claims in all: the process's room. */
  limit: number;
  leaseUntil: number;
}

interface Attempted {
  claim: Claim;
  at: number;
  outcome: AttemptOutcome;
}

/**
 * Sends the outbox's deliveries, in every server process. A pass claims due deliveries in a short
 * transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so processes take different ones; SQLite: its
 * one writer) by giving each a lease: until it ends no other process takes the delivery, so one
 * attempt of it is under way at a time. The attempt itself runs outside any transaction; its
 * outcome is recorded by the claim that made it (the lease's token), with the next attempt's time
 * from the retry schedule, or FAILED after it. A process killed mid-attempt leaves a lease that
 * simply ends: the delivery is attempted again then (at least once, never lost). Claims and
 * outcomes are shared transactions: nothing a request remembers depends on them.
 */
export class WebhookDispatcher {
  private readonly passes: PeriodicPass;
  private readonly inFlight = new Map<string, number>();
  private readonly attempts = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    private readonly policy: WebhookPolicy & { resolve?: Resolve },
    private readonly clock: Clock,
    private readonly signals: Signals,
    private readonly logger: Logger,
  ) {
    this.passes = new PeriodicPass(
      () => this.runPass(),
      POLL_INTERVAL_MS,
      (error) => this.logger.error({ err: error }, "webhooks: a pass failed; the next one retries"),
    );
  }

  start(): void {
    this.passes.start();
  }

  /** Stops claiming, interrupts the attempts under way and frees their deliveries for the next start. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.passes.stop();
    await Promise.all(this.attempts);
  }

  /** Seconds since the oldest pending delivery's change: how far behind the receivers are. */
  async oldestPendingSeconds(): Promise<number> {
    const [row] = await sql<{ oldest: number | string | null }>(
      this.db.reader,
      "SELECT MIN(created_at) AS oldest FROM webhook_delivery WHERE status = :pending",
      { pending: DeliveryStatus.PENDING },
    );
    return row?.oldest == null ? 0 : Math.max(0, (this.clock.now() - Number(row.oldest)) / 1000);
  }

  private get busy(): number {
    let total = 0;
    for (const count of this.inFlight.values()) total += count;
    return total;
  }

  private async runPass(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const now = this.clock.now();
    if (now - this.prunedAt >= PRUNE_INTERVAL_MS) await this.prune(now);
    const room = MAX_IN_FLIGHT - this.busy;
    if (room <= 0) return;
    const due = await sql<{ webhook_id: string }>(
      this.db.reader,
      `SELECT DISTINCT d.webhook_id FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
        WHERE d.status = :pending AND d.next_attempt_at <= :now AND (d.lease_until IS NULL OR d.lease_until <= :now)
          AND w.active = :active`,
      { pending: DeliveryStatus.PENDING, now, active: true },
    );
    const rooms = due
      .map(({ webhook_id }) => ({
        webhookId: webhook_id,
        room: MAX_IN_FLIGHT_PER_WEBHOOK - (this.inFlight.get(webhook_id) ?? 0),
      }))
      .filter((entry) => entry.room > 0);
    if (rooms.length === 0) return;
    const claims = await this.db.sharedTransaction(claimDue, {
      now,
      rooms,
      limit: room,
      leaseUntil: now + this.policy.timeoutMs + LEASE_MARGIN_MS,
    });
    for (const claim of claims) this.launch(claim);
  }

  private launch(claim: Claim): void {
    this.inFlight.set(claim.webhookId, (this.inFlight.get(claim.webhookId) ?? 0) + 1);
    const attempt = this.attempt(claim)
      .catch((error) =>
        this.logger.error(
          { err: error, delivery: claim.id },
          "webhooks: an attempt's outcome was not recorded",
        ),
      )
      .finally(() => {
        const left = (this.inFlight.get(claim.webhookId) ?? 1) - 1;
        if (left > 0) this.inFlight.set(claim.webhookId, left);
        else this.inFlight.delete(claim.webhookId);
        this.attempts.delete(attempt);
        // The next due delivery need not wait for the timer.
        if (!this.stopping.signal.aborted) void this.passes.tick();
      });
    this.attempts.add(attempt);
  }

  private async attempt(claim: Claim): Promise<void> {
    const at = this.clock.now();
    const outcome = await sendAttempt(
      { url: claim.url, messageId: claim.messageId, body: claim.body, secret: claim.secret },
      this.policy,
      this.stopping.signal,
    );
    if (this.stopping.signal.aborted && !outcome.succeeded) {
      // Interrupted by the shutdown, not failed: the next start (or another process) attempts it now.
      await this.db.sharedTransaction(releaseClaims, claim);
      return;
    }
    const next = this.outcomeOf(claim, outcome);
    await this.db.sharedTransaction(recordAttempts, { claim, at, outcome, ...next });
    this.signals.webhookAttempted(
      next.status === DeliveryStatus.PENDING ? "retrying" : next.status,
      outcome.durationMs / 1000,
    );
    if (next.status === DeliveryStatus.FAILED)
      this.logger.warn(
        { delivery: claim.id, webhook: claim.webhookId, error: outcome.error },
        "webhooks: a delivery failed for good",
      );
  }

  /** Where the delivery stands after this attempt: done, due again after the schedule's wait, or FAILED. */
  private outcomeOf(
    claim: Claim,
    outcome: AttemptOutcome,
  ): { status: DeliveryStatus; nextAttemptAt: number | null } {
    if (outcome.succeeded) return { status: DeliveryStatus.SUCCEEDED, nextAttemptAt: null };
    const wait = this.policy.retryScheduleMs[claim.attempts];
    return wait === undefined
      ? { status: DeliveryStatus.FAILED, nextAttemptAt: null }
      : { status: DeliveryStatus.PENDING, nextAttemptAt: this.clock.now() + wait };
  }

  private async prune(now: number): Promise<void> {
    this.prunedAt = now;
    await this.db.transaction(async (tx) => {
      const finished = "SELECT id FROM webhook_delivery WHERE status <> :pending AND created_at < :before";
      const parameters = { pending: DeliveryStatus.PENDING, before: now - KEEP_FINISHED_MS };
      await sql(tx, `DELETE FROM webhook_attempt WHERE delivery_id IN (${finished})`, parameters);
      await sql(tx, `DELETE FROM webhook_delivery WHERE id IN (${finished})`, parameters);
    });
  }
}

/** Claims the due deliveries of each webhook, as many as its room, by leasing them. */
async function claimDue(tx: EntityManager, requests: readonly ClaimRequest[]): Promise<Claim[][]> {
  const answers: Claim[][] = [];
  for (const request of requests) {
    const claims: Claim[] = [];
    for (const { webhookId, room } of request.rooms) {
      const take = Math.min(room, request.limit - claims.length);
      if (take <= 0) break;
      const rows = await sql<{
        id: string;
        project_id: string;
        message_id: string;
        body: string;
        attempts: number | string;
        url: string;
        signing_secret: string;
      }>(
        tx,
        `SELECT d.id, d.project_id, d.message_id, d.body, d.attempts, w.url, w.signing_secret
           FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
          WHERE d.webhook_id = :webhookId AND d.status = :pending AND d.next_attempt_at <= :now
            AND (d.lease_until IS NULL OR d.lease_until <= :now) AND w.active = :active
          ORDER BY d.next_attempt_at, d.id LIMIT :take${forUpdateSkipLocked(tx, "d")}`,
        { webhookId, pending: DeliveryStatus.PENDING, now: request.now, active: true, take },
      );
      const leaseToken = newId(request.now);
      for (const row of rows)
        claims.push({
          id: row.id,
          projectId: row.project_id,
          webhookId,
          messageId: row.message_id,
          body: row.body,
          attempts: Number(row.attempts),
          url: row.url,
          secret: row.signing_secret,
          leaseToken,
        });
      if (rows.length)
        await sql(
          tx,
          "UPDATE webhook_delivery SET lease_until = :leaseUntil, lease_token = :leaseToken WHERE id IN (:...ids)",
          { leaseUntil: request.leaseUntil, leaseToken, ids: rows.map((row) => row.id) },
        );
    }
    answers.push(claims);
  }
  return answers;
}

/**
 * Records attempts' outcomes, each only while its claim still holds the delivery (a lease that
 * ended and was taken by another process is that process's now).
 */
async function recordAttempts(
  tx: EntityManager,
  attempts: readonly (Attempted & { status: DeliveryStatus; nextAttemptAt: number | null })[],
): Promise<void[]> {
  for (const { claim, at, outcome, status, nextAttemptAt } of attempts) {
    const held = await changedRows(
      tx,
      `UPDATE webhook_delivery SET status = :status, attempts = :attempts, last_attempt_at = :at,
              last_response_status = :responseStatus, last_error = :error, next_attempt_at = :nextAttemptAt,
              lease_until = NULL, lease_token = NULL
        WHERE id = :id AND lease_token = :leaseToken`,
      {
        id: claim.id,
        leaseToken: claim.leaseToken,
        status,
        attempts: claim.attempts + 1,
        at,
        responseStatus: outcome.status,
        error: outcome.error,
        nextAttemptAt,
      },
    );
    if (held)
      await tx.insert(WebhookAttempt, {
        deliveryId: claim.id,
        number: claim.attempts + 1,
        projectId: claim.projectId,
        at: new Date(at),
        durationMs: outcome.durationMs,
        responseStatus: outcome.status,
        error: outcome.error,
        succeeded: outcome.succeeded,
      });
  }
  return attempts.map(() => undefined);
}

/** Frees claimed deliveries without counting an attempt. */
async function releaseClaims(tx: EntityManager, claims: readonly Claim[]): Promise<void[]> {
  for (const claim of claims)
    await sql(
      tx,
      "UPDATE webhook_delivery SET lease_until = NULL, lease_token = NULL WHERE id = :id AND lease_token = :leaseToken",
      { id: claim.id, leaseToken: claim.leaseToken },
    );
  return claims.map(() => undefined);
}
