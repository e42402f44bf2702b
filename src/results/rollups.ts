import type { EntityManager } from "typeorm";
import type { Database } from "../db/database";
import { forShare, forUpdate, insertRows, lockNames, matchesAny, sql, upsert } from "../db/sql";
import { ExperienceKind } from "../experiences/experience-kind";
import { compileEventFilters } from "../segments/segment-matching";
import type { PropertyCondition } from "../segments/segment-rule";
import { propertiesOf } from "../shared/properties";
import { DEFAULT_ANALYSIS, type Analysis } from "./analysis";
import {
  addCells,
  addEvents,
  changeOf,
  countedNames,
  countUser,
  dayOf,
  emptyRows,
  movesEntry,
  preStartOf,
  touchesPrePeriod,
  type CountedEvent,
  type DayTotals,
  type GoalCell,
  type RollupRows,
  type TestCounting,
  type UserCounting,
} from "./contributions";

/** An event as trackEvents stored it (or tried to: a retry of a known id is not stored again). */
export interface StoredEvent {
  id: string;
  clientId: string | null;
  userId: string;
  name: string;
  properties: Record<string, unknown>;
  at: number;
}

interface AssignmentRow {
  experience_id: string;
  user_id: string;
  variant_id: string;
  assigned_at: number | string;
  entered_at: number | string | null;
}

/** A test's row as the rollups need it. */
export interface LiveTestRow {
  id: string;
  project_id: string;
  stopped_at: number | string | null;
  rollups_built: boolean | number;
  exposure_event: string | null;
  /** The test's analysis (JSON): its cupedPreDays is the pre-period of X. */
  analysis: string | null;
}

/** A test's row's columns as LiveTestRow reads them, for the statements that select it. */
export const LIVE_TEST_COLUMNS = "id, project_id, stopped_at, rollups_built, exposure_event, analysis";

/** A user's stored state: goal days since entry, and the pre-period per goal. */
interface StoredState {
  goals: UserCounting["goals"];
  pre: UserCounting["pre"];
}

/** Users per statement: IN lists and VALUES rows stay far below both engines' limits on parameters. */
const CHUNK = 200;

/**
 * Keeps every A/B test's results rollups (rollup.entities.ts) equal to what the raw rows say,
 * inside the transactions that change those rows: trackEvents (new events), evaluate (new
 * assignments), stop (events dated after the stop stop counting), setTestUsers (QA users leave or
 * rejoin the figures). Each changed user is counted again from their stored state (or, when their
 * entry moves, from their events) and the rollups get the difference (contributions.ts).
 *
 * Concurrency: a user's events and their placement can arrive together; both take the user's lock
 * (lockNames) before reading the other's rows, so one of them always sees the other. Stops and
 * rebuilds lock the test's row for update, and events and placements share-lock it.
 *
 * A test whose counting changed (a goal added, a new exposure event) is marked not built; events for
 * it are then left to the rebuild, which the next results read makes from the raw rows (`ensureBuilt`).
 */
export class ResultRollups {
  constructor(private readonly db: Database) {}

  /** After trackEvents inserted `events` (those already stored under their id were not inserted again). */
  async eventsStored(
    tx: EntityManager,
    projectId: string,
    events: StoredEvent[],
    now: number,
  ): Promise<void> {
    const userIds = [...new Set(events.map((event) => event.userId))].sort();
    await lockNames(
      tx,
      userIds.map((userId) => `${projectId}:${userId}`),
    );
    const stored = await this.inserted(tx, events);
    await this.rememberFutureEvents(tx, projectId, stored, now);
    const assignments = await this.assignmentsOf(tx, projectId, userIds);
    if (assignments.length === 0) return;
    const tests = await this.lockedTests(tx, [...new Set(assignments.map((a) => a.experience_id))], "share");
    const built = tests.filter((test) => Boolean(test.rollups_built));
    if (built.length === 0) return;
    const countings = await this.countingsOf(tx, built);
    const byUser = groupBy(stored, (event) => event.userId);
    for (const test of built) {
      const counting = countings.get(test.id)!;
      const names = countedNames(counting);
      // Events from the start of the user's pre-period on: those before the assignment move X.
      const touched = assignments.filter(
        (a) =>
          a.experience_id === test.id &&
          (byUser.get(a.user_id) ?? []).some(
            (event) => names.has(event.name) && event.at >= preStartOf(counting, Number(a.assigned_at)),
          ),
      );
      for (let start = 0; start < touched.length; start += CHUNK) {
        const chunk = touched.slice(start, start + CHUNK);
        await this.update(tx, test, counting, chunk, (assignment, before) => {
          const assignedAt = Number(assignment.assigned_at);
          const newEvents = (byUser.get(assignment.user_id) ?? [])
            .filter((event) => names.has(event.name))
            .map(countedEvent);
          return movesEntry(counting, before, assignedAt, newEvents) ||
            touchesPrePeriod(counting, assignedAt, newEvents)
            ? null
            : addEvents(counting, before, newEvents);
        });
      }
    }
  }

