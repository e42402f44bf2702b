import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import type { ListRequest, Page } from "../db/pagination";
import { changeProject } from "../db/unit-of-work";
import { SetupItems, type LiveUsages, type SetupFilter } from "../setup/setup-items";
import type { BulkArchived } from "../shared/versions";
import { MAX_NAME_LENGTH, normalizeName, type NormalizedName } from "../shared/names";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors } from "../shared/user-error";
import type { UsageService } from "../usages/usage.service";
import { parseRule, type RuleDraft } from "./segment-rule";
import { Segment, segmentView } from "./segment.entity";

export interface CreateSegment {
  name: string;
  description?: string | null;
  rule: RuleDraft;
}

export interface UpdateSegment {
  id: string;
  expectedVersion?: number | null;
  name?: string | null;
  description?: string | null;
  rule?: RuleDraft | null;
}

export class SegmentService {
  readonly items: SetupItems<Segment>;

  constructor(
    private readonly db: Database,
    audit: AuditService,
    private readonly usages: UsageService,
  ) {
    this.items = new SetupItems(db, audit, {
      entity: Segment,
      what: "segment",
      entityType: "Segment",
      view: segmentView,
    });
  }

  list(caller: Caller, filter: SetupFilter, page: ListRequest): Promise<Page<Segment>> {
    return this.items.list(caller, filter, page);
  }

  create(caller: Caller, input: CreateSegment): Promise<Result<Segment>> {
    const rule = parseRule(input.rule, ["input", "rule"]);
    return this.items.create(caller, input, rule.ok ? ok({ rule: rule.value, clonedFromId: null }) : rule);
  }

  /** Name, description and rule may change; a new rule replaces the old one whole. */
  update(caller: Caller, input: UpdateSegment): Promise<Result<Segment>> {
    return this.items.change(caller, input, async () => {
      if (input.rule == null) return ok({});
      const rule = parseRule(input.rule, ["input", "rule"]);
      return rule.ok ? ok({ rule: rule.value }) : rule;
    });
  }

  /**
   * A new, independent, active segment with the original's description and rule. Unless a name is
   * given it is "<name> (copy)", then "(copy 2)", ... whichever is free. Archived segments can be
   * cloned: that is how an old audience comes back as a starting point.
   */
  clone(caller: Caller, id: string, requestedName: string | null): Promise<Result<Segment>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const original = await this.items.find(tx, caller.projectId, id);
      if (!original) return fail(UserErrors.notFound(["id"], "segment"));
      let name: NormalizedName;
      if (requestedName !== null) {
        const normalized = normalizeName(requestedName, ["name"]);
        if (!normalized.ok) return normalized;
        const taken = await this.items.nameTaken(tx, caller.projectId, normalized.value, ["name"]);
        if (taken) return fail(taken);
        name = normalized.value;
      } else {
        name = await this.freeCopyName(tx, caller.projectId, original.name);
      }
      const fields = {
        ...name,
        description: original.description,
        rule: structuredClone(original.rule),
        clonedFromId: original.id,
      };
      return ok(await this.items.insert(tx, caller, fields, "clone"));
    });
  }

  archive(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Segment>> {
    return this.items.archive(caller, id, expectedVersion, this.liveUsages(caller));
  }

  /** 1 to 100 ids, each judged alone: the archivable ones are archived, the others come back as userErrors. */
  archiveMany(caller: Caller, ids: readonly string[]): Promise<BulkArchived> {
    return this.items.archiveMany(caller, ids, this.liveUsages(caller));
  }

  unarchive(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Segment>> {
    return this.items.unarchive(caller, id, expectedVersion);
  }

  private liveUsages(caller: Caller): LiveUsages<Segment> {
    return (tx, segment) => this.usages.liveUsagesOf(tx, caller.projectId, "segment", segment.id);
  }

  private async freeCopyName(
    tx: EntityManager,
    projectId: string,
    originalName: string,
  ): Promise<NormalizedName> {
    for (let copy = 1; ; copy++) {
      const suffix = copy === 1 ? " (copy)" : ` (copy ${copy})`;
      // Keep the whole name within the limit by shortening the original part, never the suffix.
      const base = Array.from(originalName)
        .slice(0, MAX_NAME_LENGTH - suffix.length)
        .join("");
      const candidate = normalizeName(base + suffix, ["name"]);
      if (candidate.ok && !(await this.items.nameTaken(tx, projectId, candidate.value, ["name"])))
        return candidate.value;
    }
  }
}
