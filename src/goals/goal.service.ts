import type { Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import type { ListRequest, Page } from "../db/pagination";
import { SetupItems, type LiveUsages, type SetupFilter } from "../setup/setup-items";
import type { BulkArchived } from "../shared/versions";
import { ExperienceStatus } from "../experiences/experience-kind";
import { UserErrors } from "../shared/user-error";
import type { UsageService } from "../usages/usage.service";
import type { PropertyConditionDraft } from "../segments/segment-rule";
import { sameValue } from "../shared/json";
import { errorsOf, fail, ok, type Result } from "../shared/result";
import { normalizeGoalEvents, normalizeValueProperty, parseGoalFilters } from "./goal-rules";
import { Goal, goalView } from "./goal.entity";

export interface CreateGoal {
  name: string;
  description?: string | null;
  events: string[];
  where?: PropertyConditionDraft[] | null;
  valueProperty?: string | null;
  higherIsBetter?: boolean | null;
}

export interface UpdateGoal {
  id: string;
  expectedVersion?: number | null;
  name?: string | null;
  description?: string | null;
  events?: string[] | null;
  where?: PropertyConditionDraft[] | null;
  valueProperty?: string | null;
  higherIsBetter?: boolean | null;
}

/** What a goal counts: its events, their filters and the value property. */
type Counting = Pick<Goal, "events" | "where" | "valueProperty">;

export class GoalService {
  readonly items: SetupItems<Goal>;

  constructor(
    db: Database,
    audit: AuditService,
    private readonly usages: UsageService,
  ) {
    this.items = new SetupItems(db, audit, {
      entity: Goal,
      what: "goal",
      entityType: "Goal",
      view: goalView,
    });
  }

  list(caller: Caller, filter: SetupFilter, page: ListRequest): Promise<Page<Goal>> {
    return this.items.list(caller, filter, page);
  }

  create(caller: Caller, input: CreateGoal): Promise<Result<Goal>> {
    const counting = countingOf(input, "create");
    return this.items.create(
      caller,
      input,
      counting.ok ? ok({ ...counting.value, higherIsBetter: input.higherIsBetter ?? true }) : counting,
    );
  }

  /**
   * What a goal counts (events, filters, value property) freezes once any experience using the goal
   * has left DRAFT (ran, archived or not): its results were counted with it, and a change would
   * make them lie.
   */
  update(caller: Caller, input: UpdateGoal): Promise<Result<Goal>> {
    return this.items.change(caller, input, async (tx, goal) => {
      const counting = countingOf(input, "update");
      if (!counting.ok) return counting;
      // The direction is how results read the goal, not what it counts: it may change at any time.
      const direction = input.higherIsBetter != null ? { higherIsBetter: input.higherIsBetter } : {};
      const changed = (Object.keys(counting.value) as (keyof Counting)[]).filter(
        (field) => !sameCounting(field, counting.value[field], goal[field]),
      );
      if (changed.length === 0) return ok({ ...counting.value, ...direction });
      const ran = (await this.usages.usagesOfOne(tx, caller.projectId, "goal", goal.id)).filter(
        (usage) => usage.status !== ExperienceStatus.DRAFT,
      );
      if (ran.length) {
        return fail(
          ...changed.map((field) =>
            UserErrors.invalidState(
              ["input", field],
              `What a goal counts cannot change once an experience using it has run (${ran.map((u) => `"${u.name}"`).join(", ")}): create a new goal instead`,
            ),
          ),
        );
      }
      return ok({ ...counting.value, ...direction });
    });
  }

  archive(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Goal>> {
    return this.items.archive(caller, id, expectedVersion, this.liveUsages(caller));
  }

  /** 1 to 100 ids, each judged alone: the archivable ones are archived, the others come back as userErrors. */
  archiveMany(caller: Caller, ids: readonly string[]): Promise<BulkArchived> {
    return this.items.archiveMany(caller, ids, this.liveUsages(caller));
  }

  unarchive(caller: Caller, id: string, expectedVersion?: number | null): Promise<Result<Goal>> {
    return this.items.unarchive(caller, id, expectedVersion);
  }

  private liveUsages(caller: Caller): LiveUsages<Goal> {
    return (tx, goal) => this.usages.liveUsagesOf(tx, caller.projectId, "goal", goal.id);
  }
}

/** The counting fields an input gives (a create gives all), validated; absent ones are left out. */
function countingOf(input: CreateGoal | UpdateGoal, mode: "create" | "update"): Result<Partial<Counting>> {
  const parts: Result<Partial<Counting>>[] = [];
  if (input.events != null || mode === "create") {
    const events = normalizeGoalEvents(input.events ?? [], ["input", "events"]);
    parts.push(events.ok ? ok({ events: events.value }) : events);
  }
  if (input.where != null || mode === "create") {
    const where = parseGoalFilters(input.where ?? [], ["input", "where"]);
    parts.push(where.ok ? ok({ where: where.value }) : where);
  }
  if (input.valueProperty != null) {
    const valueProperty = normalizeValueProperty(input.valueProperty, ["input", "valueProperty"]);
    parts.push(valueProperty.ok ? ok({ valueProperty: valueProperty.value }) : valueProperty);
  }
  const errors = errorsOf(...parts);
  if (errors.length) return fail(...errors);
  return ok(Object.assign({}, ...parts.map((part) => (part.ok ? part.value : {}))) as Partial<Counting>);
}

/** The same events perhaps reordered, the same filters, the same property: the goal counts the same. */
function sameCounting(field: keyof Counting, a: unknown, b: unknown): boolean {
  if (field === "events") {
    const [x, y] = [a as string[], b as string[]];
    return x.length === y.length && x.every((event) => y.includes(event));
  }
  return sameValue(a, b);
}
