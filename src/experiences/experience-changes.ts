import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import { forUpdate, sql } from "../db/sql";
import type { Clock } from "../shared/clock";
import { isId, newId } from "../shared/ids";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors, type FieldPath } from "../shared/user-error";
import { versionConflict } from "../shared/versions";
import { ExperienceGoal } from "./experience-goal.entity";
import { ExperienceGuardrail } from "./experience-guardrail.entity";
import { ExperienceKind, KIND_IN_WORDS } from "./experience-kind";
import type { ExperienceReadModel } from "./experience-read-model";
import { changedFields, type Snapshot } from "./experience-snapshot";
import { ExperienceVersion } from "./experience-version.entity";
import { Experience, TYPE_NAME_OF_KIND } from "./experience.entity";
import { KeyValue } from "./key-value.entity";
import { TestUser } from "./test-user.entity";
import { Variant } from "./variant.entity";

/** Which experience a change is about, and what the caller expects of it. */
export interface ChangeRequest {
  id: string;
  /** Where the id was sent: ["id"], ["input", "id"] or, in a bulk archive, ["ids", "3"]. */
  idField: FieldPath;
  /** Only this kind (an update through a kind's own mutation): another kind's id is NOT_FOUND. */
  kind?: ExperienceKind;
  expectedVersion?: number | null;
  /** Where the expected version was sent, for CONFLICT. */
  versionField: FieldPath;
  /** Hold the row's lock until commit (life-cycle moves: placements in flight commit first). */
  lock?: boolean;
  /** What the caller wants to do, for ARCHIVED's message; null lets archived experiences through. */
  archivedAction: string | null;
}

export interface OpenChange {
  experience: Experience;
  /** The experience before the change, for the audit log and the version's changed fields. */
  before: Snapshot;
}

/**
 * The unit of change every experience mutation goes through, inside the mutation's transaction:
 * `open` finds the experience (NOT_FOUND, CONFLICT, ARCHIVED), `commit` saves it as its next version
 * with an audit event and a history version, `created` records version 1. History and audit are
 * therefore written for every change, and versions are numbered without gaps.
 */
