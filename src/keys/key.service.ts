import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import type { ListRequest, Page } from "../db/pagination";
import { SetupItems, type LiveUsages, type SetupFilter } from "../setup/setup-items";
import type { BulkArchived } from "../shared/versions";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors, type UserError } from "../shared/user-error";
import type { UsageService } from "../usages/usage.service";
import { MAX_ACTIVE_KEYS, normalizeKeyName, valueTypeError, type ValueType } from "./key-rules";
import { Key, keyView } from "./key.entity";

export interface CreateKey {
  name: string;
  type: ValueType;
  defaultValue: unknown;
  description?: string | null;
}

export interface UpdateKey {
  id: string;
  expectedVersion?: number | null;
  defaultValue?: unknown;
  description?: string | null;
}

export class KeyService {
  readonly items: SetupItems<Key>;

  constructor(
    db: Database,
    audit: AuditService,
    private readonly usages: UsageService,
  ) {
    this.items = new SetupItems(db, audit, { entity: Key, what: "key", entityType: "Key", view: keyView });
  }

  list(caller: Caller, filter: SetupFilter, page: ListRequest): Promise<Page<Key>> {
    return this.items.list(caller, filter, page);
  }

  create(caller: Caller, input: CreateKey): Promise<Result<Key>> {
    const typeError = valueTypeError(input.type, input.defaultValue, ["input", "defaultValue"]);
    return this.items.create(
      caller,
      input,
      typeError ? fail(typeError) : ok({ type: input.type, defaultValue: input.defaultValue }),
      {
        normalizeName: normalizeKeyName,
        check: (tx) => this.activeKeyLimit(tx, caller.projectId, ["input", "name"]),
      },
    );
  }

  /** Only the default value and the description can change: the name is in the app's code and the type in its reads. */
  update(caller: Caller, input: UpdateKey): Promise<Result<Key>> {
    return this.items.change(
      caller,
      { id: input.id, description: input.description, expectedVersion: input.expectedVersion },
      async (_tx, key) => {
        if (input.defaultValue === undefined || input.defaultValue === null) return ok({});
        const typeError = valueTypeError(key.type, input.defaultValue, ["input", "defaultValue"]);
        return typeError ? fail(typeError) : ok({ defaultValue: input.defaultValue });
      },
    );
  }

  archive(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Key>> {
    return this.items.archive(caller, id, expectedVersion, this.liveUsages(caller));
  }

  /** 1 to 100 ids, each judged alone: the archivable ones are archived, the others come back as userErrors. */
  archiveMany(caller: Caller, ids: readonly string[]): Promise<BulkArchived> {
    return this.items.archiveMany(caller, ids, this.liveUsages(caller));
  }

  /** An archived key comes back only if the project has room for one more active key. */
  unarchive(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Key>> {
    return this.items.unarchive(caller, id, expectedVersion, (tx) =>
      this.activeKeyLimit(tx, caller.projectId, ["id"]),
    );
  }

  private liveUsages(caller: Caller): LiveUsages<Key> {
    return (tx, key) => this.usages.liveUsagesOf(tx, caller.projectId, "key", key.id);
  }

  /** LIMIT_REACHED when the project already holds the most active keys it may. */
  private async activeKeyLimit(
    tx: EntityManager,
    projectId: string,
    field: string[],
  ): Promise<UserError | null> {
    const active = await tx
      .createQueryBuilder(Key, "key")
      .where("key.projectId = :projectId AND key.archivedAt IS NULL", { projectId })
      .getCount();
    return active >= MAX_ACTIVE_KEYS
      ? UserErrors.limitReached(
          field,
          `A project holds at most ${MAX_ACTIVE_KEYS} active keys: archive one first`,
        )
      : null;
  }
}
