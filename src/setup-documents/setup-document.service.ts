import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { changeProject } from "../db/unit-of-work";
import { ExperienceGoal } from "../experiences/experience-goal.entity";
import { ExperienceGuardrail } from "../experiences/experience-guardrail.entity";
import { ExperienceKind } from "../experiences/experience-kind";
import type { ExperienceLifecycleService } from "../experiences/experience-lifecycle.service";
import type { ExperienceService } from "../experiences/experience.service";
import { Experience } from "../experiences/experience.entity";
import { KeyValue } from "../experiences/key-value.entity";
import { Variant } from "../experiences/variant.entity";
import { Goal } from "../goals/goal.entity";
import type { GoalService } from "../goals/goal.service";
import { Key } from "../keys/key.entity";
import type { KeyService } from "../keys/key.service";
import { DEFAULT_ANALYSIS } from "../results/analysis";
import type { Rule, RuleDraft, PropertyCondition, PropertyConditionDraft } from "../segments/segment-rule";
import { Segment } from "../segments/segment.entity";
import type { SegmentService } from "../segments/segment.service";
import { Settings } from "../settings/settings.entity";
import type { SettingsService } from "../settings/settings.service";
import { sameValue } from "../shared/json";
import { nameKeyOf, normalizeDescription } from "../shared/names";
import { ok, type Result } from "../shared/result";
import { at, UserErrors, type FieldPath, type UserError } from "../shared/user-error";
import { canonicalJson, schemaErrors, sealed, SETUP_FORMAT } from "./setup-document";

export enum SetupObjectKind {
  KEY = "KEY",
  SEGMENT = "SEGMENT",
  GOAL = "GOAL",
  SETTINGS = "SETTINGS",
  PRODUCT_CONFIG = "PRODUCT_CONFIG",
  FEATURE_FLAG = "FEATURE_FLAG",
  AB_TEST = "AB_TEST",
}

export enum SetupAction {
  CREATE = "CREATE",
  UPDATE = "UPDATE",
  ARCHIVE = "ARCHIVE",
  UNARCHIVE = "UNARCHIVE",
  UNCHANGED = "UNCHANGED",
}

export interface SetupChange {
  kind: SetupObjectKind;
  name: string;
  action: SetupAction;
  fields: string[];
}

export interface ImportOutcome {
  changes: SetupChange[];
  applied: boolean;
  userErrors: UserError[];
}

type Doc = Record<string, unknown> & { name: string; archived?: boolean };
type SetupDoc = { keys: Doc[]; segments: Doc[]; goals: Doc[]; settings?: Doc; experiences: Doc[] };

/** The name the document gives each kind's list. */
const LISTS = ["keys", "segments", "goals", "experiences"] as const;

/** Carries a plan out of its transaction so that the transaction rolls back (a dry run, or errors). */
class Undone extends Error {
  constructor(readonly outcome: ImportOutcome) {
    super("the import's transaction is undone");
  }
}

/**
 * Setup as code (RULES.md): a project's setup as a px-setup/1 document, and a document made the
 * project's setup. An import runs in one transaction of the project (so concurrent imports take
 * turns, and each plans against what the other committed): it compares each object of the document
 * with the project's, and makes every change through the API's own mutations, which join that
 * transaction as savepoints (enclosing-transaction.ts) and so apply every rule of the API, each an
 * ordinary versioned change with its audit event. A dry run, or any error, undoes all of it: the
 * answer is the plan either way, with every error at its path in the document.
 */
export class SetupDocumentService {
  constructor(
    private readonly db: Database,
    private readonly keys: KeyService,
    private readonly segments: SegmentService,
    private readonly goals: GoalService,
    private readonly settings: SettingsService,
    private readonly experiences: ExperienceService,
    private readonly lifecycle: ExperienceLifecycleService,
  ) {}

