import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { changedRows, forShare, insertRows, lockNames, sql } from "../db/sql";
import type { Clock } from "../shared/clock";
import type { Signals } from "../shared/signals";
import type { LiveTestRow, ResultRollups } from "../results/rollups";
import type { VersionedCache } from "../db/versioned-cache";
import { ExperienceStatus } from "../experiences/experience-kind";
import type { UserEvent, UserFacts } from "../segments/segment-matching";
import { propertiesOf } from "../shared/properties";
import { InvalidArgument } from "../shared/invalid-argument";
import { isJsonObject } from "../shared/json";
import { userIdProblem } from "../shared/user-ids";
import {
  placements,
  resolveValues,
  segmentsOf,
  servedAssignments,
  type EvaluatedValue,
  type Placement,
  type UserAssignments,
} from "./evaluate-user";
import type { EventRead, Ruleset } from "./ruleset";
import { rulesetCache } from "./ruleset-cache";

export interface EvaluationRequest {
  id: string;
  properties?: unknown;
}

export interface Evaluation {
  values: EvaluatedValue[];
  assignments: { abTestId: string; variant: string }[];
  segmentIds: string[];
  /**
   * Lives exactly as long as the configuration these answers come from (it is the ruleset): adapters
   * may cache what they derive from a served value in a WeakMap keyed by it.
   */
  configuration: object;
}

/**
 * `evaluate`: the ruleset comes from memory; per request only the user's profile, events and
 * assignments are read, and only first-time assignments are written.
 */
export class EvaluationService {
  private readonly rulesets: VersionedCache<Ruleset>;

  constructor(
    private readonly db: Database,
    private readonly rollups: ResultRollups,
    private readonly clock: Clock,
    private readonly signals: Signals,
  ) {
    this.rulesets = rulesetCache(db, signals);
  }

  async evaluate(caller: Caller, user: EvaluationRequest): Promise<Evaluation> {
    const userId = user.id;
    const problem = userIdProblem(userId);
    if (problem) throw new InvalidArgument("user.id", problem);
    if (user.properties != null && !isJsonObject(user.properties))
      throw new InvalidArgument("user.properties", "must be a JSON object");
    const now = this.clock.now();
    const ruleset = await this.rulesets.get(caller.projectId, caller.configVersion);
    const [facts, stored] = await Promise.all([
      this.facts(caller.projectId, userId, user.properties ?? {}, ruleset.events, now),
      this.assignmentsOf(null, caller.projectId, userId),
    ]);
    const segments = segmentsOf(ruleset, facts);
    const newPlacements = placements(ruleset, userId, segments, stored);
    const variants = newPlacements.length
      ? await this.record(caller.projectId, userId, newPlacements)
      : stored.variants;
    if (newPlacements.length) this.signals.placed(newPlacements.length);
    const values = resolveValues(ruleset, userId, segments, variants);
    this.signals.evaluated(countBySource(values));
    return {
      values,
      assignments: servedAssignments(ruleset, userId, segments, variants),
      segmentIds: [...segments],
      configuration: ruleset,
    };
  }

  /** The stored profile overlaid with the request's properties (null removes one), and the events the rules need. */
  private async facts(
    projectId: string,
    userId: string,
    overrides: object,
    reads: EventRead[],
    now: number,
  ): Promise<UserFacts> {
    const [profile, rows] = await Promise.all([
      this.db.read<{ properties: string }>(
        "SELECT properties FROM profile WHERE project_id = :projectId AND user_id = :userId",
        { projectId, userId },
      ),
      this.recentEvents(projectId, userId, reads, now),
    ]);
    const properties = propertiesOf(profile.length ? JSON.parse(profile[0].properties) : null);
    for (const [name, value] of Object.entries(overrides)) {
      if (value === null) properties.delete(name);
      else properties.set(name, value);
    }
    const events = new Map<string, UserEvent[]>();
    for (const row of rows) {
      const list = events.get(row.name) ?? [];
      list.push({
        at: Number(row.at),
        properties: propertiesOf(row.properties === null ? null : JSON.parse(row.properties)),
      });
      events.set(row.name, list);
    }
    return { properties, now, events: (name) => events.get(name) ?? [] };
  }