  /**
   * After evaluate placed users in tests (inside its transaction, the users locked): each placement
   * counts its user from now, unless the test waits for an exposure. An event a user sent dated
   * after now was stored before this placement could count it, and events of the test's goals in the
   * user's pre-period make their CUPED X: such users are answered, to be counted from their events
   * by recountPlaced once their assignments are written.
   */
  async placed(
    tx: EntityManager,
    users: { projectId: string; userId: string; placements: { testId: string; variantId: string }[] }[],
    tests: LiveTestRow[],
    now: number,
  ): Promise<PlacedRecounts> {
    const built = new Map(tests.filter((test) => Boolean(test.rollups_built)).map((test) => [test.id, test]));
    const counted = users
      .map((user) => ({ ...user, placements: user.placements.filter((p) => built.has(p.testId)) }))
      .filter((user) => user.placements.length > 0);
    if (counted.length === 0) return [];
    const parameters: Record<string, unknown> = { now };
    const withFutureEvents = await sql<{ project_id: string; user_id: string }>(
      tx,
      `SELECT DISTINCT project_id, user_id FROM future_event
        WHERE (${matchesAny(
          ["project_id", "user_id"],
          counted.map((user) => [user.projectId, user.userId]),
          parameters,
          "u",
        )}) AND at >= :now`,
      parameters,
    );
    // Users with an exposure event enter at their first exposure, not now. One row per cell: an
    // upsert may not touch a row twice.
    const cells = new Map<string, [string, string, number, number]>();
    for (const { testId, variantId } of counted.flatMap((user) => user.placements)) {
      if (built.get(testId)!.exposure_event) continue;
      const cell = cells.get(`${testId} ${variantId}`) ?? [testId, variantId, dayOf(now), 0];
      cell[3]++;
      cells.set(`${testId} ${variantId}`, cell);
    }
    await addUsers(tx, [...cells.values()]);
    const recounted = new Set(withFutureEvents.map((row) => `${row.project_id} ${row.user_id}`));
    const withPastEvents = await this.goalEventsBefore(tx, counted, [...built.values()], now);
    return [...built.values()].map((test) => ({
      test,
      userIds: counted
        .filter(
          (user) =>
            user.placements.some((placement) => placement.testId === test.id) &&
            (recounted.has(`${user.projectId} ${user.userId}`) ||
              withPastEvents.get(test.id)!.has(`${user.projectId} ${user.userId}`)),
        )
        .map((user) => user.userId),
    }));
  }