  async export(caller: Caller, includeArchived: boolean): Promise<{ document: unknown; digest: string }> {
    return sealed(await this.documentOf(this.db.reader, caller.projectId, includeArchived));
  }

  async import(
    caller: Caller,
    document: unknown,
    options: { dryRun: boolean; archiveMissing: boolean },
  ): Promise<ImportOutcome> {
    const shape = schemaErrors(document);
    if (shape.length) return { changes: [], applied: false, userErrors: shape };
    const doc = withLists(document as Record<string, unknown>);
    const duplicates = duplicateNames(doc);
    if (duplicates.length) return { changes: [], applied: false, userErrors: duplicates };
    try {
      const result = await changeProject(this.db, caller.projectId, async (tx) => {
        const outcome = await new Importer(this, tx, caller, doc, options.archiveMissing).run();
        if (outcome.userErrors.length || options.dryRun) throw new Undone(outcome);
        return ok(outcome);
      });
      return result.ok
        ? { ...result.value, applied: true }
        : { changes: [], applied: false, userErrors: result.errors };
    } catch (error) {
      if (error instanceof Undone) return { ...error.outcome, applied: false };
      throw error;
    }
  }

  /** The project's setup as a document (unsealed: its arrays sorted by name, its fields in any order). */
  async documentOf(
    manager: EntityManager,
    projectId: string,
    includeArchived: boolean,
  ): Promise<SetupDocFull> {
    const where = { projectId };
    const [keys, segments, goals, settings, experiences, values, variants, goalLinks, guardrails] = [
      await manager.find(Key, { where }),
      await manager.find(Segment, { where }),
      await manager.find(Goal, { where }),
      await manager.findOneOrFail(Settings, { where }),
      await manager.find(Experience, { where }),
      await manager.find(KeyValue, { where, order: { position: "ASC" } }),
      await manager.find(Variant, { where, order: { position: "ASC" } }),
      await manager.find(ExperienceGoal, { where, order: { position: "ASC" } }),
      await manager.find(ExperienceGuardrail, { where, order: { position: "ASC" } }),
    ];
    const kept = <T extends { archivedAt: Date | null }>(rows: T[]) =>
      rows.filter((row) => includeArchived || row.archivedAt === null);
    const names = new Map<string, string>([...keys, ...segments, ...goals].map((row) => [row.id, row.name]));
    const nameOf = (id: string | null) => (id === null ? null : names.get(id)!);
    const valuesOf = (experienceId: string, variantId: string | null) =>
      values
        .filter((value) => value.experienceId === experienceId && value.variantId === variantId)
        .map((value) => ({ key: nameOf(value.keyId), value: value.value }));
    const byName = <T extends { name: string }>(rows: T[]) =>
      [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      format: SETUP_FORMAT,
      keys: byName(kept(keys)).map((key) => ({
        name: key.name,
        type: key.type,
        defaultValue: key.defaultValue,
        description: key.description,
        archived: key.archivedAt !== null,
      })),
      segments: byName(kept(segments)).map((segment) => ({
        name: segment.name,
        description: segment.description,
        rule: ruleDraftOf(segment.rule),
        archived: segment.archivedAt !== null,
      })),
      goals: byName(kept(goals)).map((goal) => ({
        name: goal.name,
        description: goal.description,
        events: goal.events,
        where: goal.where.map(conditionDraftOf),
        valueProperty: goal.valueProperty,
        higherIsBetter: goal.higherIsBetter,
        archived: goal.archivedAt !== null,
      })),
      settings: {
        mutuallyExclusiveABTests: settings.mutuallyExclusiveABTests,
        defaultAnalysis: settings.defaultAnalysis ?? DEFAULT_ANALYSIS,
      },
      experiences: byName(kept(experiences)).map((experience) => {
        const common = {
          kind: experience.kind,
          name: experience.name,
          description: experience.description,
          segment: nameOf(experience.segmentId),
          archived: experience.archivedAt !== null,
        };
        switch (experience.kind) {
          case ExperienceKind.PRODUCT_CONFIG:
            return { ...common, values: valuesOf(experience.id, null), priority: experience.priority };
          case ExperienceKind.FEATURE_FLAG: {
            const [flag] = valuesOf(experience.id, null);
            return {
              ...common,
              key: flag.key,
              value: flag.value,
              rolloutPercentage: experience.rolloutPercentage,
            };
          }
          case ExperienceKind.AB_TEST:
            return {
              ...common,
              trafficPercentage: experience.trafficPercentage,
              variants: variants
                .filter((variant) => variant.experienceId === experience.id)
                .map((variant) => ({
                  name: variant.name,
                  weight: variant.weight,
                  isControl: variant.isControl,
                  values: valuesOf(experience.id, variant.id),
                })),
              goals: goalLinks
                .filter((link) => link.experienceId === experience.id)
                .map((link) => nameOf(link.goalId)),
              primaryGoal: nameOf(experience.primaryGoalId),
              mutuallyExclusive: experience.mutuallyExclusive,
              priority: experience.priority,
              stickyTarget: experience.stickyTarget,
              exposureEvent: experience.exposureEvent,
              analysis: experience.analysis ?? DEFAULT_ANALYSIS,
              guardrailGoals: guardrails
                .filter((link) => link.experienceId === experience.id)
                .map((link) => nameOf(link.goalId)),
              guardrailAction: experience.guardrailAction,
            };
        }
      }),
    };
  }

