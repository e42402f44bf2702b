import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { sql } from "../db/sql";
import type { VersionedCache } from "../db/versioned-cache";
import { ExperienceStatus } from "../experiences/experience-kind";
import { badUserInput } from "../graphql/errors";
import type { UserEvent, UserFacts } from "../segments/segment-matching";
import { Profile } from "../tracking/profile.entity";
import { isJsonObject } from "../shared/json";
import { MAX_USER_ID_LENGTH } from "../tracking/tracking-rules";
import {
  placements,
  resolveValues,
  runningAssignments,
  segmentsOf,
  type EvaluatedValue,
  type Placement,
  type UserAssignments,
} from "./evaluate-user";
import type { EventNeeds, Ruleset } from "./ruleset";
import { rulesetCache } from "./ruleset-cache";

export interface EvaluationRequest {
  id: string;
  properties?: unknown;
}

export interface Evaluation {
  values: EvaluatedValue[];
  assignments: { abTestId: string; variant: string }[];
  segmentIds: string[];
}

/**
 * `evaluate`: the ruleset comes from memory; per request only the user's profile, events and
 * assignments are read, and only first-time assignments are written.
 */
export class EvaluationService {
  private readonly rulesets: VersionedCache<Ruleset>;

  constructor(private readonly db: Database) {
    this.rulesets = rulesetCache(db);
  }

  async evaluate(caller: Caller, user: EvaluationRequest): Promise<Evaluation> {
    const userId = user.id;
    if (userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
      throw badUserInput(`user.id is 1 to ${MAX_USER_ID_LENGTH} characters`);
    }
    if (user.properties != null && !isJsonObject(user.properties)) throw badUserInput("user.properties must be a JSON object");
    const now = Date.now();
    const ruleset = await this.rulesets.get(caller.projectId, caller.configVersion);
    const [facts, stored] = await Promise.all([
      this.facts(caller.projectId, userId, user.properties ?? {}, ruleset.events, now),
      this.assignmentsOf(this.db.reader, caller.projectId, userId),
    ]);
    const segments = segmentsOf(ruleset, facts);
    const newPlacements = placements(ruleset, userId, segments, stored);
    const state = newPlacements.length ? await this.record(caller.projectId, userId, newPlacements, now) : stored;
    return {
      values: resolveValues(ruleset, userId, segments, state.variants),
      assignments: runningAssignments(ruleset, state.variants),
      segmentIds: [...segments],
    };
  }

  /** The stored profile overlaid with the request's properties (null removes one), and the events the rules need. */
  private async facts(projectId: string, userId: string, overrides: object, needs: EventNeeds, now: number): Promise<UserFacts> {
    const [profile, counts, rows] = await Promise.all([
      this.db.reader.findOne(Profile, { where: { projectId, userId } }),
      needs.countNames.length
        ? sql<{ name: string; count: string | number }>(
            this.db.reader,
            `SELECT name, COUNT(*) AS count FROM event
              WHERE project_id = :projectId AND user_id = :userId AND name IN (:...names) GROUP BY name`,
            { projectId, userId, names: needs.countNames },
          )
        : [],
      needs.rowNames.length
        ? sql<{ name: string; at: string | number; properties: string }>(
            this.db.reader,
            `SELECT name, at, properties FROM event
              WHERE project_id = :projectId AND user_id = :userId AND name IN (:...names) AND at >= :since`,
            { projectId, userId, names: needs.rowNames, since: needs.rowWindowMs === null ? 0 : now - needs.rowWindowMs },
          )
        : [],
    ]);
    const properties: Record<string, unknown> = { ...profile?.properties };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === null) delete properties[name];
      else properties[name] = value;
    }
    const totals = new Map(counts.map((row) => [row.name, Number(row.count)]));
    const events = new Map<string, UserEvent[]>();
    for (const row of rows) {
      const list = events.get(row.name) ?? [];
      list.push({ at: Number(row.at), properties: JSON.parse(row.properties) });
      events.set(row.name, list);
    }
    return { properties, now, eventTotal: (name) => totals.get(name) ?? 0, events: (name) => events.get(name) ?? [] };
  }

  /**
   * The user's assignments and exclusive slot, in one statement: two statements could see two
   * different moments (a concurrent evaluation's slot but not yet its assignment).
   */
  private async assignmentsOf(manager: EntityManager, projectId: string, userId: string): Promise<UserAssignments> {
    const rows = await sql<{ experience_id: string; variant_id: string | null }>(
      manager,
      `SELECT experience_id, variant_id FROM assignment WHERE project_id = :projectId AND user_id = :userId
       UNION ALL
       SELECT experience_id, NULL FROM exclusive_slot WHERE project_id = :projectId AND user_id = :userId`,
      { projectId, userId },
    );
    const variants = new Map<string, string>();
    let slotTestId: string | null = null;
    for (const row of rows) {
      if (row.variant_id === null) slotTestId = row.experience_id;
      else variants.set(row.experience_id, row.variant_id);
    }
    return { variants, slotTestId };
  }

  /**
   * Writes first-time assignments and answers with what is stored afterwards. The database decides
   * races: (experience, user) is the assignment's key, so a concurrent evaluation's assignment
   * stands; (project, user) is the exclusive slot's key, so a user holds at most one slot, and an
   * exclusive assignment is written only by the evaluation that got the slot.
   */
  private record(projectId: string, userId: string, placed: Placement[], now: number): Promise<UserAssignments> {
    return this.db.transaction(async (tx) => {
      const assign = (placement: Placement) =>
        sql(
          tx,
          `INSERT INTO assignment (experience_id, user_id, project_id, variant_id, assigned_at)
           VALUES (:testId, :userId, :projectId, :variantId, :now) ON CONFLICT DO NOTHING`,
          { ...placement, userId, projectId, now },
        );
      for (const placement of placed) {
        if (!placement.exclusive) {
          await assign(placement);
          continue;
        }
        if (placement.exclusive.replacesSlotOf) {
          // Only a slot whose test really is over goes: the ruleset in memory may be older than the slot.
          await sql(
            tx,
            `DELETE FROM exclusive_slot WHERE project_id = :projectId AND user_id = :userId AND experience_id IN
               (SELECT id FROM experience WHERE id = :stale AND (archived_at IS NOT NULL OR status NOT IN (:...live)))`,
            { projectId, userId, stale: placement.exclusive.replacesSlotOf, live: [ExperienceStatus.RUNNING, ExperienceStatus.PAUSED] },
          );
        }
        await sql(
          tx,
          `INSERT INTO exclusive_slot (project_id, user_id, experience_id, assigned_at)
           VALUES (:projectId, :userId, :testId, :now) ON CONFLICT DO NOTHING`,
          { projectId, userId, testId: placement.testId, now },
        );
        const [slot] = await sql<{ experience_id: string }>(
          tx,
          "SELECT experience_id FROM exclusive_slot WHERE project_id = :projectId AND user_id = :userId",
          { projectId, userId },
        );
        if (slot?.experience_id === placement.testId) await assign(placement);
      }
      return this.assignmentsOf(tx, projectId, userId);
    });
  }
}