  /**
   * Per test, the placed users with events of its goals in their pre-period ([now − preDays, now)),
   * whose X is not 0: one statement for all (the names walk the (project, user, name, at) index).
   */
  private async goalEventsBefore(
    tx: EntityManager,
    users: { projectId: string; userId: string }[],
    tests: LiveTestRow[],
    now: number,
  ): Promise<Map<string, Set<string>>> {
    const countings = await this.countingsOf(tx, tests);
    const found = new Map(tests.map((test) => [test.id, new Set<string>()]));
    const names = [...new Set([...countings.values()].flatMap((counting) => [...countedNames(counting)]))];
    if (names.length === 0) return found;
    const since = Math.min(...[...countings.values()].map((counting) => preStartOf(counting, now)));
    const parameters: Record<string, unknown> = { names, since, now };
    const rows = await sql<{ project_id: string; user_id: string; name: string; at: number | string }>(
      tx,
      `SELECT project_id, user_id, name, MAX(at) AS at FROM event
        WHERE (${matchesAny(
          ["project_id", "user_id"],
          users.map((user) => [user.projectId, user.userId]),
          parameters,
          "u",
        )}) AND name IN (:...names) AND at >= :since AND at < :now
        GROUP BY project_id, user_id, name`,
      parameters,
    );
    for (const test of tests) {
      const counting = countings.get(test.id)!;
      const relevant = countedNames(counting);
      const from = preStartOf(counting, now);
      for (const row of rows)
        if (relevant.has(row.name) && Number(row.at) >= from)
          found.get(test.id)!.add(`${row.project_id} ${row.user_id}`);
    }
    return found;
  }

  /** Counts the users placed() found with later events from their events, once their assignments are written. */
  async recountPlaced(tx: EntityManager, recounts: PlacedRecounts): Promise<void> {
    for (const { test, userIds } of recounts) await this.recount(tx, test, userIds);
  }

  /** Inside the stop's transaction: events dated at or after the stop that were counted stop counting. */
  async stopped(tx: EntityManager, testId: string, stoppedAt: number): Promise<void> {
    const [test] = await this.lockedTests(tx, [testId], "update");
    if (!test || !test.rollups_built) return;
    const users = await sql<{ user_id: string }>(
      tx,
      `SELECT DISTINCT f.user_id FROM future_event f JOIN assignment a ON a.project_id = f.project_id AND a.user_id = f.user_id
        WHERE a.experience_id = :testId AND f.at >= :stoppedAt`,
      { testId, stoppedAt },
    );
    await this.recount(
      tx,
      { ...test, stopped_at: stoppedAt },
      users.map((row) => row.user_id),
    );
  }

  /** Inside setTestUsers' transaction: users who became QA users leave the figures, and those who stopped being ones rejoin them. */
  async pinsChanged(
    tx: EntityManager,
    testId: string,
    change: { pinned: string[]; unpinned: string[] },
  ): Promise<void> {
    const [test] = await this.lockedTests(tx, [testId], "update");
    const users = [...change.pinned, ...change.unpinned];
    if (!test || !test.rollups_built || users.length === 0) return;
    const testCounting = (await this.countingsOf(tx, [test])).get(test.id)!;
    const pinned = new Set(change.pinned);
    for (let start = 0; start < users.length; start += CHUNK) {
      const chunk = users.slice(start, start + CHUNK);
      // One after another: a transaction is one connection, which runs one statement at a time.
      const assignments = await sql<AssignmentRow>(
        tx,
        `SELECT experience_id, user_id, variant_id, assigned_at, entered_at FROM assignment
          WHERE experience_id = :testId AND user_id IN (:...users)`,
        { testId, users: chunk },
      );
      const states = await this.statesOf(tx, testId, chunk);
      const rows = emptyRows();
      for (const assignment of assignments) {
        const counting = countingOfRow(assignment, states);
        merge(
          rows,
          pinned.has(assignment.user_id)
            ? changeOf(testCounting, counting, null)
            : changeOf(testCounting, null, counting),
        );
      }
      await this.addRows(tx, testId, rows);
    }
  }

  /**
   * Makes sure the test's rollups are built, building them from the raw rows if not (after a
   * change of what the test counts, or for tests from before rollups). Exactly once: the builder
   * holds the test's row lock, and events and placements wait for it and then count incrementally.
   */
  async ensureBuilt(projectId: string, testId: string): Promise<void> {
    const [row] = await sql<{ rollups_built: boolean | number }>(
      this.db.reader,
      "SELECT rollups_built FROM experience WHERE id = :testId AND project_id = :projectId",
      { testId, projectId },
    );
    if (!row || row.rollups_built) return;
    await this.db.transaction(async (tx) => {
      const [test] = await this.lockedTests(tx, [testId], "update");
      if (!test || test.rollups_built) return;
      for (const table of ["rollup_users", "rollup_goals", "rollup_user_goal_day"]) {
        await sql(tx, `DELETE FROM ${table} WHERE experience_id = :testId`, { testId });
      }
      const users = await sql<{ user_id: string }>(
        tx,
        "SELECT user_id FROM assignment WHERE experience_id = :testId ORDER BY user_id",
        { testId },
      );
      await this.recount(
        tx,
        test,
        users.map((user) => user.user_id),
        true,
      );
      await sql(tx, "UPDATE experience SET rollups_built = :built WHERE id = :testId", {
        testId,
        built: true,
      });
    });
  }

