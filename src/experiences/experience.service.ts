import { In, type EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { changeProject } from "../db/unit-of-work";
import { valueTypeError } from "../keys/key-rules";
import type { SettingsService } from "../settings/settings.service";
import { applyNaming, checkNaming, nameHolder, type Naming } from "../setup/named-row";
import type { Clock } from "../shared/clock";
import { newId } from "../shared/ids";
import { errorsOf, fail, ok, type Result } from "../shared/result";
import { at, UserErrors, type FieldPath, type UserError } from "../shared/user-error";
import type { ExperienceChanges, OpenChange } from "./experience-changes";
import { ExperienceGoal } from "./experience-goal.entity";
import { ExperienceGuardrail } from "./experience-guardrail.entity";
import { GuardrailAction, type Analysis } from "../results/analysis";
import { mergedAnalysis, type AnalysisDraft } from "../results/analysis-rules";
import { ExperienceKind, ExperienceStatus, KIND_IN_WORDS } from "./experience-kind";
import {
  editError,
  goalListErrors,
  guardrailListErrors,
  rolloutError,
  trafficError,
  variantErrors,
} from "./experience-rules";
import {
  CLEARED_BY_EMPTY_STRING,
  revertInput,
  type Snapshot,
  type SnapshotVariant,
} from "./experience-snapshot";
import { normalizeEventName } from "../shared/event-names";
import { nameKeyOf } from "../shared/names";
import { TestUser } from "./test-user.entity";
import { sameValue } from "../shared/json";
import { ExperienceVersion } from "./experience-version.entity";
import { Experience } from "./experience.entity";
import { KeyValue } from "./key-value.entity";
import { References, type KeyValueDraft } from "./references";
import { Variant } from "./variant.entity";

interface CommonInput {
  name: string;
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
  priority?: number | null;
  stickyTarget?: boolean | null;
  exposureEvent?: string | null;
  analysis?: AnalysisDraft | null;
  guardrailGoalIds?: string[] | null;
  guardrailAction?: GuardrailAction | null;
}

/**
 * What an update of any kind can change; a kind's own mutation only sends its kind's fields, and a
 * revert sends what differs from the version it goes back to. Absent or null keeps the value; an
 * empty description clears it and an empty segmentId targets all users.
 */
export interface ExperienceUpdate {
  name?: string | null;
  description?: string | null;
  segmentId?: string | null;
  values?: KeyValueDraft[] | null;
  priority?: number | null;
  value?: unknown;
  rolloutPercentage?: number | null;
  trafficPercentage?: number | null;
  variants?: VariantDraft[] | null;
  goalIds?: string[] | null;
  primaryGoalId?: string | null;
  stickyTarget?: boolean | null;
  exposureEvent?: string | null;
  analysis?: AnalysisDraft | null;
  guardrailGoalIds?: string[] | null;
  guardrailAction?: GuardrailAction | null;
}

export interface UpdateInput extends ExperienceUpdate {
  id: string;
  expectedVersion?: number | null;
}

/** The path of an update's field: ["input", "values"] for an update, ["toVersion", "values"] for a revert. */
type FieldOf = (field: string) => string[];

/**
 * Product configs, feature flags and A/B tests: creating them, changing their content under the
 * rules of their status, and reverting them to an earlier version's content. Life-cycle moves and
 * schedules are in experience-lifecycle.service.ts; every change goes through ExperienceChanges.
 */
export class ExperienceService {
  constructor(
    private readonly db: Database,
    private readonly changes: ExperienceChanges,
    private readonly settings: SettingsService,
    private readonly clock: Clock,
  ) {}

  createProductConfig(caller: Caller, input: CreateProductConfig): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, (tx) => this.createProductConfigIn(tx, caller, input));
  }

  /** Within a change of the project already under way: a roll-out creates its config in the test's transaction. */
  createProductConfigIn(
    tx: EntityManager,
    caller: Caller,
    input: CreateProductConfig,
  ): Promise<Result<Experience>> {
    return this.createIn(
      tx,
      caller,
      ExperienceKind.PRODUCT_CONFIG,
      input,
      { keyIds: input.values.map((v) => v.keyId) },
      (refs) => ({
        errors: [...valuesErrors(input.values, refs, ["input", "values"])],
        columns: { priority: input.priority ?? 0 },
        write: (tx, experience) => writeValues(tx, experience, null, input.values),
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
          writeValues(tx, experience, null, [{ keyId: input.keyId, value: input.value }]),
      };
    });
  }

  createABTest(caller: Caller, input: CreateABTest): Promise<Result<Experience>> {
    const trafficPercentage = input.trafficPercentage ?? 100;
    const guardrailGoalIds = input.guardrailGoalIds ?? [];
    const wanted = {
      keyIds: input.variants.flatMap((v) => v.values.map((value) => value.keyId)),
      goalIds: [...input.goalIds, ...guardrailGoalIds],
    };
    const exposureEvent = input.exposureEvent
      ? normalizeEventName(input.exposureEvent, ["input", "exposureEvent"])
      : null;
    return this.create(caller, ExperienceKind.AB_TEST, input, wanted, async (refs, tx) => {
      const settings = await this.settings.get(caller, tx);
      // Fields the input leaves out take the project's default as it is now; the test keeps them.
      const analysis = mergedAnalysis(settings.defaultAnalysis, input.analysis, ["input", "analysis"]);
      return {
        errors: [
          ...errorsOf(trafficError(trafficPercentage, ["input", "trafficPercentage"]), analysis),
          ...variantsErrors(input.variants, refs, (field) => ["input", field]),
          ...goalsErrors(input.goalIds, input.primaryGoalId, refs, (field) => ["input", field]),
          ...guardrailsErrors(guardrailGoalIds, refs, ["input", "guardrailGoalIds"]),
          ...(exposureEvent && !exposureEvent.ok ? exposureEvent.errors : []),
        ],
        columns: {
          trafficPercentage,
          primaryGoalId: input.primaryGoalId,
          priority: input.priority ?? 0,
          stickyTarget: input.stickyTarget ?? true,
          exposureEvent: exposureEvent?.ok ? exposureEvent.value : null,
          // The test keeps the setting as it is now, for life: changing the setting later never touches it.
          mutuallyExclusive: input.mutuallyExclusive ?? settings.mutuallyExclusiveABTests,
          analysis: analysis.ok ? analysis.value : null,
          guardrailAction: input.guardrailAction ?? GuardrailAction.NOTIFY,
          guardrailBreach: null,
        },
        write: async (tx, experience) => {
          await writeVariants(tx, experience, input.variants);
          await writeGoalLinks(tx, ExperienceGoal, experience, input.goalIds);
          await writeGoalLinks(tx, ExperienceGuardrail, experience, guardrailGoalIds);
        },
      };
    });
  }

  updateProductConfig(caller: Caller, input: UpdateInput): Promise<Result<Experience>> {
    return this.update(caller, ExperienceKind.PRODUCT_CONFIG, input);
  }

  updateFeatureFlag(caller: Caller, input: UpdateInput): Promise<Result<Experience>> {
    return this.update(caller, ExperienceKind.FEATURE_FLAG, input);
  }

  updateABTest(caller: Caller, input: UpdateInput): Promise<Result<Experience>> {
    return this.update(caller, ExperienceKind.AB_TEST, input);
  }

  /**
   * Makes the content of an earlier version current again, as a new version: the update that turns
   * the current content into that version's, under the rules of the current status (a running test's
   * variants stay: INVALID_STATE at ["toVersion", "variants"]; a key archived since: ARCHIVED). The
   * status and the schedule are not content and stay as they are.
   */
  revert(
    caller: Caller,
    id: string,
    toVersion: number,
    expectedVersion?: number | null,
  ): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const opened = await this.changes.open(tx, caller, {
        id,
        idField: ["id"],
        expectedVersion,
        versionField: ["expectedVersion"],
        archivedAction: "revert it",
      });
      if (!opened.ok) return opened;
      const { experience } = opened.value;
      const target = await tx.findOne(ExperienceVersion, {
        where: { experienceId: experience.id, version: toVersion },
      });
      if (!target) return fail(UserErrors.notFound(["toVersion"], `version ${toVersion} of this experience`));
      if (toVersion === experience.version) {
        return fail(
          UserErrors.invalid(
            ["toVersion"],
            `Version ${toVersion} is the current version: there is nothing to revert`,
          ),
        );
      }
      const input = revertInput(experience.kind, opened.value.before, target.snapshot);
      return this.applyUpdate(tx, caller, opened.value, input, "revert", (field) => ["toVersion", field]);
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
    return changeProject(this.db, caller.projectId, (tx) =>
      this.createIn(tx, caller, kind, input, wanted, own),
    );
  }

  private async createIn(
    tx: EntityManager,
    caller: Caller,
    kind: ExperienceKind,
    input: CommonInput,
    wanted: { keyIds?: string[]; goalIds?: string[] },
    own: (refs: References, tx: EntityManager) => OwnPart | Promise<OwnPart>,
  ): Promise<Result<Experience>> {
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

    const now = this.clock.now();
    const experience = Object.assign(new Experience(), {
      id: newId(),
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
      stickyTarget: null,
      exposureEvent: null,
      winnerVariantId: null,
      analysis: null,
      guardrailAction: null,
      guardrailBreach: null,
      rolledOutVariantId: null,
      rolledOutToId: null,
      rollupsBuilt: true,
      startedAt: null,
      stoppedAt: null,
      scheduledStartAt: null,
      scheduledStopAt: null,
      archivedAt: null,
      createdAt: new Date(now),
      updatedAt: new Date(now),
      version: 1,
      ...part.columns,
    });
    const taken = await nameTakenOrApplied(tx, experience, naming.value);
    if (taken) return fail(taken);
    await tx.insert(Experience, experience);
    await part.write?.(tx, experience);
    return ok(await this.changes.created(tx, caller, experience));
  }

  private update(caller: Caller, kind: ExperienceKind, input: UpdateInput): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const opened = await this.changes.open(tx, caller, {
        id: input.id,
        idField: ["input", "id"],
        kind,
        expectedVersion: input.expectedVersion,
        versionField: ["input", "expectedVersion"],
        archivedAction: "edit it",
      });
      if (!opened.ok) return opened;
      return this.applyUpdate(tx, caller, opened.value, input, "update", (field) => ["input", field]);
    });
  }

  /**
   * One update, for the kind's mutation and for a revert alike. A field given with the value it
   * already has is no change (a form sent back whole does not trip the status rules); every other
   * given field is checked against its edit window and its own rules, and all problems come back
   * together; then the row and its related rows are written and committed as the next version.
   */
  private async applyUpdate(
    tx: EntityManager,
    caller: Caller,
    change: OpenChange,
    input: ExperienceUpdate,
    action: string,
    fieldOf: FieldOf,
  ): Promise<Result<Experience>> {
    const { experience, before } = change;
    // An analysis input names only what changes: the whole analysis it makes is what is compared.
    const analysis = input.analysis
      ? mergedAnalysis(before.analysis as Analysis, input.analysis, fieldOf("analysis"))
      : null;
    if (analysis && !analysis.ok) return analysis;
    const update = effectiveChanges({ ...input, analysis: analysis?.value ?? null }, before);
    // An update that changes nothing is no change: no new version, nothing in the history or the log.
    if (Object.keys(update).length === 0) return ok(experience);
    const refs = await References.load(tx, caller.projectId, {
      keyIds: [
        ...(update.values ?? []).map((v) => v.keyId),
        ...(update.variants ?? []).flatMap((v) => v.values.map((value) => value.keyId)),
        ...(update.value !== undefined ? [before.keyId as string] : []),
      ],
      goalIds: [...(update.goalIds ?? []), ...(update.guardrailGoalIds ?? [])],
      segmentIds: update.segmentId ? [update.segmentId] : [],
    });
    const errors: UserError[] = [];
    for (const field of Object.keys(update) as (keyof ExperienceUpdate)[]) {
      const traffic =
        field === "trafficPercentage"
          ? { from: experience.trafficPercentage, to: update.trafficPercentage! }
          : undefined;
      errors.push(...errorsOf(editError(experience.kind, experience.status, field, fieldOf(field), traffic)));
    }
    // A field that may not change now is refused as such; what its new value would be is beside the point.
    if (errors.length) return fail(...errors);
    const naming = checkNaming(update, false);
    errors.push(...errorsOf(naming));
    if (update.segmentId) errors.push(...errorsOf(refs.segmentError(update.segmentId, fieldOf("segmentId"))));
    if (update.values) errors.push(...valuesErrors(update.values, refs, fieldOf("values")));
    if (update.value !== undefined) {
      const key = refs.activeKey(before.keyId as string);
      errors.push(
        ...errorsOf(
          key
            ? valueTypeError(key.type, update.value, fieldOf("value"))
            : refs.keyError(before.keyId as string, fieldOf("value")),
        ),
      );
    }
    if (update.rolloutPercentage !== undefined)
      errors.push(...errorsOf(rolloutError(update.rolloutPercentage, fieldOf("rolloutPercentage"))));
    if (update.trafficPercentage !== undefined)
      errors.push(...errorsOf(trafficError(update.trafficPercentage, fieldOf("trafficPercentage"))));
    if (update.variants) errors.push(...variantsErrors(update.variants, refs, fieldOf));
    const exposureEvent = update.exposureEvent
      ? normalizeEventName(update.exposureEvent, fieldOf("exposureEvent"))
      : null;
    if (exposureEvent && !exposureEvent.ok) errors.push(...exposureEvent.errors);
    if (update.goalIds || update.primaryGoalId) {
      const goalIds = update.goalIds ?? (before.goalIds as string[]);
      const primaryGoalId = update.primaryGoalId ?? experience.primaryGoalId!;
      errors.push(...goalsErrors(goalIds, primaryGoalId, refs, fieldOf, update.goalIds !== undefined));
    }
    if (update.guardrailGoalIds)
      errors.push(...guardrailsErrors(update.guardrailGoalIds, refs, fieldOf("guardrailGoalIds")));
    if (!naming.ok || errors.length) return fail(...errors);

    const taken = await nameTakenOrApplied(tx, experience, naming.value, fieldOf("name"));
    if (taken) return fail(taken);
    if (update.segmentId !== undefined) experience.segmentId = update.segmentId || null;
    if (update.priority !== undefined) experience.priority = update.priority;
    if (update.rolloutPercentage !== undefined) experience.rolloutPercentage = update.rolloutPercentage;
    if (update.trafficPercentage !== undefined) experience.trafficPercentage = update.trafficPercentage;
    if (update.primaryGoalId !== undefined) experience.primaryGoalId = update.primaryGoalId;
    if (update.stickyTarget !== undefined) experience.stickyTarget = update.stickyTarget;
    // What the test counts changed (its goals, guardrails, exposure, or the pre-period of CUPED's X):
    // its results rollups are rebuilt from the raw rows at the next read.
    if (
      experience.status !== ExperienceStatus.DRAFT &&
      (update.goalIds ||
        update.guardrailGoalIds ||
        update.exposureEvent !== undefined ||
        (update.analysis && update.analysis.cupedPreDays !== (before.analysis as Analysis).cupedPreDays))
    )
      experience.rollupsBuilt = false;
    // Merged and checked above: the whole analysis.
    if (update.analysis) experience.analysis = update.analysis as Analysis;
    if (update.guardrailAction !== undefined) experience.guardrailAction = update.guardrailAction;
    if (update.exposureEvent !== undefined)
      experience.exposureEvent = exposureEvent?.ok ? exposureEvent.value : null;
    if (update.values) {
      await tx.delete(KeyValue, { experienceId: experience.id });
      await writeValues(tx, experience, null, update.values);
    }
    if (update.value !== undefined) {
      await tx.update(KeyValue, { experienceId: experience.id }, { value: update.value as never });
    }
    if (update.variants)
      await replaceVariants(tx, experience, update.variants, before.variants as SnapshotVariant[]);
    if (update.goalIds) {
      await tx.delete(ExperienceGoal, { experienceId: experience.id });
      await writeGoalLinks(tx, ExperienceGoal, experience, update.goalIds);
    }
    if (update.guardrailGoalIds) {
      await tx.delete(ExperienceGuardrail, { experienceId: experience.id });
      await writeGoalLinks(tx, ExperienceGuardrail, experience, update.guardrailGoalIds);
    }
    return ok(await this.changes.commit(tx, caller, action, change));
  }
}