  /** The services an import makes its changes through. */
  get mutations() {
    return {
      keys: this.keys,
      segments: this.segments,
      goals: this.goals,
      settings: this.settings,
      experiences: this.experiences,
      lifecycle: this.lifecycle,
    };
  }
}

type SetupDocFull = {
  format: string;
  keys: Doc[];
  segments: Doc[];
  goals: Doc[];
  settings: Record<string, unknown>;
  experiences: Doc[];
};

/** One import's walk over the document, inside its transaction. */
class Importer {
  private readonly changes: SetupChange[] = [];
  private readonly errors: UserError[] = [];
  /** Ids by kind and name key, as the project has them now (objects created by this import included). */
  private readonly ids = new Map<string, string>();
  private current!: SetupDocFull;
  /** The settings the project has once the document's are applied: new A/B tests default to them. */
  private settingsAfter!: Record<string, unknown>;

  constructor(
    private readonly service: SetupDocumentService,
    private readonly tx: EntityManager,
    private readonly caller: Caller,
    private readonly doc: SetupDoc,
    private readonly archiveMissing: boolean,
  ) {}

  async run(): Promise<ImportOutcome> {
    this.current = await this.service.documentOf(this.tx, this.caller.projectId, true);
    this.settingsAfter = this.current.settings;
    await this.rememberIds();
    for (const [index, key] of this.doc.keys.entries()) await this.key(key, index);
    for (const [index, segment] of this.doc.segments.entries()) await this.segment(segment, index);
    for (const [index, goal] of this.doc.goals.entries()) await this.goal(goal, index);
    if (this.doc.settings) await this.settings(this.doc.settings);
    for (const [index, experience] of this.doc.experiences.entries())
      await this.experience(experience, index);
    if (this.archiveMissing) await this.archiveTheMissing();
    return { changes: this.changes, applied: false, userErrors: this.errors };
  }

  private async rememberIds(): Promise<void> {
    const where = { projectId: this.caller.projectId };
    for (const [kind, entity] of [
      ["key", Key],
      ["segment", Segment],
      ["goal", Goal],
    ] as const) {
      const rows = (await this.tx.find(entity, { where })) as { id: string; name: string }[];
      for (const row of rows) this.ids.set(`${kind}:${nameKeyOf(row.name)}`, row.id);
    }
    for (const row of await this.tx.find(Experience, { where }))
      this.ids.set(`${row.kind}:${nameKeyOf(row.name)}`, row.id);
  }