  // ------------------------------------------------------------------ the shared steps

  /** Counts users again from their events (their stored state is replaced; `fresh`: there is none). */
  private async recount(
    tx: EntityManager,
    test: LiveTestRow,
    userIds: string[],
    fresh = false,
  ): Promise<void> {
    if (userIds.length === 0) return;
    const counting = (await this.countingsOf(tx, [test])).get(test.id)!;
    const names = [...countedNames(counting)];
    for (let start = 0; start < userIds.length; start += CHUNK) {
      const chunk = userIds.slice(start, start + CHUNK);
      const assignments = await sql<AssignmentRow>(
        tx,
        `SELECT experience_id, user_id, variant_id, assigned_at, entered_at FROM assignment
          WHERE experience_id = :testId AND user_id IN (:...users)`,
        { testId: test.id, users: chunk },
      );
      if (assignments.length === 0) continue;
      const events = names.length
        ? await sql<{ user_id: string; name: string; at: number | string; properties: string }>(
            tx,
            `SELECT user_id, name, at, properties FROM event
              WHERE project_id = :projectId AND user_id IN (:...users) AND name IN (:...names) AND at >= :since`,
            {
              projectId: test.project_id,
              users: assignments.map((a) => a.user_id),
              names,
              // From the earliest pre-period: events before the assignment make X.
              since: Math.min(...assignments.map((a) => preStartOf(counting, Number(a.assigned_at)))),
            },
          )
        : [];
      const byUser = groupBy(events, (event) => event.user_id);
      await this.update(
        tx,
        test,
        counting,
        assignments,
        (assignment) =>
          countUser(
            counting,
            { variantId: assignment.variant_id, assignedAt: Number(assignment.assigned_at) },
            (byUser.get(assignment.user_id) ?? []).map((row) => ({
              name: row.name,
              at: Number(row.at),
              properties: propertiesOf(JSON.parse(row.properties)),
            })),
          ),
        fresh,
      );
    }
  }

  /**
   * Replaces the users' counting with what `next` makes of it (null: count the user from their
   * events instead), and adds the difference to the rollups. QA users of the test add nothing.
   */
  private async update(
    tx: EntityManager,
    test: LiveTestRow,
    counting: TestCounting,
    assignments: AssignmentRow[],
    next: (assignment: AssignmentRow, before: UserCounting) => UserCounting | null,
    fresh = false,
  ): Promise<void> {
    const users = assignments.map((a) => a.user_id);
    const states = fresh ? new Map<string, StoredState>() : await this.statesOf(tx, test.id, users);
    const pinned = await this.pinnedOf(tx, test.id, users);
    const rows = emptyRows();
    const after = new Map<string, UserCounting>();
    const needEvents: AssignmentRow[] = [];
    for (const assignment of assignments) {
      const before = countingOfRow(assignment, states);
      const nextCounting = next(assignment, before);
      if (nextCounting === null) {
        needEvents.push(assignment);
        continue;
      }
      after.set(assignment.user_id, nextCounting);
      const isPinned = pinned.has(assignment.user_id);
      merge(rows, changeOf(counting, fresh || isPinned ? null : before, isPinned ? null : nextCounting));
    }
    await this.saveStates(tx, test.id, assignments, states, after);
    await this.addRows(tx, test.id, rows);
    if (needEvents.length)
      await this.recount(
        tx,
        test,
        needEvents.map((a) => a.user_id),
      );
  }

