import type { Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import type { Page, PageRequest } from "../db/pagination";
import { SetupItems, type LiveUsages, type SetupFilter } from "../setup/setup-items";
import type { BulkArchived } from "../shared/versions";
import { ExperienceStatus } from "../experiences/experience-kind";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors } from "../shared/user-error";
import type { UsageService } from "../usages/usage.service";
import { normalizeGoalEvents } from "./goal-rules";
import { Goal, goalView } from "./goal.entity";

export interface CreateGoal {
  name: string;
  description?: string | null;
  events: string[];
}

export interface UpdateGoal {
  id: string;
  expectedVersion?: number | null;
  name?: string | null;
  description?: string | null;
  events?: string[] | null;
}

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

  list(caller: Caller, filter: SetupFilter, page: PageRequest): Promise<Page<Goal>> {
    return this.items.list(caller, filter, page);
  }

  create(caller: Caller, input: CreateGoal): Promise<Result<Goal>> {
    const events = normalizeGoalEvents(input.events, ["input", "events"]);
    return this.items.create(caller, input, events.ok ? ok({ events: events.value }) : events);
  }

  /**
   * Events freeze once any experience using the goal has left DRAFT (ran, archived or not): its
   * conversions were counted with the old events, and new ones would make its results lie.
   */
  update(caller: Caller, input: UpdateGoal): Promise<Result<Goal>> {
    return this.items.change(caller, input, async (tx, goal) => {
      if (input.events == null) return ok({});
      const events = normalizeGoalEvents(input.events, ["input", "events"]);
      if (!events.ok) return events;
      if (sameEvents(events.value, goal.events)) return ok({ events: events.value });
      const ran = (await this.usages.usagesOfOne(tx, caller.projectId, "goal", goal.id)).filter(
        (usage) => usage.status !== ExperienceStatus.DRAFT,
      );
      if (ran.length) {
        return fail(
          UserErrors.invalidState(
            ["input", "events"],
            `The events of a goal used by an experience that has run cannot change (${ran.map((u) => `"${u.name}"`).join(", ")}): create a new goal instead`,
          ),
        );
      }
      return ok({ events: events.value });
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

/** The same events, perhaps reordered: what a goal counts does not change. */
function sameEvents(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((event) => b.includes(event));
}
