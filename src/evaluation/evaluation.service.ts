import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { BatchWork, Database } from "../db/database";
import { forShare, insertNew, insertRows, lockNames, matchesAny, sql } from "../db/sql";
import type { Clock } from "../shared/clock";
import type { Signals } from "../shared/signals";
import { LIVE_TEST_COLUMNS, type LiveTestRow, type ResultRollups } from "../results/rollups";
import type { VersionedCache } from "../db/versioned-cache";
import { RememberedReads } from "../db/remembered-reads";
import { ExperienceStatus } from "../experiences/experience-kind";
import type { UserEvent, UserFacts } from "../segments/segment-matching";
import {
  MAX_REQUEST_PROPERTIES_BYTES,
  propertiesOf,
  propertiesProblem,
  type Properties,
} from "../shared/properties";
import { InvalidArgument } from "../shared/invalid-argument";
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
 * assignments are read (on SQLite not even those while nothing of them was written), and only
 * first-time assignments are written.
 */
export class EvaluationService {
  private readonly rulesets: VersionedCache<Ruleset>;
  /**
   * Users' stored state by project and user, where the database lets reads be kept (SQLite): a
   * profile or event write is a committed transaction; a placement, written in a shared one, forgets
   * its user after the commit.
   */
  private readonly storedStates: RememberedReads<{ reads: EventRead[]; state: StoredState }>;

  constructor(
    private readonly db: Database,
    private readonly rollups: ResultRollups,
    private readonly clock: Clock,
    private readonly signals: Signals,
  ) {
    this.rulesets = rulesetCache(db, signals);
    this.storedStates = new RememberedReads(db, REMEMBERED_USERS);
  }

  async evaluate(caller: Caller, user: EvaluationRequest): Promise<Evaluation> {
    const userId = user.id;
    const problem = userIdProblem(userId);
    if (problem) throw new InvalidArgument("user.id", problem);
    const propertiesTrouble =
      user.properties == null ? null : propertiesProblem(user.properties, MAX_REQUEST_PROPERTIES_BYTES);
    if (propertiesTrouble) throw new InvalidArgument("user.properties", propertiesTrouble);
    const now = this.clock.now();
    const ruleset = await this.rulesets.get(caller.projectId, caller.configVersion);
    const { profile, events, stored } = await this.storedStateOf(
      caller.projectId,
      userId,
      ruleset.events,
      now,
    );
    const facts: UserFacts = {
      properties: overlaid(profile, user.properties ?? {}),
      now,
      events: (name) => events.get(name) ?? [],
    };
    const segments = segmentsOf(ruleset, facts);
    const newPlacements = placements(ruleset, userId, segments, stored);
    let variants = stored.variants;
    if (newPlacements.length) {
      const recorded = await this.record(caller.projectId, userId, newPlacements).finally(() =>
        this.storedStates.forget(keyOf(caller.projectId, userId)),
      );
      variants = recorded.variants;
      // Counted after the commit, as written: a lost race or a test stopped meanwhile writes fewer.
      if (recorded.written) this.signals.placed(recorded.written);
    }
    const values = resolveValues(ruleset, userId, segments, variants);
    this.signals.evaluated(countBySource(values));
    return {
      values,
      assignments: servedAssignments(ruleset, userId, segments, variants),
      segmentIds: [...segments],
      configuration: ruleset,
    };
  }