/** What a kind adds to a create: its errors, and (if none) how to write it. */
interface OwnPart {
  errors: UserError[];
  columns?: Partial<Experience>;
  /** Writes the kind's related rows (values, variants, goals) once the experience row exists. */
  write?: (tx: EntityManager, experience: Experience) => Promise<void>;
}

type EffectiveUpdate = { [K in keyof ExperienceUpdate]?: Exclude<ExperienceUpdate[K], null> };

/**
 * The fields of an update that really change something: given (not null) and different from the
 * experience as it is. An empty description and an empty segmentId stay (they clear).
 */
function effectiveChanges(input: ExperienceUpdate, current: Snapshot): EffectiveUpdate {
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input) as [keyof ExperienceUpdate, unknown][]) {
    if (value === null || value === undefined || !(field in UPDATE_FIELDS)) continue;
    const now = UPDATE_FIELDS[field](current);
    const wanted = CLEARED_BY_EMPTY_STRING.has(field) && value === "" ? null : value;
    if (!sameValue(now, comparable(field, wanted))) changes[field] = value;
  }
  return changes;
}

/** How each update field reads from a snapshot, in the update's own terms. */
const UPDATE_FIELDS: Record<keyof ExperienceUpdate, (snapshot: Snapshot) => unknown> = {
  name: (s) => s.name,
  description: (s) => s.description,
  segmentId: (s) => s.segmentId,
  values: (s) => s.values,
  priority: (s) => s.priority,
  value: (s) => s.value,
  rolloutPercentage: (s) => s.rolloutPercentage,
  trafficPercentage: (s) => s.trafficPercentage,
  variants: (s) => comparable("variants", s.variants),
  goalIds: (s) => s.goalIds,
  primaryGoalId: (s) => s.primaryGoalId,
  stickyTarget: (s) => s.stickyTarget,
  exposureEvent: (s) => s.exposureEvent,
  analysis: (s) => s.analysis,
  guardrailGoalIds: (s) => s.guardrailGoalIds,
  guardrailAction: (s) => s.guardrailAction,
};