  /**
   * The user's most recent events of each name the rules read, newest first, in one statement. Each
   * name's branch is bounded by its LIMIT and walks the (project, user, name, at) index backwards, so
   * the work does not grow with the user's history; properties are read only where a filter needs them.
   */
  private recentEvents(projectId: string, userId: string, reads: EventRead[], now: number) {
    if (reads.length === 0) return Promise.resolve([]);
    const parameters: Record<string, unknown> = { projectId, userId };
    const branches = reads.map((read, i) => {
      parameters[`name${i}`] = read.name;
      parameters[`limit${i}`] = read.limit;
      if (read.windowMs !== null) parameters[`since${i}`] = now - read.windowMs;
      return `SELECT * FROM (SELECT name, at, ${read.withProperties ? "properties" : "CAST(NULL AS TEXT) AS properties"} FROM event
                WHERE project_id = :projectId AND user_id = :userId AND name = :name${i}${read.windowMs === null ? "" : ` AND at >= :since${i}`}
                ORDER BY at DESC LIMIT :limit${i}) AS e${i}`;
    });
    return this.db.read<{ name: string; at: string | number; properties: string | null }>(
      branches.join(" UNION ALL "),
      parameters,
    );
  }

  /**
   * The user's assignments and exclusive slot, in one statement: two statements could see two
   * different moments (a concurrent evaluation's slot but not yet its assignment).
   */
  private async assignmentsOf(
    tx: EntityManager | null,
    projectId: string,
    userId: string,
  ): Promise<UserAssignments> {
    const text = `SELECT experience_id, variant_id FROM assignment WHERE project_id = :projectId AND user_id = :userId
       UNION ALL
       SELECT experience_id, NULL FROM exclusive_slot WHERE project_id = :projectId AND user_id = :userId`;
    type Row = { experience_id: string; variant_id: string | null };
    // Inside a write transaction, what it sees; outside, committed data through a prepared statement.
    const rows = tx
      ? await sql<Row>(tx, text, { projectId, userId })
      : await this.db.read<Row>(text, { projectId, userId });
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
   * races, so the rules hold under concurrent evaluations of one user:
   * - (experience, user) is the assignment's key: a concurrent evaluation's assignment stands;
   * - (project, user) is the exclusive slot's key: a user holds at most one slot, and an exclusive
   *   assignment is written only by the evaluation that got the slot;
   * - (project, user, key) is a key claim's key: a placement is written only when every key its
   *   test sets is claimed by that test, so tests sharing a key never share a user.
   * Slots and claims are taken in one order (slot, then claims by key id), so two evaluations cannot
   * each hold what the other waits for. The user is locked first (lockNames): evaluations of one user,
   * and the user's events, take turns, so each finds what the previous one wrote; the assignment
   * counts in the test's results rollups in the same transaction.
   *
   * A placement is written only into a test the database says is RUNNING, whatever the ruleset in
   * memory says (it may be older than a stop). The tests' rows are share-locked first, and the
   * assignment dated after that: a stop, which locks the row to write, waits for this transaction to
   * commit, so its stoppedAt is later than every assignment and its cleanup of slots and claims sees
   * every one; a placement that comes after the stop sees STOPPED and writes nothing.
   */
  private record(projectId: string, userId: string, wanted: Placement[]): Promise<Map<string, string>> {
    // Concurrent first visits share a commit (group commit): each still reads and writes alone.
    return this.db.sharedTransaction(async (tx) => {
      // The user's events may be arriving at this moment: whichever of the two comes second sees the other.
      await lockNames(tx, [`${projectId}:${userId}`]);
      const held = (await this.assignmentsOf(tx, projectId, userId)).variants;
      const tests = await sql<LiveTestRow>(
        tx,
        `SELECT id, project_id, stopped_at, rollups_built, exposure_event FROM experience
          WHERE id IN (:...ids) AND status = :running AND archived_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM test_user pin WHERE pin.experience_id = experience.id AND pin.user_id = :userId)
          ORDER BY id${forShare(tx)}`,
        { ids: wanted.map((placement) => placement.testId), running: ExperienceStatus.RUNNING, userId },
      );
      const runs = new Set(tests.map((row) => row.id));
      let placed = wanted.filter((placement) => runs.has(placement.testId) && !held.has(placement.testId));
      const exclusive = placed.find((placement) => placement.exclusive);
      if (exclusive && !(await this.takeSlot(tx, projectId, userId, exclusive))) {
        placed = placed.filter((placement) => placement !== exclusive);
      }
      const owners = await this.claimKeys(tx, projectId, userId, placed);
      const now = this.clock.now();
      const written: Placement[] = [];
      for (const placement of placed) {
        if (placement.keyIds.every((keyId) => owners.get(keyId) === placement.testId))
          written.push(placement);
        else await this.release(tx, projectId, userId, placement);
      }
      const exposureOf = new Map(tests.map((test) => [test.id, test.exposure_event]));
      await insertRows(
        tx,
        "assignment",
        ["experience_id", "user_id", "project_id", "variant_id", "assigned_at", "entered_at"],
        // With an exposure event the user enters the results at their first exposure, not now.
        written.map((p) => [
          p.testId,
          userId,
          projectId,
          p.variantId,
          now,
          exposureOf.get(p.testId) ? null : now,
        ]),
      );
      await this.rollups.placed(
        tx,
        projectId,
        userId,
        written,
        tests.filter((test) => written.some((placement) => placement.testId === test.id)),
        now,
      );
      // What is stored now: the user is locked (lockNames; SQLite's one writer), so nobody else wrote.
      return new Map([...held, ...written.map((p): [string, string] => [p.testId, p.variantId])]);
    });
  }

  /** Takes the user's exclusive slot for the placement's test; false when another test holds it. */
  private async takeSlot(
    tx: EntityManager,
    projectId: string,
    userId: string,
    placement: Placement,
  ): Promise<boolean> {
    const replaces = placement.exclusive?.replacesSlotOf;
    if (replaces) {
      // Only a slot whose test really is over goes: the ruleset in memory may be older than the slot.
      await sql(
        tx,
        `DELETE FROM exclusive_slot WHERE project_id = :projectId AND user_id = :userId AND experience_id IN
           (SELECT id FROM experience WHERE id = :stale AND (archived_at IS NOT NULL OR status NOT IN (:...live)))`,
        { projectId, userId, stale: replaces, live: [ExperienceStatus.RUNNING, ExperienceStatus.PAUSED] },
      );
    }
    const taken = await changedRows(
      tx,
      `INSERT INTO exclusive_slot (project_id, user_id, experience_id, assigned_at)
       VALUES (:projectId, :userId, :testId, :now) ON CONFLICT DO NOTHING`,
      { projectId, userId, testId: placement.testId, now: this.clock.now() },
    );
    if (taken === 1) return true;
    // Held already: the slot says by which test.
    const [slot] = await sql<{ experience_id: string }>(
      tx,
      "SELECT experience_id FROM exclusive_slot WHERE project_id = :projectId AND user_id = :userId",
      { projectId, userId },
    );
    return slot?.experience_id === placement.testId;
  }

  /** Claims the placements' keys where free, in key order, and answers who holds each of them now. */
  private async claimKeys(tx: EntityManager, projectId: string, userId: string, placed: Placement[]) {
    const claims = placed
      .flatMap((placement) => placement.keyIds.map((keyId) => ({ keyId, testId: placement.testId })))
      .sort((a, b) => (a.keyId < b.keyId ? -1 : 1));
    if (claims.length === 0) return new Map<string, string>();
    const parameters: Record<string, unknown> = { projectId, userId };
    const rows = claims.map((claim, i) => {
      parameters[`key${i}`] = claim.keyId;
      parameters[`test${i}`] = claim.testId;
      return `(:projectId, :userId, :key${i}, :test${i})`;
    });
    const claimed = await changedRows(
      tx,
      `INSERT INTO key_claim (project_id, user_id, key_id, experience_id) VALUES ${rows.join(", ")} ON CONFLICT DO NOTHING`,
      parameters,
    );
    if (claimed === claims.length) return new Map(claims.map((claim) => [claim.keyId, claim.testId]));
    const owners = await sql<{ key_id: string; experience_id: string }>(
      tx,
      "SELECT key_id, experience_id FROM key_claim WHERE project_id = :projectId AND user_id = :userId AND key_id IN (:...keys)",
      { projectId, userId, keys: claims.map((claim) => claim.keyId) },
    );
    return new Map(owners.map((row) => [row.key_id, row.experience_id]));
  }

  /**
   * Gives back what a placement that lost a race took: its slot and the claims its test does not hold
   * through an assignment (a concurrent evaluation may have placed the user in it after all).
   */
  private async release(
    tx: EntityManager,
    projectId: string,
    userId: string,
    placement: Placement,
  ): Promise<void> {
    const notAssigned = `NOT EXISTS (SELECT 1 FROM assignment WHERE experience_id = :testId AND user_id = :userId)`;
    const where = { projectId, userId, testId: placement.testId };
    if (placement.keyIds.length > 0) {
      await sql(
        tx,
        `DELETE FROM key_claim WHERE project_id = :projectId AND user_id = :userId AND experience_id = :testId AND ${notAssigned}`,
        where,
      );
    }
    if (placement.exclusive) {
      await sql(
        tx,
        `DELETE FROM exclusive_slot WHERE project_id = :projectId AND user_id = :userId AND experience_id = :testId AND ${notAssigned}`,
        where,
      );
    }
  }
}

function countBySource(values: readonly EvaluatedValue[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { source } of values) counts.set(source, (counts.get(source) ?? 0) + 1);
  return counts;
}