  /** Writes what changed in the users' states (only those rows: a new event changes one) and their entry times. */
  private async saveStates(
    tx: EntityManager,
    testId: string,
    assignments: AssignmentRow[],
    before: Map<string, StoredState>,
    after: Map<string, UserCounting>,
  ): Promise<void> {
    await this.savePre(tx, testId, before, after);
    const changed: unknown[][] = [];
    for (const [userId, counting] of after) {
      const old = before.get(userId)?.goals;
      for (const [goalId, days] of counting.goals) {
        for (const [day, totals] of days) {
          const was = old?.get(goalId)?.get(day);
          if (was && was.occurrences === totals.occurrences && was.valueSum === totals.valueSum) continue;
          changed.push([testId, userId, goalId, day, totals.occurrences, totals.valueSum]);
        }
      }
      for (const [goalId, days] of old ?? []) {
        for (const day of days.keys()) {
          if (counting.goals.get(goalId)?.has(day)) continue;
          await sql(
            tx,
            "DELETE FROM rollup_user_goal_day WHERE experience_id = :testId AND user_id = :userId AND goal_id = :goalId AND day = :day",
            { testId, userId, goalId, day },
          );
        }
      }
    }
    await upsert(
      tx,
      "rollup_user_goal_day",
      ["experience_id", "user_id", "goal_id", "day"],
      ["occurrences", "value_sum"],
      changed,
      "set",
    );
    const moved = assignments.filter((a) => {
      const enteredAt = after.get(a.user_id)?.enteredAt;
      return enteredAt !== undefined && (a.entered_at === null ? null : Number(a.entered_at)) !== enteredAt;
    });
    for (const assignment of moved) {
      await sql(
        tx,
        "UPDATE assignment SET entered_at = :enteredAt WHERE experience_id = :testId AND user_id = :userId",
        {
          enteredAt: after.get(assignment.user_id)!.enteredAt,
          testId,
          userId: assignment.user_id,
        },
      );
    }
  }

  /** Writes the users' pre-period rows that changed, and drops those that are gone. */
  private async savePre(
    tx: EntityManager,
    testId: string,
    before: Map<string, StoredState>,
    after: Map<string, UserCounting>,
  ): Promise<void> {
    const changed: unknown[][] = [];
    for (const [userId, counting] of after) {
      const old = before.get(userId)?.pre ?? new Map<string, DayTotals>();
      for (const [goalId, totals] of counting.pre) {
        const was = old.get(goalId);
        if (was && was.occurrences === totals.occurrences && was.valueSum === totals.valueSum) continue;
        changed.push([testId, userId, goalId, totals.occurrences, totals.valueSum]);
      }
      for (const goalId of old.keys()) {
        if (counting.pre.has(goalId)) continue;
        await sql(
          tx,
          "DELETE FROM rollup_user_goal_pre WHERE experience_id = :testId AND user_id = :userId AND goal_id = :goalId",
          { testId, userId, goalId },
        );
      }
    }
    await upsert(
      tx,
      "rollup_user_goal_pre",
      ["experience_id", "user_id", "goal_id"],
      ["occurrences", "value_sum"],
      changed,
      "set",
    );
  }

  /** Adds rows to the test's rollups (an upsert that sums). */
  private async addRows(tx: EntityManager, testId: string, rows: RollupRows): Promise<void> {
    const users = [...rows.users].filter(([, count]) => count !== 0);
    await addUsers(
      tx,
      users.map(([key, count]) => {
        const [variantId, entryDay] = key.split("|");
        return [testId, variantId, Number(entryDay), count];
      }),
    );
    const goals = [...rows.goals].filter(([, cell]) => !isZero(cell));
    await upsert(
      tx,
      "rollup_goals",
      ["experience_id", "variant_id", "goal_id", "entry_day", "event_day"],
      [
        "converters",
        "occurrences",
        "value_sum",
        "value_sum_of_squares",
        "x_sum",
        "x_sum_of_squares",
        "xy_sum",
      ],
      goals.map(([key, cell]) => {
        const [variantId, goalId, entryDay, eventDay] = key.split("|");
        return [
          testId,
          variantId,
          goalId,
          Number(entryDay),
          Number(eventDay),
          cell.converters,
          cell.occurrences,
          cell.valueSum,
          cell.valueSumOfSquares,
          cell.xSum,
          cell.xSumOfSquares,
          cell.xySum,
        ];
      }),
      "add",
    );
  }

