import type { EntityManager } from "typeorm";
import { Goal } from "../goals/goal.entity";
import { valueTypeError } from "../keys/key-rules";
import { Key } from "../keys/key.entity";
import { Segment } from "../segments/segment.entity";
import { isId } from "../shared/ids";
import { at, UserErrors, type UserError } from "../shared/user-error";

export interface KeyValueDraft {
  keyId: string;
  value: unknown;
}

interface Referable {
  id: string;
  archivedAt: Date | null;
}

/**
 * The keys, segment and goals an experience refers to, loaded inside the mutation's transaction
 * (one query per kind). Because setup changes of a project run one at a time (changeProject), what
 * is checked here stays true until commit: no archiveKey can slip in between.
 */
export class References {
  private constructor(
    private readonly keys: Map<string, Key>,
    private readonly segments: Map<string, Segment>,
    private readonly goals: Map<string, Goal>,
  ) {}

  static async load(
    tx: EntityManager,
    projectId: string,
    wanted: { keyIds?: string[]; segmentIds?: (string | null | undefined)[]; goalIds?: string[] },
  ): Promise<References> {
    const fetch = async <T extends Referable>(
      entity: new () => T,
      ids: (string | null | undefined)[] = [],
    ) => {
      const valid = [...new Set(ids.filter((id): id is string => typeof id === "string" && isId(id)))];
      const rows = valid.length
        ? await tx
            .createQueryBuilder(entity, "row")
            .where("row.projectId = :projectId AND row.id IN (:...ids)", { projectId, ids: valid })
            .getMany()
        : [];
      return new Map(rows.map((row) => [row.id, row]));
    };
    return new References(
      await fetch(Key, wanted.keyIds),
      await fetch(Segment, wanted.segmentIds),
      await fetch(Goal, wanted.goalIds),
    );
  }

  /** NOT_FOUND for an unknown segment, ARCHIVED for an archived one. */
  segmentError(segmentId: string, field: string[]): UserError | null {
    return referenceError(this.segments.get(segmentId), field, "segment");
  }

  goalError(goalId: string, field: string[]): UserError | null {
    return referenceError(this.goals.get(goalId), field, "goal");
  }

  /** The key, if it exists in the project and is active. */
  activeKey(keyId: string): Key | null {
    const key = this.keys.get(keyId);
    return key && key.archivedAt === null ? key : null;
  }

  keyError(keyId: string, field: string[]): UserError | null {
    return referenceError(this.keys.get(keyId), field, "key");
  }

  /** Each key known and active, at most once, and each value of its key's type. */
  keyValueErrors(values: KeyValueDraft[], path: string[]): UserError[] {
    const seen = new Set<string>();
    return values.flatMap((entry, index) => {
      const keyField = at(path, index, "keyId");
      const missing = this.keyError(entry.keyId, keyField);
      if (missing) return [missing];
      if (seen.has(entry.keyId)) return [UserErrors.invalid(keyField, "This key is given twice")];
      seen.add(entry.keyId);
      const typeError = valueTypeError(
        this.keys.get(entry.keyId)!.type,
        entry.value,
        at(path, index, "value"),
      );
      return typeError ? [typeError] : [];
    });
  }
}

function referenceError(row: Referable | undefined, field: string[], what: string): UserError | null {
  if (!row) return UserErrors.notFound(field, what);
  if (row.archivedAt !== null) return UserErrors.archived(field, what, "use it in an experience");
  return null;
}