  /**
   * What is stored of a user, read in one statement (one round trip, one moment): the profile, the
   * most recent events of each name the rules read, newest first, and the user's assignments and
   * exclusive slot (read apart, they could show two moments: a concurrent evaluation's slot but not
   * yet its assignment). Each event branch is bounded by its LIMIT and walks the (project, user,
   * name, at) index backwards, so the work does not grow with the user's history; properties are read
   * only where a filter needs them. Kept while it stays current (storedStates): a kept read from an
   * earlier `now` holds every event a read now would (its windows started earlier), newest first,
   * and the conditions check each event's time against the moment of evaluation.
   */
  private async storedStateOf(
    projectId: string,
    userId: string,
    reads: EventRead[],
    now: number,
  ): Promise<StoredState> {
    const key = keyOf(projectId, userId);
    const kept = this.storedStates.recall(key);
    // Read for these event reads: another ruleset may need other events of the user.
    if (kept && kept.reads === reads) return kept.state;
    const moment = this.storedStates.moment();
    const parameters: Record<string, unknown> = { projectId, userId };
    const ofUser = "project_id = :projectId AND user_id = :userId";
    // Rows of four parts in four columns; the casts give every engine one type per column.
    const branches = [
      `SELECT 'profile' AS part, properties AS first, CAST(NULL AS TEXT) AS second, CAST(NULL AS BIGINT) AS at FROM profile WHERE ${ofUser}`,
      `SELECT 'assignment', experience_id, variant_id, NULL FROM assignment WHERE ${ofUser}`,
      `SELECT 'slot', experience_id, NULL, NULL FROM exclusive_slot WHERE ${ofUser}`,
      ...reads.map((read, i) => {
        parameters[`name${i}`] = read.name;
        parameters[`limit${i}`] = read.limit;
        if (read.windowMs !== null) parameters[`since${i}`] = now - read.windowMs;
        return `SELECT * FROM (SELECT 'event' AS part, name, ${read.withProperties ? "properties" : "NULL"}, at FROM event
                  WHERE ${ofUser} AND name = :name${i}${read.windowMs === null ? "" : ` AND at >= :since${i}`}
                  ORDER BY at DESC LIMIT :limit${i}) AS e${i}`;
      }),
    ];
    const rows = await this.db.read<{
      part: "profile" | "assignment" | "slot" | "event";
      first: string;
      second: string | null;
      at: string | number | null;
    }>(branches.join(" UNION ALL "), parameters);
    let profile: string | null = null;
    const variants = new Map<string, string>();
    let slotTestId: string | null = null;
    const events = new Map<string, UserEvent[]>();
    for (const row of rows) {
      if (row.part === "profile") profile = row.first;
      else if (row.part === "assignment") variants.set(row.first, row.second!);
      else if (row.part === "slot") slotTestId = row.first;
      else {
        const list = events.get(row.first) ?? [];
        list.push({
          at: Number(row.at),
          properties: propertiesOf(row.second === null ? null : JSON.parse(row.second)),
        });
        events.set(row.first, list);
      }
    }
    const state = {
      profile: propertiesOf(profile === null ? null : JSON.parse(profile)),
      events,
      stored: { variants, slotTestId },
    };
    this.storedStates.remember(key, moment, { reads, state });
    return state;
  }

  /**
   * Writes the user's first-time placements, with others arriving at the same moment on SQLite (group
   * commit); answers the user's stored variants and how many placements this wrote.
   */
  private record(projectId: string, userId: string, wanted: Placement[]): Promise<Recorded> {
    return this.db.sharedTransaction(this.recordAll, { projectId, userId, wanted });
  }

  /**
   * The batch work behind record(): a user evaluated twice at once is written in a later round than
   * their first request, so the second finds what the first wrote.
   */
  private readonly recordAll: BatchWork<PlacementRequest, Recorded> = async (tx, requests) => {
    const answers: Recorded[] = [];
    for (const round of roundsOf(requests)) {
      const stored = await this.recordRound(
        tx,
        round.map((index) => requests[index]),
      );
      round.forEach((index, i) => (answers[index] = stored[i]));
    }
    return answers;
  };