/** Values as the snapshot holds them: trimmed names and variants without ids, controls as booleans. */
function comparable(field: string, value: unknown): unknown {
  if (field === "name" && typeof value === "string") return value.trim();
  if ((field === "description" || field === "exposureEvent") && typeof value === "string")
    return value.trim() || null;
  if (field === "variants" && Array.isArray(value)) {
    return (value as VariantDraft[]).map((variant) => ({
      name: variant.name.trim(),
      weight: variant.weight,
      isControl: variant.isControl === true,
      values: variant.values.map(({ keyId, value: v }) => ({ keyId, value: v })),
    }));
  }
  if (field === "values" && Array.isArray(value))
    return (value as KeyValueDraft[]).map(({ keyId, value: v }) => ({ keyId, value: v }));
  return value;
}

/** Name and description onto the experience; NAME_TAKEN when another of its kind has the name. */
function nameTakenOrApplied(
  tx: EntityManager,
  experience: Experience,
  naming: Naming,
  field?: FieldPath,
): Promise<UserError | null> {
  const scope = { projectId: experience.projectId, kind: experience.kind };
  return applyNaming(
    experience,
    naming,
    KIND_IN_WORDS[experience.kind],
    (nameKey) => nameHolder(tx, Experience, scope, nameKey),
    field,
  );
}