  /** The events of the batch that were really inserted: a retry of a known client id was not. */
  private async inserted(tx: EntityManager, events: StoredEvent[]): Promise<StoredEvent[]> {
    const retried = events.filter((event) => event.clientId !== null);
    if (retried.length === 0) return events;
    const found = new Set<string>();
    for (let start = 0; start < retried.length; start += CHUNK) {
      const rows = await sql<{ id: string }>(tx, "SELECT id FROM event WHERE id IN (:...ids)", {
        ids: retried.slice(start, start + CHUNK).map((event) => event.id),
      });
      rows.forEach((row) => found.add(row.id));
    }
    return events.filter((event) => event.clientId === null || found.has(event.id));
  }

  /** Events dated after now, until their time has come (see FutureEvent); the past ones are dropped. */
  private async rememberFutureEvents(
    tx: EntityManager,
    projectId: string,
    events: StoredEvent[],
    now: number,
  ): Promise<void> {
    const future = events.filter((event) => event.at > now);
    if (future.length === 0) return;
    await sql(tx, "DELETE FROM future_event WHERE project_id = :projectId AND at < :now", { projectId, now });
    await insertRows(
      tx,
      "future_event",
      ["event_id", "project_id", "user_id", "at"],
      future.map((event) => [event.id, projectId, event.userId, event.at]),
    );
  }

  private async assignmentsOf(
    tx: EntityManager,
    projectId: string,
    userIds: string[],
  ): Promise<AssignmentRow[]> {
    const rows: AssignmentRow[] = [];
    for (let start = 0; start < userIds.length; start += CHUNK) {
      rows.push(
        ...(await sql<AssignmentRow>(
          tx,
          `SELECT experience_id, user_id, variant_id, assigned_at, entered_at FROM assignment
            WHERE project_id = :projectId AND user_id IN (:...users)`,
          { projectId, users: userIds.slice(start, start + CHUNK) },
        )),
      );
    }
    return rows;
  }