  private idOf(kind: string, name: string | null | undefined): string | undefined {
    return name === null || name === undefined ? undefined : this.ids.get(`${kind}:${nameKeyOf(name)}`);
  }

  private existing(list: (typeof LISTS)[number], name: string): Doc | undefined {
    return this.current[list].find((row) => nameKeyOf(row.name) === nameKeyOf(name));
  }

  /** Runs one mutation; its userErrors go to the document's paths (`mapField` names the fields there). */
  private async apply<T>(path: string[], mutation: () => Promise<Result<T>>): Promise<T | null> {
    const result = await mutation();
    if (result.ok) return result.value;
    this.errors.push(...result.errors.map((error) => ({ ...error, field: documentPath(path, error.field) })));
    return null;
  }

  private note(kind: SetupObjectKind, name: string, action: SetupAction, fields: string[] = []): void {
    this.changes.push({ kind, name, action, fields });
  }

  /**
   * The shared walk of an archivable setup object: create it (then archive it if the document
   * says so), or update its changed fields, unarchiving before and archiving after as the document
   * says; UNCHANGED when the document holds what the project does.
   */
  private async setupObject(
    kind: SetupObjectKind,
    list: "keys" | "segments" | "goals",
    entity: "key" | "segment" | "goal",
    doc: Doc,
    index: number,
    normalized: Doc,
    ops: {
      create: () => Promise<Result<{ id: string }>>;
      update: (id: string, fields: string[]) => Promise<Result<unknown>>;
      archive: (id: string) => Promise<Result<unknown>>;
      unarchive: (id: string) => Promise<Result<unknown>>;
    },
  ): Promise<void> {
    const path = ["document", list, String(index)];
    const was = this.existing(list, doc.name);
    const archived = normalized.archived === true;
    if (!was) {
      const made = await this.apply(path, ops.create);
      if (!made) return;
      this.ids.set(`${entity}:${nameKeyOf(doc.name)}`, made.id);
      if (archived) await this.apply(at(path, "archived"), () => ops.archive(made.id));
      this.note(kind, doc.name, SetupAction.CREATE);
      return;
    }
    const id = this.idOf(entity, doc.name)!;
    const fields = changedFields(was, normalized).filter((field) => field !== "archived");
    const unarchive = was.archived === true && !archived;
    const archive = was.archived !== true && archived;
    if (unarchive) await this.apply(at(path, "archived"), () => ops.unarchive(id));
    if (fields.length) await this.apply(path, () => ops.update(id, fields));
    if (archive) await this.apply(at(path, "archived"), () => ops.archive(id));
    this.note(
      kind,
      doc.name,
      archive
        ? SetupAction.ARCHIVE
        : unarchive
          ? SetupAction.UNARCHIVE
          : fields.length
            ? SetupAction.UPDATE
            : SetupAction.UNCHANGED,
      fields,
    );
  }

  private async key(doc: Doc, index: number): Promise<void> {
    const { keys } = this.service.mutations;
    const normalized = { description: null, archived: false, ...doc };
    const was = this.existing("keys", doc.name);
    if (was && was.type !== doc.type) {
      this.errors.push(
        UserErrors.invalid(
          ["document", "keys", String(index), "type"],
          `A key's type never changes (it is ${String(was.type)})`,
        ),
      );
      return;
    }
    if (was && was.name !== doc.name) {
      this.errors.push(
        UserErrors.invalid(
          ["document", "keys", String(index), "name"],
          `A key's name never changes: it is "${was.name}"`,
        ),
      );
      return;
    }
    await this.setupObject(SetupObjectKind.KEY, "keys", "key", doc, index, normalized, {
      create: () =>
        keys.create(this.caller, {
          name: doc.name,
          type: doc.type as never,
          defaultValue: doc.defaultValue,
          description: normalized.description,
        }),
      update: (id, fields) =>
        keys.update(this.caller, { id, ...pick(normalized, fields, { description: clearing }) }),
      archive: (id) => keys.archive(this.caller, id),
      unarchive: (id) => keys.unarchive(this.caller, id),
    });
  }

