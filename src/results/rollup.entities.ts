import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn } from "../db/columns";

/*
 * Results rollups (docs/DESIGN.md, "Results"): what a results read adds up, kept current as
 * assignments and events arrive, so a read costs O(days × variants × goals) whatever the events
 * table holds. Days are UTC day numbers (milliseconds since the epoch / 86,400,000, rounded down).
 */

/** Users counted in a variant, by the day they entered (their assignment, or first exposure). */
@Entity("rollup_users")
export class UsersRollup {
  @PrimaryColumn({ type: "varchar", length: 36 })
  experienceId!: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  variantId!: string;

  @PrimaryColumn({ type: "integer" })
  entryDay!: number;

  @Column({ type: "integer" })
  users!: number;
}

/**
 * A variant's counted goal events, by the day their users entered and the day they happened:
 * converters (users whose first counted event it was), occurrences, the value total, and the
 * growth of the sum of squared per-user totals (so the squares summed up to a day are those of the
 * per-user totals at that day, for Welch's t-test).
 */
@Entity("rollup_goals")
export class GoalRollup {
  @PrimaryColumn({ type: "varchar", length: 36 })
  experienceId!: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  variantId!: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  goalId!: string;

  @PrimaryColumn({ type: "integer" })
  entryDay!: number;

  @PrimaryColumn({ type: "integer" })
  eventDay!: number;

  @Column({ type: "integer" })
  converters!: number;

  @Column({ type: "integer" })
  occurrences!: number;

  @Column({ type: "double precision" })
  valueSum!: number;

  @Column({ type: "double precision" })
  valueSumOfSquares!: number;

  /** CUPED: the sum of the entering users' pre-period measure X (on their entry day), of X², and of X·ΔY per day. */
  @Column({ type: "double precision", default: 0 })
  xSum!: number;

  @Column({ type: "double precision", default: 0 })
  xSumOfSquares!: number;

  @Column({ type: "double precision", default: 0 })
  xySum!: number;
}

/**
 * One user's counted events of one goal on one day of a test: the state a new event is added to,
 * so that keeping the rollups current costs O(days) per user, not O(the user's events).
 */
@Entity("rollup_user_goal_day")
export class UserGoalDay {
  @PrimaryColumn({ type: "varchar", length: 36 })
  experienceId!: string;

  @PrimaryColumn({ type: "varchar", length: 256 })
  userId!: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  goalId!: string;

  @PrimaryColumn({ type: "integer" })
  day!: number;

  @Column({ type: "integer" })
  occurrences!: number;

  @Column({ type: "double precision" })
  valueSum!: number;
}

/**
 * One user's events of one goal in the test's pre-period (CUPED's X: the cupedPreDays before their
 * assignment), for users who have any: the state their X is kept in as late events arrive.
 */
@Entity("rollup_user_goal_pre")
export class UserGoalPre {
  @PrimaryColumn({ type: "varchar", length: 36 })
  experienceId!: string;

  @PrimaryColumn({ type: "varchar", length: 256 })
  userId!: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  goalId!: string;

  @Column({ type: "integer" })
  occurrences!: number;

  @Column({ type: "double precision" })
  valueSum!: number;
}

/**
 * An event dated after it was received (a device clock ahead, or a client sending the time of a
 * scheduled action). Until its time comes, a user can still be placed before it, or a test stop
 * before it, and the rollups must then take it in or leave it out.
 */
@Entity("future_event")
@Index("IDX_future_event_user", ["projectId", "userId", "at"])
@Index("IDX_future_event_at", ["projectId", "at"])
export class FutureEvent {
  @PrimaryColumn({ type: "varchar", length: 36 })
  eventId!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "varchar", length: 256 })
  userId!: string;

  @InstantColumn()
  at!: Date;
}