  /** The tests' rows, locked (share: counting into them; update: changing how they count). */
  lockedTests(tx: EntityManager, ids: string[], mode: "share" | "update"): Promise<LiveTestRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return sql<LiveTestRow>(
      tx,
      `SELECT ${LIVE_TEST_COLUMNS} FROM experience
        WHERE id IN (:...ids) AND kind = :kind ORDER BY id${mode === "share" ? forShare(tx) : forUpdate(tx)}`,
      { ids: [...ids].sort(), kind: ExperienceKind.AB_TEST },
    );
  }

  /** What each test counts: its exposure event, its stop, and its goals' events, filters and value property. */
  private async countingsOf(tx: EntityManager, tests: LiveTestRow[]): Promise<Map<string, TestCounting>> {
    const goals = await sql<{
      experience_id: string;
      id: string;
      events: string;
      filters: string;
      value_property: string | null;
    }>(
      tx,
      // Its goals, then its guardrail goals (a goal that is both is counted once).
      `SELECT link.experience_id, goal.id, goal.events, goal.filters, goal.value_property
         FROM (SELECT experience_id, goal_id, position FROM experience_goal
               UNION ALL SELECT experience_id, goal_id, 100 + position FROM experience_guardrail) link
         JOIN goal ON goal.id = link.goal_id
        WHERE link.experience_id IN (:...ids) ORDER BY link.experience_id, link.position`,
      { ids: tests.map((test) => test.id) },
    );
    return new Map(
      tests.map((test) => [
        test.id,
        {
          exposureEvent: test.exposure_event,
          stoppedAt: test.stopped_at === null ? null : Number(test.stopped_at),
          goals: goals
            .filter(
              (goal, index) =>
                goal.experience_id === test.id &&
                goals.findIndex((other) => other.experience_id === test.id && other.id === goal.id) === index,
            )
            .map((goal) => ({
              id: goal.id,
              events: new Set(JSON.parse(goal.events) as string[]),
              passes: compileEventFilters(JSON.parse(goal.filters) as PropertyCondition[]),
              valueProperty: goal.value_property,
            })),
          preDays: analysisOf(test).cupedPreDays,
        },
      ]),
    );
  }

  /** The users' stored states: goal days and pre-period rows, two statements. */
  private async statesOf(
    tx: EntityManager,
    testId: string,
    users: string[],
  ): Promise<Map<string, StoredState>> {
    const rows = await sql<{
      user_id: string;
      goal_id: string;
      day: number | string;
      occurrences: number | string;
      value_sum: number | string;
    }>(
      tx,
      `SELECT user_id, goal_id, day, occurrences, value_sum FROM rollup_user_goal_day
        WHERE experience_id = :testId AND user_id IN (:...users)`,
      { testId, users },
    );
    const preRows = await sql<{
      user_id: string;
      goal_id: string;
      occurrences: number | string;
      value_sum: number | string;
    }>(
      tx,
      `SELECT user_id, goal_id, occurrences, value_sum FROM rollup_user_goal_pre
        WHERE experience_id = :testId AND user_id IN (:...users)`,
      { testId, users },
    );
    const states = new Map<string, StoredState>();
    const stateOf = (userId: string) => {
      let state = states.get(userId);
      if (!state) states.set(userId, (state = { goals: new Map(), pre: new Map() }));
      return state;
    };
    for (const row of rows) {
      const goals = stateOf(row.user_id).goals;
      const days = goals.get(row.goal_id) ?? new Map();
      days.set(Number(row.day), { occurrences: Number(row.occurrences), valueSum: Number(row.value_sum) });
      goals.set(row.goal_id, days);
    }
    for (const row of preRows)
      stateOf(row.user_id).pre.set(row.goal_id, {
        occurrences: Number(row.occurrences),
        valueSum: Number(row.value_sum),
      });
    return states;
  }

  private async pinnedOf(tx: EntityManager, testId: string, users: string[]): Promise<Set<string>> {
    const rows = await sql<{ user_id: string }>(
      tx,
      "SELECT user_id FROM test_user WHERE experience_id = :testId AND user_id IN (:...users)",
      { testId, users },
    );
    return new Set(rows.map((row) => row.user_id));
  }
}

/** A user's counting as stored: the entry on the assignment, the goal days and pre-period in the state rows. */
function countingOfRow(assignment: AssignmentRow, states: Map<string, StoredState>): UserCounting {
  const state = states.get(assignment.user_id);
  return {
    variantId: assignment.variant_id,
    enteredAt: assignment.entered_at === null ? null : Number(assignment.entered_at),
    goals: state?.goals ?? new Map(),
    pre: state?.pre ?? new Map(),
  };
}

/** A test's analysis as its row holds it (tests from before analyses were kept have the defaults). */
export function analysisOf(test: { analysis: string | null }): Analysis {
  return test.analysis === null ? DEFAULT_ANALYSIS : (JSON.parse(test.analysis) as Analysis);
}

function countedEvent(event: StoredEvent): CountedEvent {
  return { name: event.name, at: event.at, properties: propertiesOf(event.properties) };
}

function merge(into: RollupRows, rows: RollupRows): void {
  for (const [key, count] of rows.users) into.users.set(key, (into.users.get(key) ?? 0) + count);
  for (const [key, cell] of rows.goals) {
    const known = into.goals.get(key);
    into.goals.set(key, known ? addCells(known, cell) : cell);
  }
}

function isZero(cell: GoalCell): boolean {
  return Object.values(cell).every((value) => value === 0);
}

function groupBy<T>(rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(keyOf(row));
    if (list) list.push(row);
    else groups.set(keyOf(row), [row]);
  }
  return groups;
}

/** Adds users to rollup_users cells: rows of (test, variant, entry day, users), of any tests, in one statement. */
function addUsers(tx: EntityManager, rows: [string, string, number, number][]): Promise<void> {
  return upsert(tx, "rollup_users", ["experience_id", "variant_id", "entry_day"], ["users"], rows, "add");
}

/** Per test, the users placed() found with events dated after their placement (recountPlaced). */
type PlacedRecounts = { test: LiveTestRow; userIds: string[] }[];