function valuesErrors(values: KeyValueDraft[], refs: References, path: string[]): UserError[] {
  return [
    ...(values.length ? [] : [UserErrors.invalid(path, "A product config sets at least one key")]),
    ...refs.keyValueErrors(values, path),
  ];
}

function variantsErrors(variants: VariantDraft[], refs: References, fieldOf: FieldOf): UserError[] {
  return [
    ...variantErrors(variants, fieldOf("variants")),
    ...variants.flatMap((variant, index) =>
      refs.keyValueErrors(variant.values, at(fieldOf("variants"), index, "values")),
    ),
  ];
}

/** The goal list's shape, and (when it is new) each goal known and active. */
function goalsErrors(
  goalIds: string[],
  primaryGoalId: string,
  refs: References,
  fieldOf: FieldOf,
  checkEach = true,
): UserError[] {
  return [
    ...goalListErrors(goalIds, primaryGoalId, {
      goals: fieldOf("goalIds"),
      primary: fieldOf("primaryGoalId"),
    }),
    ...(checkEach
      ? goalIds.flatMap((id, index) => errorsOf(refs.goalError(id, at(fieldOf("goalIds"), index))))
      : []),
  ];
}

/** The guardrail list's shape, and each goal known and active. */
function guardrailsErrors(goalIds: string[], refs: References, path: string[]): UserError[] {
  return [
    ...guardrailListErrors(goalIds, path),
    ...goalIds.flatMap((id, index) => errorsOf(refs.goalError(id, at(path, index)))),
  ];
}

