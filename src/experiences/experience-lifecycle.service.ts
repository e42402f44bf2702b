import type { EntityManager } from "typeorm";
import { Role, type Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import { archiveEach, changeProject } from "../db/unit-of-work";
import { ExclusiveSlot } from "../evaluation/exclusive-slot.entity";
import { KeyClaim } from "../evaluation/key-claim.entity";
import type { ResultRollups } from "../results/rollups";
import type { Clock } from "../shared/clock";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors, type FieldPath } from "../shared/user-error";
import { bulkIdsError, type BulkArchived } from "../shared/versions";
import type { ExperienceChanges, OpenChange } from "./experience-changes";
import { ExperienceKind, ExperienceStatus } from "./experience-kind";
import {
  canArchive,
  dueMove,
  nextStatus,
  scheduleErrors,
  type LifecycleAction,
  type ScheduleRequest,
} from "./experience-rules";
import { Experience } from "./experience.entity";
import { KeyValue } from "./key-value.entity";
import { sql } from "../db/sql";

/** What a change by the server itself is recorded as: the audit log's and the history's actor. */
export function schedulerCaller(projectId: string): Caller {
  return { projectId, role: Role.ADMIN, tokenId: "scheduler", tokenName: "scheduler", configVersion: 0 };
}

/**
 * Where an experience is in its life cycle, and when it moves by itself: start, pause, stop,
 * archive (one or many), schedules, and the scheduled moves the scheduler asks for. Every move goes
 * through ExperienceChanges, so each is a version with its audit event.
 */
export class ExperienceLifecycleService {
  constructor(
    private readonly db: Database,
    private readonly changes: ExperienceChanges,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly rollups: ResultRollups,
  ) {}