  private async segment(doc: Doc, index: number): Promise<void> {
    const { segments } = this.service.mutations;
    const normalized = {
      description: null,
      archived: false,
      ...doc,
      rule: withRuleLists(doc.rule as RuleDraft),
    };
    await this.setupObject(SetupObjectKind.SEGMENT, "segments", "segment", doc, index, normalized, {
      create: () =>
        segments.create(this.caller, {
          name: doc.name,
          description: normalized.description,
          rule: normalized.rule,
        }),
      update: (id, fields) =>
        segments.update(this.caller, { id, ...pick(normalized, fields, { description: clearing }) }),
      archive: (id) => segments.archive(this.caller, id),
      unarchive: (id) => segments.unarchive(this.caller, id),
    });
  }

  private async goal(doc: Doc, index: number): Promise<void> {
    const { goals } = this.service.mutations;
    const normalized = {
      description: null,
      where: [],
      valueProperty: null,
      higherIsBetter: true,
      archived: false,
      ...doc,
    };
    await this.setupObject(SetupObjectKind.GOAL, "goals", "goal", doc, index, normalized, {
      create: () =>
        goals.create(this.caller, {
          name: doc.name,
          description: normalized.description,
          events: doc.events as string[],
          where: normalized.where,
          valueProperty: normalized.valueProperty,
          higherIsBetter: normalized.higherIsBetter,
        }),
      update: (id, fields) =>
        goals.update(this.caller, {
          id,
          ...pick(normalized, fields, { description: clearing, valueProperty: clearing }),
        }),
      archive: (id) => goals.archive(this.caller, id),
      unarchive: (id) => goals.unarchive(this.caller, id),
    });
  }

  private async settings(doc: Doc): Promise<void> {
    const { settings } = this.service.mutations;
    const was = this.current.settings;
    const normalized = {
      ...was,
      ...doc,
      defaultAnalysis: { ...(was.defaultAnalysis as object), ...(doc.defaultAnalysis as object) },
    };
    this.settingsAfter = normalized;
    const fields = changedFields(was as Doc, normalized);
    if (fields.length)
      await this.apply(["document", "settings"], () =>
        settings.update(this.caller, pick(normalized, fields, {}) as never),
      );
    this.note(
      SetupObjectKind.SETTINGS,
      "settings",
      fields.length ? SetupAction.UPDATE : SetupAction.UNCHANGED,
      fields,
    );
  }