async function writeValues(
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

/** A new test's variants, each with its values. */
async function writeVariants(
  tx: EntityManager,
  experience: Experience,
  variants: VariantDraft[],
  idsByName: Map<string, string> = new Map(),
): Promise<string[]> {
  const ids: string[] = [];
  for (const [position, draft] of variants.entries()) {
    const name = draft.name.trim();
    const kept = idsByName.get(nameKeyOf(name));
    const id = kept ?? newId();
    const variant = { name, weight: draft.weight, isControl: draft.isControl === true, position };
    if (kept) await tx.update(Variant, { id }, variant);
    else
      await tx.insert(Variant, {
        ...variant,
        id,
        projectId: experience.projectId,
        experienceId: experience.id,
      });
    ids.push(id);
    await writeValues(tx, experience, id, draft.values);
  }
  return ids;
}

/**
 * A DRAFT test's new variants. A variant keeps its id when its name stays (ignoring case), so the
 * QA users pinned to it and a winner declared for it survive an edit of weights or values; pins and
 * a winner of a variant that is gone go with it.
 */
async function replaceVariants(
  tx: EntityManager,
  experience: Experience,
  drafts: VariantDraft[],
  current: SnapshotVariant[],
): Promise<void> {
  await tx.delete(KeyValue, { experienceId: experience.id });
  const idsByName = new Map(current.map((variant) => [nameKeyOf(variant.name), variant.id!]));
  const kept = new Set(await writeVariants(tx, experience, drafts, idsByName));
  const gone = current.map((variant) => variant.id!).filter((id) => !kept.has(id));
  if (gone.length === 0) return;
  await tx.delete(TestUser, { variantId: In(gone) });
  await tx.delete(Variant, { id: In(gone) });
  if (experience.winnerVariantId && gone.includes(experience.winnerVariantId))
    experience.winnerVariantId = null;
}

/** A test's goals, or its guardrail goals, in the order given. */
async function writeGoalLinks(
  tx: EntityManager,
  link: typeof ExperienceGoal | typeof ExperienceGuardrail,
  experience: Experience,
  goalIds: string[],
): Promise<void> {
  if (goalIds.length === 0) return;
  await tx.insert(
    link,
    goalIds.map((goalId, position) => ({
      experienceId: experience.id,
      goalId,
      projectId: experience.projectId,
      position,
    })),
  );
}