  /**
   * Writes first-time assignments of distinct users, a few statements for all of them, and answers
   * with what is stored afterwards for each. The database decides races, so the rules hold under
   * concurrent evaluations of one user:
   * - (experience, user) is the assignment's key: a concurrent evaluation's assignment stands;
   * - (project, user) is the exclusive slot's key: a user holds at most one slot, and an exclusive
   *   assignment is written only by the evaluation that got the slot;
   * - (project, user, key) is a key claim's key: a placement is written only when every key its
   *   test sets is claimed by that test, so tests sharing a key never share a user.
   * Slots and claims are taken in one order (slot, then claims by key id), so two evaluations cannot
   * each hold what the other waits for. The users are locked first (lockNames): evaluations of one
   * user, and the user's events, take turns, so each finds what the previous one wrote; the
   * assignments count in the tests' results rollups in the same transaction.
   *
   * A placement is written only into a test the database says is RUNNING, whatever the ruleset in
   * memory says (it may be older than a stop). The tests' rows are share-locked first, and the
   * assignments dated after that: a stop, which locks the row to write, waits for this transaction
   * to commit, so its stoppedAt is later than every assignment and its cleanup of slots and claims
   * sees every one; a placement that comes after the stop sees STOPPED and writes nothing.
   */
  private async recordRound(tx: EntityManager, requests: PlacementRequest[]): Promise<Recorded[]> {
    // The users' events may be arriving at this moment: whichever of the two comes second sees the other.
    await lockNames(
      tx,
      requests.map(({ projectId, userId }) => `${projectId}:${userId}`),
    );
    const held = await this.heldBy(tx, requests);
    const { tests, pinned } = await this.liveTestsOf(tx, requests);
    const runs = new Set(tests.map((row) => row.id));
    const placeable = requests.map(({ userId, wanted }, i) =>
      wanted.filter(
        (placement) =>
          runs.has(placement.testId) &&
          !pinned.has(`${placement.testId} ${userId}`) &&
          !held[i].has(placement.testId),
      ),
    );
    const written = await this.claimKeys(tx, requests, await this.takeSlots(tx, requests, placeable));
    const now = this.clock.now();
    const exposureOf = new Map(tests.map((test) => [test.id, test.exposure_event]));
    const recounts = await this.rollups.placed(
      tx,
      requests.map(({ projectId, userId }, i) => ({ projectId, userId, placements: written[i] })),
      tests,
      now,
    );
    await insertRows(
      tx,
      "assignment",
      ["experience_id", "user_id", "project_id", "variant_id", "assigned_at", "entered_at"],
      // With an exposure event the user enters the results at their first exposure, not now.
      requests.flatMap(({ projectId, userId }, i) =>
        written[i].map((p) => [
          p.testId,
          userId,
          projectId,
          p.variantId,
          now,
          exposureOf.get(p.testId) ? null : now,
        ]),
      ),
    );
    await this.rollups.recountPlaced(tx, recounts);
    // What is stored now: the users are locked (lockNames; SQLite's one writer), so nobody else wrote.
    return requests.map((_, i) => ({
      variants: new Map([...held[i], ...written[i].map((p): [string, string] => [p.testId, p.variantId])]),
      written: written[i].length,
    }));
  }

  /** Each user's assignments (test → variant), in one statement for all. */
  private async heldBy(tx: EntityManager, users: PlacementRequest[]): Promise<Map<string, string>[]> {
    const parameters: Record<string, unknown> = {};
    const rows = await sql<{
      project_id: string;
      user_id: string;
      experience_id: string;
      variant_id: string;
    }>(
      tx,
      `SELECT project_id, user_id, experience_id, variant_id FROM assignment
        WHERE ${ofUsers(users, parameters)}`,
      parameters,
    );
    const byUser = new Map(
      users.map(({ projectId, userId }) => [keyOf(projectId, userId), new Map<string, string>()]),
    );
    for (const row of rows)
      byUser.get(keyOf(row.project_id, row.user_id))!.set(row.experience_id, row.variant_id);
    return users.map(({ projectId, userId }) => byUser.get(keyOf(projectId, userId))!);
  }