  private async experience(doc: Doc, index: number): Promise<void> {
    const { experiences, lifecycle } = this.service.mutations;
    const kind = doc.kind as ExperienceKind;
    const path = ["document", "experiences", String(index)];
    const normalized = experienceDefaults(doc, this.settingsAfter);
    const input = this.experienceInput(normalized, path);
    if (!input) return;
    const was = this.current.experiences.find(
      (row) => row.kind === kind && nameKeyOf(row.name) === nameKeyOf(doc.name),
    );
    const archived = normalized.archived === true;
    if (!was) {
      const create = {
        [ExperienceKind.PRODUCT_CONFIG]: () => experiences.createProductConfig(this.caller, input as never),
        [ExperienceKind.FEATURE_FLAG]: () => experiences.createFeatureFlag(this.caller, input as never),
        [ExperienceKind.AB_TEST]: () => experiences.createABTest(this.caller, input as never),
      }[kind];
      const made = await this.apply(path, create);
      if (!made) return;
      this.ids.set(`${kind}:${nameKeyOf(doc.name)}`, made.id);
      if (archived) await this.apply(at(path, "archived"), () => lifecycle.archive(this.caller, made.id));
      this.note(kind as unknown as SetupObjectKind, doc.name, SetupAction.CREATE);
      return;
    }
    const id = this.idOf(kind, doc.name)!;
    const fields = changedFields(was, normalized).filter((field) => field !== "archived");
    if (was.archived === true && !archived) {
      this.errors.push(
        UserErrors.invalidState(
          at(path, "archived"),
          "An archived experience stays archived: it cannot come back",
        ),
      );
      return;
    }
    if (fields.includes("mutuallyExclusive")) {
      this.errors.push(
        UserErrors.invalidState(
          at(path, "mutuallyExclusive"),
          "An A/B test keeps mutuallyExclusive for life",
        ),
      );
      return;
    }
    if (fields.length) {
      const update = pick(
        input,
        fields.map((field) => INPUT_FIELD[field] ?? field),
        {},
      );
      const run = {
        [ExperienceKind.PRODUCT_CONFIG]: () =>
          experiences.updateProductConfig(this.caller, { id, ...update }),
        [ExperienceKind.FEATURE_FLAG]: () => experiences.updateFeatureFlag(this.caller, { id, ...update }),
        [ExperienceKind.AB_TEST]: () => experiences.updateABTest(this.caller, { id, ...update }),
      }[kind];
      await this.apply(path, run);
    }
    const archive = was.archived !== true && archived;
    if (archive) await this.apply(at(path, "archived"), () => lifecycle.archive(this.caller, id));
    this.note(
      kind as unknown as SetupObjectKind,
      doc.name,
      archive ? SetupAction.ARCHIVE : fields.length ? SetupAction.UPDATE : SetupAction.UNCHANGED,
      fields,
    );
  }

  /** The document's experience as its create input: names to ids (NOT_FOUND at the name's path). */
  private experienceInput(doc: Doc, path: string[]): Record<string, unknown> | null {
    const missing: UserError[] = [];
    const ref = (kind: string, name: unknown, field: FieldPath): string | null => {
      if (name === null || name === undefined) return null;
      const id = this.idOf(kind, name as string);
      if (!id) missing.push(UserErrors.notFoundByName(field, kind, name as string));
      return id ?? null;
    };
    const values = (list: unknown, base: string[]) =>
      ((list as { key: string; value: unknown }[]) ?? []).map((entry, i) => ({
        keyId: ref("key", entry.key, at(base, i, "key")),
        value: entry.value,
      }));
    const input: Record<string, unknown> = {
      name: doc.name,
      description: doc.description ?? "",
      segmentId: ref("segment", doc.segment, at(path, "segment")) ?? "",
    };
    switch (doc.kind as ExperienceKind) {
      case ExperienceKind.PRODUCT_CONFIG:
        Object.assign(input, { values: values(doc.values, at(path, "values")), priority: doc.priority });
        break;
      case ExperienceKind.FEATURE_FLAG:
        Object.assign(input, {
          keyId: ref("key", doc.key, at(path, "key")),
          value: doc.value,
          rolloutPercentage: doc.rolloutPercentage,
        });
        break;
      case ExperienceKind.AB_TEST:
        Object.assign(input, {
          trafficPercentage: doc.trafficPercentage,
          variants: (doc.variants as Doc[]).map((variant, i) => ({
            name: variant.name,
            weight: variant.weight,
            isControl: variant.isControl ?? false,
            values: values(variant.values, at(path, "variants", i, "values")),
          })),
          goalIds: (doc.goals as string[]).map((name, i) => ref("goal", name, at(path, "goals", i))),
          primaryGoalId: ref("goal", doc.primaryGoal, at(path, "primaryGoal")),
          mutuallyExclusive: doc.mutuallyExclusive,
          priority: doc.priority,
          stickyTarget: doc.stickyTarget,
          exposureEvent: doc.exposureEvent ?? "",
          analysis: doc.analysis,
          guardrailGoalIds: (doc.guardrailGoals as string[]).map((name, i) =>
            ref("goal", name, at(path, "guardrailGoals", i)),
          ),
          guardrailAction: doc.guardrailAction,
        });
        break;
    }
    if (missing.length) {
      this.errors.push(...missing);
      return null;
    }
    return input;
  }