  start(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Experience>> {
    return this.transition(caller, id, "start", expectedVersion);
  }

  pause(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Experience>> {
    return this.transition(caller, id, "pause", expectedVersion);
  }

  stop(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Experience>> {
    return this.transition(caller, id, "stop", expectedVersion);
  }

  /** Only DRAFT and STOPPED experiences can be archived; archived ones are read-only for good. */
  archive(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, (tx) =>
      this.archiveOne(tx, caller, id, ["id"], expectedVersion, ["expectedVersion"]),
    );
  }

  /** 1 to 100 ids, each judged alone like `archive`, in one transaction; the refused come back as userErrors. */
  archiveMany(caller: Caller, ids: readonly string[]): Promise<BulkArchived> {
    const refused = bulkIdsError(ids);
    if (refused) return Promise.resolve({ archived: [], userErrors: [refused] });
    return archiveEach(this.db, caller.projectId, ids, (tx, id, field) =>
      this.archiveOne(tx, caller, id, field, null, field),
    );
  }

  /**
   * Sets when the experience starts and stops by itself (undefined keeps a time, null clears it).
   * At the time the scheduler moves it exactly as the mutation would (`runDue`).
   */
  schedule(
    caller: Caller,
    id: string,
    wanted: ScheduleRequest,
    expectedVersion?: number | null,
  ): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const opened = await this.changes.open(tx, caller, {
        id,
        idField: ["id"],
        expectedVersion,
        versionField: ["expectedVersion"],
        archivedAction: "schedule it",
      });
      if (!opened.ok) return opened;
      const { experience } = opened.value;
      const current = { startAt: experience.scheduledStartAt, stopAt: experience.scheduledStopAt };
      const errors = scheduleErrors(experience.status, current, wanted, this.clock.now());
      if (errors.length) return fail(...errors);
      if (wanted.startAt !== undefined) experience.scheduledStartAt = wanted.startAt;
      if (wanted.stopAt !== undefined) experience.scheduledStopAt = wanted.stopAt;
      return ok(await this.changes.commit(tx, caller, "schedule", opened.value));
    });
  }

  /**
   * Performs every scheduled move due at `now`, each as its mutation would (same checks, a version,
   * an audit event, actor "scheduler"). Exactly once however many processes ask: each move re-reads
   * its experience under the project's lock and does nothing if another process got there first. A
   * move no longer allowed (a second live flag for the key, say) is dropped, the reason in the log.
   * Returns how many moves it made or dropped.
   */
  async runDue(now: number = this.clock.now()): Promise<number> {
    const due = await sql<{ id: string; project_id: string }>(
      this.db.reader,
      `SELECT id, project_id FROM experience
        WHERE archived_at IS NULL AND (scheduled_start_at <= :now OR scheduled_stop_at <= :now)
        ORDER BY id`,
      { now },
    );
    let done = 0;
    for (const { id, project_id: projectId } of due) {
      // A start and a stop may both be due (the server was down): each round performs the earlier.
      while (await this.runOneDue(schedulerCaller(projectId), id, now)) done++;
    }
    return done;
  }

  // ------------------------------------------------------------------ the shared steps

  private transition(
    caller: Caller,
    id: string,
    action: LifecycleAction,
    expectedVersion?: number | null,
  ): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      // Locked before the move is dated: placements in flight (which share-lock the row) commit
      // first, so no assignment is dated after a stop and the stop frees every slot they took.
      const opened = await this.changes.open(tx, caller, {
        id,
        idField: ["id"],
        expectedVersion,
        versionField: ["expectedVersion"],
        lock: true,
        archivedAction: `${action} it`,
      });
      if (!opened.ok) return opened;
      return this.move(tx, caller, opened.value, action);
    });
  }

  /**
   * The checks and writes of a life-cycle move, for the mutation, the scheduler and a roll-out alike,
   * within a change of the project already under way. `recordAs` names the move in the history when
   * it is part of another operation (a roll-out stops its test as "rollOut").
   */
  async move(
    tx: EntityManager,
    caller: Caller,
    change: OpenChange,
    action: LifecycleAction,
    recordAs: string = action,
  ): Promise<Result<Experience>> {
    const { experience } = change;
    const next = nextStatus(experience.status, action);
    if (next === null) {
      const verb = action === "stop" ? "stopped" : `${action}ed`;
      return fail(UserErrors.invalidState(["id"], `A ${experience.status} experience cannot be ${verb}`));
    }
    if (action === "start" && experience.kind === ExperienceKind.FEATURE_FLAG) {
      const rival = await liveFlagOfSameKey(tx, experience);
      if (rival) {
        return fail(
          UserErrors.invalidState(
            ["id"],
            `The feature flag "${rival.name}" already serves this key: stop it first (a key has one live flag)`,
          ),
        );
      }
    }
    const now = new Date(this.clock.now());
    experience.status = next;
    // A schedule for a move that has happened no longer applies.
    if (action === "start") {
      experience.startedAt ??= now;
      experience.scheduledStartAt = null;
      // A breach counts since the test last started: starting again watches afresh.
      if (experience.kind === ExperienceKind.AB_TEST) experience.guardrailBreach = null;
    }
    if (action === "stop") {
      experience.stoppedAt = now;
      experience.scheduledStartAt = null;
      experience.scheduledStopAt = null;
      // Its users may now be placed in another exclusive test, and in other tests that set its keys.
      if (experience.mutuallyExclusive) await tx.delete(ExclusiveSlot, { experienceId: experience.id });
      if (experience.kind === ExperienceKind.AB_TEST) {
        await tx.delete(KeyClaim, { experienceId: experience.id });
        // Events dated at or after the stop no longer count.
        await this.rollups.stopped(tx, experience.id, now.getTime());
      }
    }
    return ok(await this.changes.commit(tx, caller, recordAs, change));
  }

  private async archiveOne(
    tx: EntityManager,
    caller: Caller,
    id: string,
    field: FieldPath,
    expectedVersion: number | null | undefined,
    versionField: FieldPath,
  ): Promise<Result<Experience>> {
    const opened = await this.changes.open(tx, caller, {
      id,
      idField: field,
      expectedVersion,
      versionField,
      archivedAction: null,
    });
    if (!opened.ok) return opened;
    const { experience } = opened.value;
    if (experience.archivedAt !== null)
      return fail(UserErrors.invalidState(field, "This experience is already archived"));
    if (!canArchive(experience.status)) {
      return fail(
        UserErrors.invalidState(field, `A ${experience.status} experience cannot be archived: stop it first`),
      );
    }
    experience.archivedAt = new Date(this.clock.now());
    experience.scheduledStartAt = null;
    experience.scheduledStopAt = null;
    return ok(await this.changes.commit(tx, caller, "archive", opened.value));
  }

  /**
   * The earliest scheduled move of one experience, if it is still due once the project's lock is
   * held (another process may have made it already: then nothing is written at all). True when a
   * move was made or dropped, so that a second move due at the same time gets its turn.
   */
  private async runOneDue(caller: Caller, id: string, now: number): Promise<boolean> {
    let refusal: { move: LifecycleAction; reason: string } | null = null;
    const result = await changeProject(this.db, caller.projectId, async (tx) => {
      const opened = await this.changes.open(tx, caller, {
        id,
        idField: ["id"],
        versionField: ["expectedVersion"],
        lock: true,
        archivedAction: "move it",
      });
      if (!opened.ok) return opened;
      const { experience } = opened.value;
      const move = dueMove({ startAt: experience.scheduledStartAt, stopAt: experience.scheduledStopAt }, now);
      if (move === null) return fail(NOT_DUE);
      const moved = await this.move(tx, caller, opened.value, move);
      if (!moved.ok) refusal = { move, reason: moved.errors.map((error) => error.message).join("; ") };
      return moved;
    });
    if (result.ok) return true;
    const refused = refusal as { move: LifecycleAction; reason: string } | null;
    return refused !== null && (await this.drop(caller, id, refused.move, refused.reason, now));
  }

  /** Clears a scheduled move that is no longer allowed, as a version, with the reason in the audit log. */
  private async drop(
    caller: Caller,
    id: string,
    move: LifecycleAction,
    reason: string,
    now: number,
  ): Promise<boolean> {
    const dropped = await changeProject(this.db, caller.projectId, async (tx) => {
      const opened = await this.changes.open(tx, caller, {
        id,
        idField: ["id"],
        versionField: ["expectedVersion"],
        archivedAction: "move it",
      });
      if (!opened.ok) return opened;
      const { experience } = opened.value;
      // Still the move that failed, still due: another process has not dropped it already.
      if (dueMove({ startAt: experience.scheduledStartAt, stopAt: experience.scheduledStopAt }, now) !== move)
        return fail(NOT_DUE);
      if (move === "start") experience.scheduledStartAt = null;
      else experience.scheduledStopAt = null;
      const committed = await this.changes.commit(tx, caller, "dropSchedule", opened.value);
      await this.audit.record(tx, caller, {
        action: "dropScheduledMove",
        entityType: "Experience",
        entityId: experience.id,
        before: null,
        after: {
          move,
          scheduledFor: opened.value.before[move === "start" ? "scheduledStartAt" : "scheduledStopAt"],
        },
        note: `The scheduled ${move} was dropped: ${reason}`,
      });
      return ok(committed);
    });
    return dropped.ok;
  }
}

/** A refusal that only rolls back a scheduled move another process made first; never shown to anyone. */
const NOT_DUE = UserErrors.invalidState(["id"], "not due any more");

async function liveFlagOfSameKey(tx: EntityManager, flag: Experience): Promise<Experience | null> {
  const [own] = await tx.find(KeyValue, { where: { experienceId: flag.id } });
  return tx
    .createQueryBuilder(Experience, "experience")
    .innerJoin(KeyValue, "value", "value.experienceId = experience.id")
    .where("value.keyId = :keyId AND experience.kind = :kind AND experience.id <> :id", {
      keyId: own.keyId,
      kind: ExperienceKind.FEATURE_FLAG,
      id: flag.id,
    })
    .andWhere("experience.status IN (:...live)", {
      live: [ExperienceStatus.RUNNING, ExperienceStatus.PAUSED],
    })
    .getOne();
}