  /**
   * Of the tests the requests want, those the database says are RUNNING, share-locked (record's
   * doc comment says why), and then their QA users among the requests' users ("test user"): served,
   * never placed. Two statements, in that order: on PostgreSQL a statement that waited for a row
   * lock sees the other tables as they were when it began, so pins read in the locking statement
   * would miss a setTestUsers that committed while it waited; read after the lock is held, every pin
   * that can still matter is committed (a later setTestUsers waits for this transaction).
   */
  private async liveTestsOf(
    tx: EntityManager,
    requests: PlacementRequest[],
  ): Promise<{ tests: LiveTestRow[]; pinned: Set<string> }> {
    const wanted = [
      ...new Set(requests.flatMap(({ wanted }) => wanted.map((placement) => placement.testId))),
    ];
    const tests = await sql<LiveTestRow>(
      tx,
      `SELECT ${LIVE_TEST_COLUMNS} FROM experience
        WHERE id IN (:...ids) AND status = :running AND archived_at IS NULL
        ORDER BY id${forShare(tx)}`,
      { ids: wanted, running: ExperienceStatus.RUNNING },
    );
    if (tests.length === 0) return { tests, pinned: new Set() };
    const pins = await sql<{ experience_id: string; user_id: string }>(
      tx,
      "SELECT experience_id, user_id FROM test_user WHERE experience_id IN (:...ids) AND user_id IN (:...users)",
      { ids: tests.map((test) => test.id), users: requests.map((request) => request.userId) },
    );
    return { tests, pinned: new Set(pins.map((pin) => `${pin.experience_id} ${pin.user_id}`)) };
  }

  /**
   * Takes each user's exclusive slot for their exclusive placement's test; answers the placements
   * without those whose slot another test holds.
   */
  private async takeSlots(
    tx: EntityManager,
    users: PlacementRequest[],
    placed: Placement[][],
  ): Promise<Placement[][]> {
    const slots = placed.flatMap((placements, i) => {
      const exclusive = placements.find((placement) => placement.exclusive);
      return exclusive ? [{ ...users[i], placement: exclusive }] : [];
    });
    if (slots.length === 0) return placed;
    const stale = slots.filter(({ placement }) => placement.exclusive?.replacesSlotOf);
    if (stale.length) {
      // Only a slot whose test really is over goes: the ruleset in memory may be older than the slot.
      const parameters: Record<string, unknown> = {
        live: [ExperienceStatus.RUNNING, ExperienceStatus.PAUSED],
      };
      const slotsOf = matchesAny(
        ["project_id", "user_id", "experience_id"],
        stale.map(({ projectId, userId, placement }) => [
          projectId,
          userId,
          placement.exclusive!.replacesSlotOf,
        ]),
        parameters,
        "s",
      );
      await sql(
        tx,
        `DELETE FROM exclusive_slot WHERE (${slotsOf}) AND experience_id IN
           (SELECT id FROM experience WHERE archived_at IS NOT NULL OR status NOT IN (:...live))`,
        parameters,
      );
    }
    const now = this.clock.now();
    const taken = await insertNew(
      tx,
      "exclusive_slot",
      ["project_id", "user_id", "experience_id", "assigned_at"],
      slots.map(({ projectId, userId, placement }) => [projectId, userId, placement.testId, now]),
    );
    if (taken === slots.length) return placed;
    // Some were held already: the slots say by which tests.
    const parameters: Record<string, unknown> = {};
    const holders = await sql<{ project_id: string; user_id: string; experience_id: string }>(
      tx,
      `SELECT project_id, user_id, experience_id FROM exclusive_slot WHERE ${ofUsers(slots, parameters)}`,
      parameters,
    );
    const holder = new Map(holders.map((row) => [keyOf(row.project_id, row.user_id), row.experience_id]));
    const lost = new Set(
      slots
        .filter(
          ({ projectId, userId, placement }) => holder.get(keyOf(projectId, userId)) !== placement.testId,
        )
        .map(({ placement }) => placement),
    );
    return placed.map((placements) => placements.filter((placement) => !lost.has(placement)));
  }