  /** archiveMissing: the project's active objects the document lacks, experiences first (they hold the rest). */
  private async archiveTheMissing(): Promise<void> {
    const { keys, segments, goals, lifecycle } = this.service.mutations;
    const named = (list: Doc[]) => new Set(list.map((row) => nameKeyOf(row.name)));
    const inDoc = {
      experiences: new Set(this.doc.experiences.map((row) => `${String(row.kind)}:${nameKeyOf(row.name)}`)),
      goals: named(this.doc.goals),
      segments: named(this.doc.segments),
      keys: named(this.doc.keys),
    };
    const missingPath = (list: string, name: string) => ["document", list, `(missing) ${name}`];
    for (const row of this.current.experiences) {
      if (row.archived || inDoc.experiences.has(`${String(row.kind)}:${nameKeyOf(row.name)}`)) continue;
      const id = this.idOf(row.kind as string, row.name)!;
      await this.apply(missingPath("experiences", row.name), () => lifecycle.archive(this.caller, id));
      this.note(row.kind as SetupObjectKind, row.name, SetupAction.ARCHIVE);
    }
    for (const [list, entity, kind, archive] of [
      ["goals", "goal", SetupObjectKind.GOAL, (id: string) => goals.archive(this.caller, id)],
      ["segments", "segment", SetupObjectKind.SEGMENT, (id: string) => segments.archive(this.caller, id)],
      ["keys", "key", SetupObjectKind.KEY, (id: string) => keys.archive(this.caller, id)],
    ] as const) {
      for (const row of this.current[list]) {
        if (row.archived || inDoc[list].has(nameKeyOf(row.name))) continue;
        const id = this.idOf(entity, row.name)!;
        await this.apply(missingPath(list, row.name), () => archive(id) as Promise<Result<unknown>>);
        this.note(kind, row.name, SetupAction.ARCHIVE);
      }
    }
  }
}

/** Marks an update field whose empty value must be sent as "" to clear it (null keeps). */
const clearing = (value: unknown) => (value === null ? "" : value);

/** The update input of `fields` (the document's names), with `convert` per field where clearing needs it. */
function pick(
  source: Record<string, unknown>,
  fields: string[],
  convert: Record<string, (value: unknown) => unknown>,
) {
  return Object.fromEntries(
    fields.map((field) => [field, (convert[field] ?? ((v: unknown) => v))(source[field])]),
  );
}

/** The document field of an experience and its input field where they differ. */
const INPUT_FIELD: Record<string, string> = {
  segment: "segmentId",
  key: "keyId",
  goals: "goalIds",
  primaryGoal: "primaryGoalId",
  guardrailGoals: "guardrailGoalIds",
};
const DOCUMENT_FIELD = Object.fromEntries(Object.entries(INPUT_FIELD).map(([doc, input]) => [input, doc]));

/** A mutation's error path as a path in the document: ["input", "variants", "1", "values", "0", "keyId"] → [...path, "variants", "1", "values", "0", "key"]. */
function documentPath(path: string[], field: FieldPath): string[] {
  if (!field) return path;
  const rest = field[0] === "input" || field[0] === "id" ? field.slice(1) : field;
  return [...path, ...rest.map((part) => DOCUMENT_FIELD[part] ?? part)];
}

/** The document's fields whose value differs from the project's (every field the document names). */
function changedFields(was: Doc, wanted: Doc): string[] {
  return Object.keys(wanted)
    .filter((field) => field !== "name" || was.name !== wanted.name)
    .filter(
      (field) =>
        !sameValue(
          JSON.parse(canonicalJson(was[field] ?? null)),
          JSON.parse(canonicalJson(asStored(field, wanted[field]))),
        ),
    )
    .sort();
}

