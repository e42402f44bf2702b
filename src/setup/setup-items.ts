import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import { pageOfRows, type ListRequest, type Page } from "../db/pagination";
import { VersionedCache } from "../db/versioned-cache";
import { archiveEach, changeProject } from "../db/unit-of-work";
import { isId, newId } from "../shared/ids";
import { InvalidArgument } from "../shared/invalid-argument";
import { nameKeyOf, searchTextOf, type NormalizedName } from "../shared/names";
import { errorsOf, fail, ok, type Result } from "../shared/result";
import { textProblem } from "../shared/text";
import { bulkIdsError, versionConflict, type BulkArchived } from "../shared/versions";
import { sameValue } from "../shared/json";
import { UserErrors, type FieldPath, type Usage, type UserError } from "../shared/user-error";
import { applyNaming, checkNaming, nameHolder, type NamedInput, type NamedRow } from "./named-row";

export interface SetupKind<T extends NamedRow> {
  entity: new () => T;
  /** In words, for messages: "key". */
  what: string;
  /** In the audit log and action names: "Key". */
  entityType: string;
  /** The object as the API shows it, for the audit log. */
  view(item: T): object;
}

export interface CreateOptions {
  /** The kind's own name rule, when stricter than the general one (keys). */
  normalizeName?: (raw: string, field: FieldPath) => Result<NormalizedName>;
  /** A project-wide check such as a limit, run once the input is valid. */
  check?: (tx: EntityManager) => Promise<UserError | null>;
}

/** The version a change expects its object at, and where the caller sent it (for CONFLICT). */
export interface ExpectedVersion {
  version: number | null | undefined;
  field: FieldPath;
}

/** The unarchived experiences that use an item: while there are any, it cannot be archived. */
export type LiveUsages<T> = (tx: EntityManager, item: T) => Promise<Usage[]>;

export interface SetupFilter {
  archived?: boolean | null;
  search?: string | null;
}

/** A list filter's search, trimmed (null when blank); text no column could hold is BAD_USER_INPUT. */
export function searchOf(filter: { search?: string | null }): string | null {
  const search = filter.search?.trim() ?? "";
  const problem = textProblem(search);
  if (problem) throw new InvalidArgument("filter.search", problem);
  return search === "" ? null : search;
}

/**
 * The shared life of a setup component: listing with the archive filter and search, lookup inside
 * the project, unique names, and archive / unarchive with their state rules. Services add their own
 * rules (types, limits, usage) on top; each rule here exists once for all three kinds.
 */