export class ExperienceChanges {
  constructor(
    private readonly reads: ExperienceReadModel,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async open(tx: EntityManager, caller: Caller, request: ChangeRequest): Promise<Result<OpenChange>> {
    const { id, idField } = request;
    if (request.lock && isId(id)) {
      await sql(tx, `SELECT id FROM experience WHERE id = :id AND project_id = :projectId${forUpdate(tx)}`, {
        id,
        projectId: caller.projectId,
      });
    }
    const experience = await this.reads.find(tx, caller.projectId, id);
    if (!experience || (request.kind && experience.kind !== request.kind)) {
      return fail(UserErrors.notFound(idField, request.kind ? KIND_IN_WORDS[request.kind] : "experience"));
    }
    const conflict = versionConflict(
      KIND_IN_WORDS[experience.kind],
      experience.version,
      request.expectedVersion,
      request.versionField,
    );
    if (conflict) return fail(conflict);
    if (request.archivedAction !== null && experience.archivedAt !== null) {
      return fail(UserErrors.archived(idField, "experience", request.archivedAction));
    }
    return ok({ experience, before: await this.snapshot(tx, experience) });
  }

  /** Saves the experience as its next version; `action` names it in the history ("update", "start", ...). */
  async commit(tx: EntityManager, caller: Caller, action: string, change: OpenChange): Promise<Experience> {
    const { experience, before } = change;
    experience.version += 1;
    experience.updatedAt = new Date(this.clock.now());
    await tx.save(Experience, experience);
    await this.record(tx, caller, action, before, experience);
    return experience;
  }

  /** Records a new experience (already inserted, with its related rows) as its version 1. */
  async created(tx: EntityManager, caller: Caller, experience: Experience): Promise<Experience> {
    await this.record(tx, caller, "create", null, experience);
    return experience;
  }

  private async record(
    tx: EntityManager,
    caller: Caller,
    action: string,
    before: Snapshot | null,
    experience: Experience,
  ): Promise<void> {
    const after = await this.snapshot(tx, experience);
    await this.audit.record(tx, caller, {
      action: auditAction(action, experience.kind),
      entityType: "Experience",
      entityId: experience.id,
      before,
      after,
    });
    const version = Object.assign(new ExperienceVersion(), {
      id: newId(),
      projectId: experience.projectId,
      experienceId: experience.id,
      version: experience.version,
      at: experience.updatedAt,
      actor: caller.tokenName,
      action,
      status: experience.status,
      // Through JSON, as it will be read back: dates become the strings the API shows.
      snapshot: JSON.parse(JSON.stringify(after)),
      changedFields: changedFields(before, after),
    });
    await tx.insert(ExperienceVersion, version);
  }

  /** The experience as the API shows it, with its values, variants and goals (experience-snapshot.ts). */
  async snapshot(tx: EntityManager, experience: Experience): Promise<Snapshot> {
    const values = await tx.find(KeyValue, {
      where: { experienceId: experience.id },
      order: { position: "ASC" },
    });
    const plain = (rows: KeyValue[]) => rows.map(({ keyId, value }) => ({ keyId, value }));
    const common = {
      id: experience.id,
      kind: experience.kind,
      name: experience.name,
      description: experience.description,
      status: experience.status,
      segmentId: experience.segmentId,
      archived: experience.archivedAt !== null,
      startedAt: experience.startedAt,
      stoppedAt: experience.stoppedAt,
      scheduledStartAt: experience.scheduledStartAt,
      scheduledStopAt: experience.scheduledStopAt,
      createdAt: experience.createdAt,
      updatedAt: experience.updatedAt,
      version: experience.version,
    };
    switch (experience.kind) {
      case ExperienceKind.PRODUCT_CONFIG:
        return { ...common, priority: experience.priority, values: plain(values) };
      case ExperienceKind.FEATURE_FLAG:
        return { ...common, rolloutPercentage: experience.rolloutPercentage, ...plain(values)[0] };
      case ExperienceKind.AB_TEST: {
        // One after another: a transaction is one connection, which runs one statement at a time.
        const variants = await tx.find(Variant, {
          where: { experienceId: experience.id },
          order: { position: "ASC" },
        });
        const goals = await tx.find(ExperienceGoal, {
          where: { experienceId: experience.id },
          order: { position: "ASC" },
        });
        const guardrails = await tx.find(ExperienceGuardrail, {
          where: { experienceId: experience.id },
          order: { position: "ASC" },
        });
        const testUsers = await tx.find(TestUser, {
          where: { experienceId: experience.id },
          order: { userId: "ASC" },
        });
        return {
          ...common,
          trafficPercentage: experience.trafficPercentage,
          mutuallyExclusive: experience.mutuallyExclusive,
          priority: experience.priority,
          stickyTarget: experience.stickyTarget,
          exposureEvent: experience.exposureEvent,
          primaryGoalId: experience.primaryGoalId,
          goalIds: goals.map((goal) => goal.goalId),
          analysis: experience.analysis,
          guardrailGoalIds: guardrails.map((guardrail) => guardrail.goalId),
          guardrailAction: experience.guardrailAction,
          guardrailBreach: experience.guardrailBreach,
          variants: variants.map((variant) => ({
            id: variant.id,
            name: variant.name,
            weight: variant.weight,
            isControl: variant.isControl,
            values: plain(values.filter((value) => value.variantId === variant.id)),
          })),
          testUsers: testUsers.map(({ userId, variantId }) => ({ userId, variantId })),
          winnerVariantId: experience.winnerVariantId,
          rolledOutVariantId: experience.rolledOutVariantId,
          rolledOutToId: experience.rolledOutToId,
        };
      }
    }
  }
}

/** The audit log's name for a change: createABTest, updateFeatureFlag, startExperience, ... */
function auditAction(action: string, kind: ExperienceKind): string {
  return action === "create" || action === "update"
    ? `${action}${TYPE_NAME_OF_KIND[kind]}`
    : `${action}Experience`;
}