/**
 * A document's value as the API would store it, so that a document differing only in what the API
 * normalizes away (a description's blanks) plans UNCHANGED. An invalid value stays as it is: the
 * update it causes answers the error.
 */
function asStored(field: string, value: unknown): unknown {
  if (field === "description" && (typeof value === "string" || value == null)) {
    const description = normalizeDescription(value, []);
    return description.ok ? description.value : value;
  }
  return value ?? null;
}

/** An experience with the defaults its create input would take, so a document may leave them out. */
function experienceDefaults(doc: Doc, settings: Record<string, unknown>): Doc {
  const common = { description: null, segment: null, archived: false };
  switch (doc.kind as ExperienceKind) {
    case ExperienceKind.PRODUCT_CONFIG:
      return { ...common, priority: 0, ...doc };
    case ExperienceKind.FEATURE_FLAG:
      return { ...common, rolloutPercentage: 100, ...doc };
    default:
      return {
        ...common,
        trafficPercentage: 100,
        mutuallyExclusive: settings.mutuallyExclusiveABTests,
        priority: 0,
        stickyTarget: true,
        exposureEvent: null,
        guardrailGoals: [],
        guardrailAction: "NOTIFY",
        ...doc,
        variants: (doc.variants as Doc[]).map((variant) => ({ isControl: false, values: [], ...variant })),
        analysis: { ...(settings.defaultAnalysis as object), ...(doc.analysis as object) },
      };
  }
}

/** A document with its lists present (an empty or absent list is the same). */
function withLists(document: Record<string, unknown>): SetupDoc {
  return {
    keys: (document.keys as Doc[]) ?? [],
    segments: (document.segments as Doc[]) ?? [],
    goals: (document.goals as Doc[]) ?? [],
    settings: document.settings as Doc | undefined,
    experiences: (document.experiences as Doc[]) ?? [],
  };
}

/** Two objects of one kind under one name (ignoring case): INVALID at the second. */
function duplicateNames(doc: SetupDoc): UserError[] {
  const errors: UserError[] = [];
  for (const list of LISTS) {
    const seen = new Set<string>();
    doc[list].forEach((row, index) => {
      const key = `${list === "experiences" ? String(row.kind) : ""}:${nameKeyOf(row.name)}`;
      if (seen.has(key))
        errors.push(
          UserErrors.invalid(
            ["document", list, String(index), "name"],
            `"${row.name}" is in the document twice`,
          ),
        );
      seen.add(key);
    });
  }
  return errors;
}

/** A stored rule as a client writes it (RuleDraft): each condition under `property` or `event`. */
function ruleDraftOf(rule: Rule): RuleDraft {
  return {
    match: rule.match,
    conditions: rule.conditions.map((condition) =>
      condition.type === "property"
        ? { property: conditionDraftOf(condition) }
        : {
            event: {
              occurrence: condition.occurrence,
              event: condition.event,
              withinDays: condition.withinDays,
              minCount: condition.minCount,
              where: condition.where.map(conditionDraftOf),
            },
          },
    ),
    groups: rule.groups.map(ruleDraftOf),
  };
}

function conditionDraftOf(condition: PropertyCondition): PropertyConditionDraft {
  return { property: condition.property, operator: condition.operator, values: condition.values };
}

/** A rule draft with every optional list present, as ruleDraftOf writes it, so the two compare. */
function withRuleLists(rule: RuleDraft): RuleDraft {
  return {
    match: rule.match,
    conditions: (rule.conditions ?? []).map((condition) =>
      condition.property
        ? { property: { values: [], ...condition.property } }
        : {
            event: {
              withinDays: null,
              minCount: null,
              ...condition.event!,
              where: (condition.event!.where ?? []).map((where) => ({ values: [], ...where })),
            },
          },
    ),
    groups: (rule.groups ?? []).map(withRuleLists),
  };
}