export class SetupItems<T extends NamedRow> {
  /**
   * Every item of the project, oldest first, as of the caller's config version: lists and lookups
   * read it from memory; writes never do (they load what they check inside their transaction).
   */
  private readonly current: VersionedCache<T[]>;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    readonly kind: SetupKind<T>,
  ) {
    this.current = new VersionedCache((projectId) =>
      this.inProject(this.db.reader, projectId).orderBy("item.id").getMany(),
    );
  }

  /** Active items by default; the search is a case-insensitive substring of name or description. */
  async list(caller: Caller, filter: SetupFilter, page: ListRequest): Promise<Page<T>> {
    const search = searchOf(filter)?.toLowerCase();
    const rows = (await this.all(caller)).filter(
      (item) =>
        (filter.archived === null || (item.archivedAt !== null) === (filter.archived ?? false)) &&
        (!search || item.searchText.includes(search)),
    );
    return pageOfRows(rows, page);
  }

  /** The caller's project's item with this id, or null (also for another project's id). */
  async byId(caller: Caller, id: string): Promise<T | null> {
    return (await this.all(caller)).find((item) => item.id === id) ?? null;
  }

  async byName(caller: Caller, name: string): Promise<T | null> {
    const nameKey = nameKeyOf(name);
    return (await this.all(caller)).find((item) => item.nameKey === nameKey) ?? null;
  }

  async byIds(caller: Caller, ids: readonly string[]): Promise<T[]> {
    const wanted = new Set(ids);
    return (await this.all(caller)).filter((item) => wanted.has(item.id));
  }

  private all(caller: Caller): Promise<T[]> {
    return this.current.get(caller.projectId, caller.configVersion);
  }

  /** Inside a write: an id of another project, or not an id at all, finds nothing, like an unknown id. */
  async find(manager: EntityManager, projectId: string, id: string): Promise<T | null> {
    if (!isId(id)) return null;
    return this.inProject(manager, projectId).andWhere("item.id = :id", { id }).getOne();
  }

  /** NAME_TAKEN when another item of this kind has the name, ignoring case, archived ones too. */
  async nameTaken(
    tx: EntityManager,
    projectId: string,
    name: { name: string; nameKey: string },
    field: FieldPath,
    exceptId?: string,
  ): Promise<UserError | null> {
    const holder = await nameHolder(tx, this.kind.entity, { projectId }, name.nameKey);
    return holder && holder.id !== exceptId ? UserErrors.nameTaken(field, this.kind.what, holder) : null;
  }

  /**
   * The item a change is about, if it exists and is at the version the caller expects: NOT_FOUND,
   * or CONFLICT (`expected.field` says where the version was sent).
   */
  private async changing(
    tx: EntityManager,
    projectId: string,
    id: string,
    idField: FieldPath,
    expected: ExpectedVersion,
  ): Promise<Result<T>> {
    const item = await this.find(tx, projectId, id);
    if (!item) return fail(UserErrors.notFound(idField, this.kind.what));
    const conflict = versionConflict(this.kind.what, item.version, expected.version, expected.field);
    return conflict ? fail(conflict) : ok(item);
  }

  /**
   * Creates an item from its name, description and the kind's own fields (already validated by the
   * service, errors included), so a client hears about every bad field at once.
   */
  create(
    caller: Caller,
    input: NamedInput & { name: string },
    own: Result<Partial<T>>,
    options: CreateOptions = {},
  ): Promise<Result<T>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const naming = checkNaming(input, true, options.normalizeName);
      if (!naming.ok || !own.ok) return fail(...errorsOf(naming, own));
      const name = naming.value.name!;
      const refused =
        (await this.nameTaken(tx, caller.projectId, name, ["input", "name"])) ?? (await options.check?.(tx));
      if (refused) return fail(refused);
      return ok(
        await this.insert(tx, caller, {
          ...name,
          description: naming.value.description ?? null,
          ...own.value,
        }),
      );
    });
  }

  /**
   * Changes an editable item: name and description when given (null keeps them), then the kind's
   * own changes, which `ownChanges` validates against the item as it is now.
   */
  change(
    caller: Caller,
    input: NamedInput & { id: string; expectedVersion?: number | null },
    ownChanges: (tx: EntityManager, item: T) => Promise<Result<Partial<T>>>,
  ): Promise<Result<T>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const expected = { version: input.expectedVersion, field: ["input", "expectedVersion"] };
      const found = await this.changing(tx, caller.projectId, input.id, ["input", "id"], expected);
      if (!found.ok) return found;
      const item = found.value;
      if (item.archivedAt !== null)
        return fail(UserErrors.archived(["input", "id"], this.kind.what, "edit it"));
      const before = this.kind.view(item);
      const naming = checkNaming(input, false);
      const own = await ownChanges(tx, item);
      if (!naming.ok || !own.ok) return fail(...errorsOf(naming, own));
      const taken = await applyNaming(item, naming.value, this.kind.what, (nameKey) =>
        nameHolder(tx, this.kind.entity, { projectId: caller.projectId }, nameKey),
      );
      if (taken) return fail(taken);
      Object.assign(item, own.value);
      // An update that changes nothing is no change: no new version, nothing in the audit log.
      if (sameValue(this.kind.view(item), before)) return ok(item);
      return ok(await this.update(tx, caller, "update", before, item));
    });
  }

  /** Inserts a new item built from `fields`; `verb` names the audit action ("clone" gives cloneSegment). */
  async insert(
    tx: EntityManager,
    caller: Caller,
    fields: NormalizedName & { description: string | null } & Partial<T>,
    verb = "create",
  ): Promise<T> {
    const now = Date.now();
    const item = Object.assign(new this.kind.entity(), fields, {
      id: newId(now),
      projectId: caller.projectId,
      version: 1,
      searchText: searchTextOf(fields.name, fields.description),
      archivedAt: null,
      createdAt: new Date(now),
      updatedAt: new Date(now),
    });
    // A copy: on PostgreSQL, insert writes the columns with defaults back into what it is given, raw
    // (a JSON column's text, not its value).
    await tx.insert(this.kind.entity, { ...item } as never);
    await this.record(tx, caller, verb, null, item);
    return item;
  }

  /** Saves a changed item as its next version, stamps updatedAt, and records before and after. */
  async update(tx: EntityManager, caller: Caller, action: string, before: object, item: T): Promise<T> {
    item.version += 1;
    item.updatedAt = new Date();
    item.searchText = searchTextOf(item.name, item.description);
    await tx.save(this.kind.entity, item as never);
    await this.record(tx, caller, action, before, item);
    return item;
  }

  /** Archiving twice is INVALID_STATE; while `liveUsages` finds unarchived experiences, IN_USE. */
  archive(
    caller: Caller,
    id: string,
    expectedVersion: number | null | undefined,
    liveUsages: LiveUsages<T>,
  ): Promise<Result<T>> {
    return changeProject(this.db, caller.projectId, (tx) =>
      this.archiveOne(
        tx,
        caller,
        id,
        ["id"],
        { version: expectedVersion, field: ["expectedVersion"] },
        liveUsages,
      ),
    );
  }

  /**
   * 1 to 100 ids, each judged alone by the same steps as `archive`, in one transaction (so every
   * check holds against concurrent writes until they are all done): those that can be archived are,
   * each with its own audit event; the others come back as userErrors at ["ids", "<index>"].
   */
  archiveMany(caller: Caller, ids: readonly string[], liveUsages: LiveUsages<T>): Promise<BulkArchived> {
    const refused = bulkIdsError(ids);
    if (refused) return Promise.resolve({ archived: [], userErrors: [refused] });
    return archiveEach(this.db, caller.projectId, ids, (tx, id, field) =>
      this.archiveOne(tx, caller, id, field, { version: null, field }, liveUsages),
    );
  }

  private async archiveOne(
    tx: EntityManager,
    caller: Caller,
    id: string,
    field: FieldPath,
    expected: ExpectedVersion,
    liveUsages: LiveUsages<T>,
  ): Promise<Result<T>> {
    const found = await this.changing(tx, caller.projectId, id, field, expected);
    if (!found.ok) return found;
    const item = found.value;
    if (item.archivedAt !== null)
      return fail(UserErrors.invalidState(field, `This ${this.kind.what} is already archived`));
    const usages = await liveUsages(tx, item);
    if (usages.length > 0) return fail(UserErrors.inUse(field, this.kind.what, usages));
    const before = this.kind.view(item);
    item.archivedAt = new Date();
    return ok(await this.update(tx, caller, "archive", before, item));
  }

  /** Unarchiving an active item is INVALID_STATE; `mayReturn` adds the kind's own limits. */
  unarchive(
    caller: Caller,
    id: string,
    expectedVersion: number | null | undefined,
    mayReturn: (tx: EntityManager, item: T) => Promise<UserError | null> = async () => null,
  ): Promise<Result<T>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const found = await this.changing(tx, caller.projectId, id, ["id"], {
        version: expectedVersion,
        field: ["expectedVersion"],
      });
      if (!found.ok) return found;
      const item = found.value;
      if (item.archivedAt === null)
        return fail(UserErrors.invalidState(["id"], `This ${this.kind.what} is not archived`));
      const refused = await mayReturn(tx, item);
      if (refused) return fail(refused);
      const before = this.kind.view(item);
      item.archivedAt = null;
      return ok(await this.update(tx, caller, "unarchive", before, item));
    });
  }

  private inProject(manager: EntityManager, projectId: string) {
    return manager
      .createQueryBuilder(this.kind.entity, "item")
      .where("item.projectId = :projectId", { projectId });
  }

  private record(
    tx: EntityManager,
    caller: Caller,
    verb: string,
    before: object | null,
    item: T,
  ): Promise<void> {
    return this.audit.record(tx, caller, {
      action: `${verb}${this.kind.entityType}`,
      entityType: this.kind.entityType,
      entityId: item.id,
      before,
      after: this.kind.view(item),
    });
  }
}