  /**
   * Claims the placements' keys where free, in key order; answers the placements whose test holds
   * every key it sets, and gives back what the others took (release).
   */
  private async claimKeys(
    tx: EntityManager,
    users: PlacementRequest[],
    placed: Placement[][],
  ): Promise<Placement[][]> {
    const claims = users
      .flatMap(({ projectId, userId }, i) =>
        placed[i].flatMap((placement) =>
          placement.keyIds.map((keyId) => [projectId, userId, keyId, placement.testId]),
        ),
      )
      .sort(([p1, u1, k1], [p2, u2, k2]) => compare(p1, p2) || compare(u1, u2) || compare(k1, k2));
    if (claims.length === 0) return placed;
    const claimed = await insertNew(
      tx,
      "key_claim",
      ["project_id", "user_id", "key_id", "experience_id"],
      claims,
    );
    if (claimed === claims.length) return placed;
    // Some were claimed already: the claims say by which tests.
    const parameters: Record<string, unknown> = {};
    const owners = await sql<{ project_id: string; user_id: string; key_id: string; experience_id: string }>(
      tx,
      `SELECT project_id, user_id, key_id, experience_id FROM key_claim WHERE ${ofUsers(users, parameters)}`,
      parameters,
    );
    const owner = new Map(
      owners.map((row) => [`${row.project_id} ${row.user_id} ${row.key_id}`, row.experience_id]),
    );
    const owned: Placement[][] = [];
    for (const [i, { projectId, userId }] of users.entries()) {
      owned.push([]);
      for (const placement of placed[i]) {
        const owns = placement.keyIds.every(
          (keyId) => owner.get(`${projectId} ${userId} ${keyId}`) === placement.testId,
        );
        if (owns) owned[i].push(placement);
        else await this.release(tx, projectId, userId, placement);
      }
    }
    return owned;
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

/** Users whose stored state is kept at most: a bound on memory, whatever number of users evaluate. */
const REMEMBERED_USERS = 10_000;

/** What is stored of a user (EvaluationService.storedStateOf); kept and shared, so never changed. */
interface StoredState {
  profile: Properties;
  events: ReadonlyMap<string, UserEvent[]>;
  stored: UserAssignments;
}

/** The stored profile overlaid with the request's properties: null removes one. */
function overlaid(profile: Properties, overrides: object): Properties {
  const entries = Object.entries(overrides);
  if (entries.length === 0) return profile;
  const properties = new Map(profile);
  for (const [name, value] of entries) {
    if (value === null) properties.delete(name);
    else properties.set(name, value);
  }
  return properties;
}

/** What record() stored for a user: all of their variants by test, and how many of them it wrote. */
interface Recorded {
  variants: Map<string, string>;
  written: number;
}

/** A user's first-time placements, waiting to be written (EvaluationService.record). */
interface PlacementRequest {
  projectId: string;
  userId: string;
  wanted: Placement[];
}

/** Users per round: the statements' lists of users stay far below both engines' limits on parameters. */
const USERS_PER_ROUND = 100;

/** The requests' indexes in rounds in which each user appears at most once, in arrival order. */
function roundsOf(requests: readonly PlacementRequest[]): number[][] {
  const rounds: { users: Set<string>; indexes: number[] }[] = [];
  requests.forEach((request, index) => {
    const user = keyOf(request.projectId, request.userId);
    // After the last round the user is in: that request is written first.
    let after = 0;
    rounds.forEach((round, r) => round.users.has(user) && (after = r + 1));
    let round = rounds.slice(after).find((candidate) => candidate.indexes.length < USERS_PER_ROUND);
    if (!round) rounds.push((round = { users: new Set(), indexes: [] }));
    round.users.add(user);
    round.indexes.push(index);
  });
  return rounds.map((round) => round.indexes);
}

/** A user's key in this service's maps and rounds: a user id is one user within one project. */
function keyOf(projectId: string, userId: string): string {
  return `${projectId} ${userId}`;
}

/** The SQL condition for rows of these users (by project and user id), its parameters added. */
function ofUsers(
  users: readonly { projectId: string; userId: string }[],
  parameters: Record<string, unknown>,
): string {
  return matchesAny(
    ["project_id", "user_id"],
    users.map(({ projectId, userId }) => [projectId, userId]),
    parameters,
    "u",
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function countBySource(values: readonly EvaluatedValue[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { source } of values) counts.set(source, (counts.get(source) ?? 0) + 1);
  return counts;
}
