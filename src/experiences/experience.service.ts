import type { EntityManager } from "typeorm";
import { ExclusiveSlot } from "../evaluation/exclusive-slot.entity";
import type { Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import { forUpdate, sql } from "../db/sql";
import { changeProject } from "../db/unit-of-work";
import { valueTypeError } from "../keys/key-rules";
import { Key } from "../keys/key.entity";
import type { SettingsService } from "../settings/settings.service";
import { applyNaming, checkNaming, nameHolder, type Naming } from "../setup/named-row";
import { isId, newId } from "../shared/ids";
import { errorsOf, fail, ok, type Result } from "../shared/result";
import { at, UserErrors, type UserError } from "../shared/user-error";
import { ExperienceGoal } from "./experience-goal.entity";
import type { ExperienceReadModel } from "./experience-read-model";
import { ExperienceKind, ExperienceStatus, KIND_IN_WORDS } from "./experience-kind";
import {
  canArchive,
  goalListErrors,
  nextStatus,
  rolloutError,
  trafficError,
  variantErrors,
  type LifecycleAction,
} from "./experience-rules";
import { Experience, TYPE_NAME_OF_KIND } from "./experience.entity";
import { KeyValue } from "./key-value.entity";
import { References, type KeyValueDraft } from "./references";
import { Variant } from "./variant.entity";

interface CommonInput {
  name: string;
  description?: string | null;
  segmentId?: string | null;
}

interface CommonUpdate {
  id: string;
  name?: string | null;
  description?: string | null;
  segmentId?: string | null;
}

export interface CreateProductConfig extends CommonInput {
  values: KeyValueDraft[];
  priority?: number | null;
}

export interface CreateFeatureFlag extends CommonInput {
  keyId: string;
  value: unknown;
  rolloutPercentage?: number | null;
}

export interface VariantDraft {
  name: string;
  weight: number;
  isControl?: boolean | null;
  values: KeyValueDraft[];
}

export interface CreateABTest extends CommonInput {
  trafficPercentage?: number | null;
  variants: VariantDraft[];
  goalIds: string[];
  primaryGoalId: string;
  mutuallyExclusive?: boolean | null;
}

export interface UpdateProductConfig extends CommonUpdate {
  values?: KeyValueDraft[] | null;
  priority?: number | null;
}

export interface UpdateFeatureFlag extends CommonUpdate {
  value?: unknown;
  rolloutPercentage?: number | null;
}

export interface UpdateABTest extends CommonUpdate {
  trafficPercentage?: number | null;
  variants?: VariantDraft[] | null;
  goalIds?: string[] | null;
  primaryGoalId?: string | null;
}

/** What a kind adds to a create or an update: its errors, and (if none) how to write it. */
interface OwnPart {
  errors: UserError[];
  columns?: Partial<Experience>;
  /** Writes the kind's related rows (values, variants, goals) once the experience row exists. */
  write?: (tx: EntityManager, experience: Experience) => Promise<void>;
}

/** An empty segment id on update means "all users"; null means "keep". */
function segmentChoice(
  segmentId: string | null | undefined,
): { keep: true } | { keep: false; segmentId: string | null } {
  if (segmentId === null || segmentId === undefined) return { keep: true };
  return { keep: false, segmentId: segmentId === "" ? null : segmentId };
}

function draftOnly(field: string[], what: string, experience: Experience): UserError | null {
  return experience.status === ExperienceStatus.DRAFT
    ? null
    : UserErrors.invalidState(
        field,
        `${what} change only while the experience is a DRAFT; it is ${experience.status}`,
      );
}

export class ExperienceService {
  constructor(
    private readonly db: Database,
    private readonly reads: ExperienceReadModel,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
  ) {}

  /** `find`, holding the row's lock until the transaction ends (on PostgreSQL; SQLite has one writer). */
  private async findLocked(tx: EntityManager, projectId: string, id: string): Promise<Experience | null> {
    if (!isId(id)) return null;
    await sql(tx, `SELECT id FROM experience WHERE id = :id AND project_id = :projectId${forUpdate(tx)}`, {
      id,
      projectId,
    });
    return this.reads.find(tx, projectId, id);
  }

  createProductConfig(caller: Caller, input: CreateProductConfig): Promise<Result<Experience>> {
    return this.create(
      caller,
      ExperienceKind.PRODUCT_CONFIG,
      input,
      { keyIds: input.values.map((v) => v.keyId) },
      (refs) => ({
        errors: [
          ...(input.values.length
            ? []
            : [UserErrors.invalid(["input", "values"], "A product config sets at least one key")]),
          ...refs.keyValueErrors(input.values, ["input", "values"]),
        ],
        columns: { priority: input.priority ?? 0 },
        write: (tx, experience) => this.writeValues(tx, experience, null, input.values),
      }),
    );
  }

  createFeatureFlag(caller: Caller, input: CreateFeatureFlag): Promise<Result<Experience>> {
    const rolloutPercentage = input.rolloutPercentage ?? 100;
    return this.create(caller, ExperienceKind.FEATURE_FLAG, input, { keyIds: [input.keyId] }, (refs) => {
      const keyError = refs.keyError(input.keyId, ["input", "keyId"]);
      return {
        errors: errorsOf(
          keyError,
          keyError
            ? null
            : valueTypeError(refs.activeKey(input.keyId)!.type, input.value, ["input", "value"]),
          rolloutError(rolloutPercentage, ["input", "rolloutPercentage"]),
        ),
        columns: { rolloutPercentage },
        write: (tx, experience) =>
          this.writeValues(tx, experience, null, [{ keyId: input.keyId, value: input.value }]),
      };
    });
  }

  createABTest(caller: Caller, input: CreateABTest): Promise<Result<Experience>> {
    const trafficPercentage = input.trafficPercentage ?? 100;
    const wanted = {
      keyIds: input.variants.flatMap((v) => v.values.map((value) => value.keyId)),
      goalIds: input.goalIds,
    };
    return this.create(caller, ExperienceKind.AB_TEST, input, wanted, async (refs, tx) => ({
      errors: [
        ...errorsOf(trafficError(trafficPercentage, ["input", "trafficPercentage"])),
        ...this.variantsErrors(input.variants, refs),
        ...this.goalsErrors(input.goalIds, input.primaryGoalId, refs),
      ],
      columns: {
        trafficPercentage,
        primaryGoalId: input.primaryGoalId,
        // The test keeps the setting as it is now, for life: changing the setting later never touches it.
        mutuallyExclusive:
          input.mutuallyExclusive ?? (await this.settings.get(caller, tx)).mutuallyExclusiveABTests,
      },
      write: async (tx, experience) => {
        await this.writeVariants(tx, experience, input.variants);
        await this.writeGoals(tx, experience, input.goalIds);
      },
    }));
  }

  updateProductConfig(caller: Caller, input: UpdateProductConfig): Promise<Result<Experience>> {
    return this.change(
      caller,
      ExperienceKind.PRODUCT_CONFIG,
      input,
      { keyIds: input.values?.map((v) => v.keyId) },
      (experience, refs) => {
        if (input.values == null)
          return { errors: [], columns: input.priority == null ? {} : { priority: input.priority } };
        return {
          errors: [
            ...errorsOf(draftOnly(["input", "values"], "Values", experience)),
            ...(input.values.length
              ? []
              : [UserErrors.invalid(["input", "values"], "A product config sets at least one key")]),
            ...refs.keyValueErrors(input.values, ["input", "values"]),
          ],
          columns: input.priority == null ? {} : { priority: input.priority },
          write: async (tx) => {
            await tx.delete(KeyValue, { experienceId: experience.id });
            await this.writeValues(tx, experience, null, input.values!);
          },
        };
      },
    );
  }

  /** The value and the rollout may change while the flag is a draft, running or paused; the key never. */
  updateFeatureFlag(caller: Caller, input: UpdateFeatureFlag): Promise<Result<Experience>> {
    return this.change(caller, ExperienceKind.FEATURE_FLAG, input, {}, async (experience, _refs, tx) => {
      const errors: UserError[] = [];
      const columns: Partial<Experience> = {};
      const changesValue = input.value !== undefined && input.value !== null;
      const [flagValue] = await tx.find(KeyValue, { where: { experienceId: experience.id } });
      if (
        (changesValue || input.rolloutPercentage != null) &&
        experience.status === ExperienceStatus.STOPPED
      ) {
        errors.push(
          UserErrors.invalidState(["input"], "A stopped feature flag's value and rollout no longer change"),
        );
      }
      if (changesValue) {
        const key = await tx.findOneByOrFail(Key, { id: flagValue.keyId });
        const typeError = valueTypeError(key.type, input.value, ["input", "value"]);
        if (typeError) errors.push(typeError);
      }
      if (input.rolloutPercentage != null) {
        const error = rolloutError(input.rolloutPercentage, ["input", "rolloutPercentage"]);
        if (error) errors.push(error);
        columns.rolloutPercentage = input.rolloutPercentage;
      }
      return {
        errors,
        columns,
        write: async (tx) => {
          if (changesValue) await tx.update(KeyValue, { id: flagValue.id }, { value: input.value as never });
        },
      };
    });
  }

  /** Traffic, variants and goals change only in DRAFT; name, description and segment until archived. */
  updateABTest(caller: Caller, input: UpdateABTest): Promise<Result<Experience>> {
    const wanted = {
      keyIds: input.variants?.flatMap((v) => v.values.map((value) => value.keyId)),
      goalIds: input.goalIds ?? [],
    };
    return this.change(caller, ExperienceKind.AB_TEST, input, wanted, async (experience, refs, tx) => {
      const errors: UserError[] = [];
      const columns: Partial<Experience> = {};
      const draftFields: [unknown, string][] = [
        [input.trafficPercentage, "trafficPercentage"],
        [input.variants, "variants"],
        [input.goalIds, "goalIds"],
        [input.primaryGoalId, "primaryGoalId"],
      ];
      for (const [value, field] of draftFields) {
        if (value == null) continue;
        const error = draftOnly(["input", field], "Traffic, variants and goals", experience);
        if (error) errors.push(error);
      }
      if (errors.length) return { errors };
      if (input.trafficPercentage != null) {
        const error = trafficError(input.trafficPercentage, ["input", "trafficPercentage"]);
        if (error) errors.push(error);
        columns.trafficPercentage = input.trafficPercentage;
      }
      if (input.variants != null) errors.push(...this.variantsErrors(input.variants, refs));
      if (input.goalIds != null || input.primaryGoalId != null) {
        const goalIds = input.goalIds ?? (await this.goalIdsOf(tx, experience.id));
        const primaryGoalId = input.primaryGoalId ?? experience.primaryGoalId!;
        errors.push(...this.goalsErrors(goalIds, primaryGoalId, refs, input.goalIds != null));
        columns.primaryGoalId = primaryGoalId;
      }
      return {
        errors,
        columns,
        write: async (tx) => {
          if (input.variants != null) {
            await tx.delete(KeyValue, { experienceId: experience.id });
            await tx.delete(Variant, { experienceId: experience.id });
            await this.writeVariants(tx, experience, input.variants);
          }
          if (input.goalIds != null) {
            await tx.delete(ExperienceGoal, { experienceId: experience.id });
            await this.writeGoals(tx, experience, input.goalIds);
          }
        },
      };
    });
  }

  start(caller: Caller, id: string): Promise<Result<Experience>> {
    return this.transition(caller, id, "start");
  }

  pause(caller: Caller, id: string): Promise<Result<Experience>> {
    return this.transition(caller, id, "pause");
  }

  stop(caller: Caller, id: string): Promise<Result<Experience>> {
    return this.transition(caller, id, "stop");
  }

  /** Only DRAFT and STOPPED experiences can be archived; archived ones are read-only for good. */
  archive(caller: Caller, id: string): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const experience = await this.reads.find(tx, caller.projectId, id);
      if (!experience) return fail(UserErrors.notFound(["id"], "experience"));
      if (experience.archivedAt !== null)
        return fail(UserErrors.invalidState(["id"], "This experience is already archived"));
      if (!canArchive(experience.status)) {
        return fail(
          UserErrors.invalidState(
            ["id"],
            `A ${experience.status} experience cannot be archived: stop it first`,
          ),
        );
      }
      const before = await this.view(tx, experience);
      experience.archivedAt = new Date();
      return ok(await this.save(tx, caller, "archiveExperience", before, experience));
    });
  }

  // ------------------------------------------------------------------ the shared flows

  private create(
    caller: Caller,
    kind: ExperienceKind,
    input: CommonInput,
    wanted: { keyIds?: string[]; goalIds?: string[] },
    own: (refs: References, tx: EntityManager) => OwnPart | Promise<OwnPart>,
  ): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const segmentId = input.segmentId || null;
      const refs = await References.load(tx, caller.projectId, { ...wanted, segmentIds: [segmentId] });
      const naming = checkNaming(input, true);
      const part = await own(refs, tx);
      const errors = errorsOf(
        naming,
        segmentId ? refs.segmentError(segmentId, ["input", "segmentId"]) : null,
        ...part.errors,
      );
      if (!naming.ok || errors.length) return fail(...errors);

      const now = Date.now();
      const experience = Object.assign(new Experience(), {
        id: newId(now),
        projectId: caller.projectId,
        kind,
        description: null,
        status: ExperienceStatus.DRAFT,
        segmentId,
        priority: null,
        rolloutPercentage: null,
        trafficPercentage: null,
        mutuallyExclusive: null,
        primaryGoalId: null,
        startedAt: null,
        stoppedAt: null,
        archivedAt: null,
        createdAt: new Date(now),
        updatedAt: new Date(now),
        ...part.columns,
      });
      const taken = await this.applyNaming(tx, experience, naming.value);
      if (taken) return fail(taken);
      await tx.insert(Experience, experience);
      await part.write?.(tx, experience);
      await this.audit.record(tx, caller, {
        action: `create${TYPE_NAME_OF_KIND[kind]}`,
        entityType: "Experience",
        entityId: experience.id,
        before: null,
        after: await this.view(tx, experience),
      });
      return ok(experience);
    });
  }

  private change(
    caller: Caller,
    kind: ExperienceKind,
    input: CommonUpdate,
    wanted: { keyIds?: string[]; goalIds?: string[] },
    own: (experience: Experience, refs: References, tx: EntityManager) => OwnPart | Promise<OwnPart>,
  ): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const experience = await this.reads.find(tx, caller.projectId, input.id);
      if (!experience || experience.kind !== kind) {
        return fail(UserErrors.notFound(["input", "id"], KIND_IN_WORDS[kind]));
      }
      if (experience.archivedAt !== null)
        return fail(UserErrors.archived(["input", "id"], "experience", "edit it"));
      const before = await this.view(tx, experience);
      const segment = segmentChoice(input.segmentId);
      const refs = await References.load(tx, caller.projectId, {
        ...wanted,
        segmentIds: segment.keep ? [] : [segment.segmentId],
      });
      const naming = checkNaming(input, false);
      const segmentError =
        !segment.keep && segment.segmentId
          ? refs.segmentError(segment.segmentId, ["input", "segmentId"])
          : null;
      const part = await own(experience, refs, tx);
      const errors = errorsOf(naming, segmentError, ...part.errors);
      if (!naming.ok || errors.length) return fail(...errors);
      const taken = await this.applyNaming(tx, experience, naming.value);
      if (taken) return fail(taken);
      if (!segment.keep) experience.segmentId = segment.segmentId;
      Object.assign(experience, part.columns);
      await part.write?.(tx, experience);
      return ok(await this.save(tx, caller, `update${TYPE_NAME_OF_KIND[kind]}`, before, experience));
    });
  }

  private transition(caller: Caller, id: string, action: LifecycleAction): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      // Locked before the move is dated: placements in flight (which share-lock the row) commit
      // first, so no assignment is dated after a stop and the stop frees every slot they took.
      const experience = await this.findLocked(tx, caller.projectId, id);
      if (!experience) return fail(UserErrors.notFound(["id"], "experience"));
      if (experience.archivedAt !== null)
        return fail(UserErrors.archived(["id"], "experience", `${action} it`));
      const next = nextStatus(experience.status, action);
      if (next === null)
        return fail(
          UserErrors.invalidState(
            ["id"],
            `A ${experience.status} experience cannot be ${action === "stop" ? "stopped" : `${action}ed`}`,
          ),
        );
      if (action === "start" && experience.kind === ExperienceKind.FEATURE_FLAG) {
        const rival = await this.liveFlagOfSameKey(tx, experience);
        if (rival) {
          return fail(
            UserErrors.invalidState(
              ["id"],
              `The feature flag "${rival.name}" already serves this key: stop it first (a key has one live flag)`,
            ),
          );
        }
      }
      const before = await this.view(tx, experience);
      const now = new Date();
      experience.status = next;
      if (action === "start") experience.startedAt ??= now;
      if (action === "stop") {
        experience.stoppedAt = now;
        // Its users may now be placed in another exclusive test.
        if (experience.mutuallyExclusive) await tx.delete(ExclusiveSlot, { experienceId: experience.id });
      }
      return ok(await this.save(tx, caller, `${action}Experience`, before, experience));
    });
  }

  // ------------------------------------------------------------------ helpers

  private variantsErrors(variants: VariantDraft[], refs: References): UserError[] {
    return [
      ...variantErrors(variants, ["input", "variants"]),
      ...variants.flatMap((variant, index) =>
        refs.keyValueErrors(variant.values, ["input", "variants", String(index), "values"]),
      ),
    ];
  }

  /** The goal list's shape, and (when it is new) each goal known and active. */
  private goalsErrors(
    goalIds: string[],
    primaryGoalId: string,
    refs: References,
    checkEach = true,
  ): UserError[] {
    return [
      ...goalListErrors(goalIds, primaryGoalId, {
        goals: ["input", "goalIds"],
        primary: ["input", "primaryGoalId"],
      }),
      ...(checkEach
        ? goalIds.flatMap((id, index) => errorsOf(refs.goalError(id, at(["input", "goalIds"], index))))
        : []),
    ];
  }

  /** Name and description onto the experience; NAME_TAKEN when another of its kind has the name. */
  private applyNaming(tx: EntityManager, experience: Experience, naming: Naming): Promise<UserError | null> {
    const scope = { projectId: experience.projectId, kind: experience.kind };
    return applyNaming(experience, naming, KIND_IN_WORDS[experience.kind], (nameKey) =>
      nameHolder(tx, Experience, scope, nameKey),
    );
  }

  private async liveFlagOfSameKey(tx: EntityManager, flag: Experience): Promise<Experience | null> {
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

  private async writeValues(
    tx: EntityManager,
    experience: Experience,
    variantId: string | null,
    values: KeyValueDraft[],
  ): Promise<void> {
    if (!values.length) return;
    await tx.insert(
      KeyValue,
      values.map((entry, position) => ({
        id: newId(),
        projectId: experience.projectId,
        experienceId: experience.id,
        variantId,
        keyId: entry.keyId,
        value: entry.value as never,
        position,
      })),
    );
  }

  private async writeVariants(
    tx: EntityManager,
    experience: Experience,
    variants: VariantDraft[],
  ): Promise<void> {
    for (const [position, draft] of variants.entries()) {
      const variant = {
        id: newId(),
        projectId: experience.projectId,
        experienceId: experience.id,
        name: draft.name.trim(),
        weight: draft.weight,
        isControl: draft.isControl === true,
        position,
      };
      await tx.insert(Variant, variant);
      await this.writeValues(tx, experience, variant.id, draft.values);
    }
  }

  private async writeGoals(tx: EntityManager, experience: Experience, goalIds: string[]): Promise<void> {
    await tx.insert(
      ExperienceGoal,
      goalIds.map((goalId, position) => ({
        experienceId: experience.id,
        goalId,
        projectId: experience.projectId,
        position,
      })),
    );
  }

  private async goalIdsOf(tx: EntityManager, experienceId: string): Promise<string[]> {
    const links = await tx.find(ExperienceGoal, { where: { experienceId }, order: { position: "ASC" } });
    return links.map((link) => link.goalId);
  }

  private async save(
    tx: EntityManager,
    caller: Caller,
    action: string,
    before: object,
    experience: Experience,
  ): Promise<Experience> {
    experience.updatedAt = new Date();
    await tx.save(Experience, experience);
    await this.audit.record(tx, caller, {
      action,
      entityType: "Experience",
      entityId: experience.id,
      before,
      after: await this.view(tx, experience),
    });
    return experience;
  }

  /** The experience as the API shows it, with its values, variants and goals, for the audit log. */
  private async view(tx: EntityManager, experience: Experience): Promise<object> {
    const values = await tx.find(KeyValue, {
      where: { experienceId: experience.id },
      order: { position: "ASC" },
    });
    const plain = (rows: KeyValue[]) => rows.map(({ keyId, value }) => ({ keyId, value }));
    const {
      id,
      kind,
      name,
      description,
      status,
      segmentId,
      archivedAt,
      startedAt,
      stoppedAt,
      createdAt,
      updatedAt,
    } = experience;
    const common = {
      id,
      kind,
      name,
      description,
      status,
      segmentId,
      archived: archivedAt !== null,
      startedAt,
      stoppedAt,
      createdAt,
      updatedAt,
    };
    switch (kind) {
      case ExperienceKind.PRODUCT_CONFIG:
        return { ...common, priority: experience.priority, values: plain(values) };
      case ExperienceKind.FEATURE_FLAG:
        return { ...common, rolloutPercentage: experience.rolloutPercentage, ...plain(values)[0] };
      case ExperienceKind.AB_TEST: {
        const variants = await tx.find(Variant, { where: { experienceId: id }, order: { position: "ASC" } });
        return {
          ...common,
          trafficPercentage: experience.trafficPercentage,
          mutuallyExclusive: experience.mutuallyExclusive,
          primaryGoalId: experience.primaryGoalId,
          goalIds: await this.goalIdsOf(tx, id),
          variants: variants.map(({ id: variantId, name: variantName, weight, isControl }) => ({
            id: variantId,
            name: variantName,
            weight,
            isControl,
            values: plain(values.filter((value) => value.variantId === variantId)),
          })),
        };
      }
    }
  }
}
