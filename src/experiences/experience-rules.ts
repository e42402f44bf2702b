import { characterCount, MAX_NAME_LENGTH } from "../shared/names";
import { textProblem } from "../shared/text";
import { at, UserErrors, type UserError } from "../shared/user-error";
import { userIdError } from "../shared/user-ids";
import { ExperienceKind, ExperienceStatus } from "./experience-kind";

/** Pure rules of experiences: the life cycle, percentages, and the shape of an A/B test's variants. */

export type LifecycleAction = "start" | "pause" | "stop";

const TRANSITIONS: Record<LifecycleAction, Partial<Record<ExperienceStatus, ExperienceStatus>>> = {
  start: {
    [ExperienceStatus.DRAFT]: ExperienceStatus.RUNNING,
    [ExperienceStatus.PAUSED]: ExperienceStatus.RUNNING,
  },
  pause: { [ExperienceStatus.RUNNING]: ExperienceStatus.PAUSED },
  stop: {
    [ExperienceStatus.RUNNING]: ExperienceStatus.STOPPED,
    [ExperienceStatus.PAUSED]: ExperienceStatus.STOPPED,
  },
};

/** DRAFT → RUNNING (start) ⇄ PAUSED (pause / start); RUNNING or PAUSED → STOPPED (stop), final. Null: not allowed. */
export function nextStatus(status: ExperienceStatus, action: LifecycleAction): ExperienceStatus | null {
  return TRANSITIONS[action][status] ?? null;
}

/** Only drafts and stopped experiences can be archived: a live one serves users. */
export function canArchive(status: ExperienceStatus): boolean {
  return status === ExperienceStatus.DRAFT || status === ExperienceStatus.STOPPED;
}

export function rolloutError(value: number, field: string[]): UserError | null {
  return Number.isFinite(value) && value >= 0 && value <= 100
    ? null
    : UserErrors.invalid(field, "rolloutPercentage is a percentage from 0 to 100");
}

export function trafficError(value: number, field: string[]): UserError | null {
  return Number.isFinite(value) && value > 0 && value <= 100
    ? null
    : UserErrors.invalid(field, "trafficPercentage is more than 0 and at most 100");
}

export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 10;
export const MAX_GOALS = 10;
/** Weights are percentages typed by people (33.33 + 33.33 + 33.34): equal to 100 within this. */
const WEIGHT_TOLERANCE = 1e-6;

export interface VariantShape {
  name: string;
  weight: number;
  isControl?: boolean | null;
}

/** 2 to 10 variants with unique names (ignoring case), exactly one control, weights > 0 summing to 100. */
export function variantErrors(variants: VariantShape[], path: string[]): UserError[] {
  if (variants.length < MIN_VARIANTS || variants.length > MAX_VARIANTS) {
    return [
      UserErrors.invalid(
        path,
        `An A/B test has ${MIN_VARIANTS} to ${MAX_VARIANTS} variants; got ${variants.length}`,
      ),
    ];
  }
  const errors: UserError[] = [];
  const names = new Set<string>();
  variants.forEach((variant, index) => {
    const name = variant.name.trim();
    if (name === "" || characterCount(name) > MAX_NAME_LENGTH) {
      errors.push(
        UserErrors.invalid(at(path, index, "name"), `A variant name is 1 to ${MAX_NAME_LENGTH} characters`),
      );
    } else if (textProblem(name)) {
      errors.push(UserErrors.invalid(at(path, index, "name"), `A variant name ${textProblem(name)}`));
    } else if (names.has(name.toLowerCase())) {
      errors.push(
        UserErrors.invalid(
          at(path, index, "name"),
          `Two variants are named "${name}": variant names are unique`,
        ),
      );
    }
    names.add(name.toLowerCase());
    if (!(Number.isFinite(variant.weight) && variant.weight > 0)) {
      errors.push(UserErrors.invalid(at(path, index, "weight"), "A variant's weight is more than 0"));
    }
  });
  const controls = variants.filter((variant) => variant.isControl === true).length;
  if (controls !== 1)
    errors.push(UserErrors.invalid(path, `Exactly one variant is the control; got ${controls}`));
  const total = variants.reduce(
    (sum, variant) => sum + (Number.isFinite(variant.weight) ? variant.weight : 0),
    0,
  );
  if (Math.abs(total - 100) > WEIGHT_TOLERANCE) {
    errors.push(UserErrors.invalid(path, `Variant weights sum to 100; these sum to ${total}`));
  }
  return errors;
}

/** 1 to 10 distinct goals, the primary one among them. */
export function goalListErrors(
  goalIds: string[],
  primaryGoalId: string,
  path: { goals: string[]; primary: string[] },
): UserError[] {
  const errors: UserError[] = [];
  if (goalIds.length < 1 || goalIds.length > MAX_GOALS) {
    errors.push(
      UserErrors.invalid(path.goals, `An A/B test has 1 to ${MAX_GOALS} goals; got ${goalIds.length}`),
    );
  }
  goalIds.forEach((id, index) => {
    if (goalIds.indexOf(id) !== index)
      errors.push(UserErrors.invalid(at(path.goals, index), "This goal is listed twice"));
  });
  if (!goalIds.includes(primaryGoalId)) {
    errors.push(UserErrors.invalid(path.primary, "The primary goal must be one of the test's goals"));
  }
  return errors;
}

/** A test watches at most this many guardrail goals (besides its goals). */
export const MAX_GUARDRAILS = 5;

/** At most 5 guardrail goals, each listed once (a guardrail may also be one of the test's goals). */
export function guardrailListErrors(goalIds: string[], path: string[]): UserError[] {
  const errors: UserError[] = [];
  if (goalIds.length > MAX_GUARDRAILS)
    errors.push(
      UserErrors.invalid(
        path,
        `An A/B test has at most ${MAX_GUARDRAILS} guardrail goals; got ${goalIds.length}`,
      ),
    );
  goalIds.forEach((id, index) => {
    if (goalIds.indexOf(id) !== index)
      errors.push(UserErrors.invalid(at(path, index), "This goal is listed twice"));
  });
  return errors;
}

/** A test pins at most this many QA users: enough for a team, few enough to load with the ruleset. */
export const MAX_TEST_USERS = 100;

export interface TestUserPin {
  userId: string;
  variantId: string;
}

/** At most 100 pins, each a valid user id listed once, pinned to one of the test's variants. */
export function testUserErrors(users: TestUserPin[], variantIds: Set<string>, path: string[]): UserError[] {
  if (users.length > MAX_TEST_USERS) {
    return [UserErrors.invalid(path, `A test has at most ${MAX_TEST_USERS} test users; got ${users.length}`)];
  }
  const errors: UserError[] = [];
  const seen = new Set<string>();
  users.forEach((user, index) => {
    const userError = userIdError(user.userId, at(path, index, "userId"));
    if (userError) errors.push(userError);
    else if (seen.has(user.userId))
      errors.push(UserErrors.invalid(at(path, index, "userId"), `"${user.userId}" is listed twice`));
    seen.add(user.userId);
    if (!variantIds.has(user.variantId))
      errors.push(UserErrors.notFound(at(path, index, "variantId"), "variant of this test"));
  });
  return errors;
}

/**
 * How long a field of each kind can change (RULES.md, "what may change when"): until the
 * experience is archived, until it stops, only as a DRAFT, or (a test's traffic) freely as a DRAFT
 * and only upward once started, since it only lets new users in.
 */
export type EditWindow = "untilArchived" | "untilStopped" | "draftOnly" | "upwardOnceStarted";

export const EDIT_WINDOWS: Record<ExperienceKind, Record<string, EditWindow>> = {
  [ExperienceKind.PRODUCT_CONFIG]: {
    name: "untilArchived",
    description: "untilArchived",
    segmentId: "untilArchived",
    priority: "untilArchived",
    values: "untilStopped",
  },
  [ExperienceKind.FEATURE_FLAG]: {
    name: "untilStopped",
    description: "untilStopped",
    segmentId: "untilStopped",
    value: "untilStopped",
    rolloutPercentage: "untilStopped",
  },
  [ExperienceKind.AB_TEST]: {
    name: "untilStopped",
    description: "untilStopped",
    goalIds: "untilStopped",
    primaryGoalId: "untilStopped",
    priority: "untilStopped",
    stickyTarget: "untilStopped",
    exposureEvent: "untilStopped",
    testUsers: "untilStopped",
    winner: "untilStopped",
    analysis: "untilStopped",
    guardrailGoalIds: "untilStopped",
    guardrailAction: "untilStopped",
    trafficPercentage: "upwardOnceStarted",
    segmentId: "draftOnly",
    variants: "draftOnly",
  },
};

/**
 * INVALID_STATE naming the field when it may not change now (the experience's status, and for a
 * traffic change its direction), or null. Archived experiences are refused before any of this.
 */
export function editError(
  kind: ExperienceKind,
  status: ExperienceStatus,
  field: string,
  path: string[],
  change?: { from: number | null; to: number },
): UserError | null {
  const window = EDIT_WINDOWS[kind][field] ?? "untilArchived";
  if (window === "untilArchived") return null;
  if (status === ExperienceStatus.STOPPED) {
    return UserErrors.invalidState(path, `${field} no longer changes: the experience has stopped`);
  }
  if (window === "draftOnly" && status !== ExperienceStatus.DRAFT) {
    return UserErrors.invalidState(
      path,
      `${field} changes only while the experience is a DRAFT; it is ${status}`,
    );
  }
  if (
    window === "upwardOnceStarted" &&
    status !== ExperienceStatus.DRAFT &&
    change &&
    change.to < (change.from ?? 0)
  ) {
    return UserErrors.invalidState(
      path,
      `${field} can only go up once the test has started (it lets new users in; placed users stay): ${change.from} → ${change.to}`,
    );
  }
  return null;
}

/** A schedule reaches at most this far ahead. */
export const MAX_SCHEDULE_AHEAD_MS = 365 * 24 * 60 * 60 * 1000;

/** The times a scheduleExperience asks for: undefined keeps the current one, null clears it. */
export interface ScheduleRequest {
  startAt: Date | null | undefined;
  stopAt: Date | null | undefined;
}

/**
 * A schedule's rules: a start only for a DRAFT or PAUSED experience, a stop for one that has not
 * stopped; each new time in the future and at most a year ahead; the stop after the start.
 */
export function scheduleErrors(
  status: ExperienceStatus,
  current: { startAt: Date | null; stopAt: Date | null },
  wanted: ScheduleRequest,
  now: number,
): UserError[] {
  const errors: UserError[] = [];
  if (status === ExperienceStatus.STOPPED) {
    return [UserErrors.invalidState(["id"], "A STOPPED experience has nothing left to schedule")];
  }
  if (wanted.startAt && status !== ExperienceStatus.DRAFT && status !== ExperienceStatus.PAUSED) {
    errors.push(
      UserErrors.invalidState(
        ["startAt"],
        `Only a DRAFT or PAUSED experience can be scheduled to start; it is ${status}`,
      ),
    );
  }
  for (const [field, time] of [
    ["startAt", wanted.startAt],
    ["stopAt", wanted.stopAt],
  ] as const) {
    if (!time) continue;
    if (time.getTime() <= now || time.getTime() > now + MAX_SCHEDULE_AHEAD_MS) {
      errors.push(UserErrors.invalid([field], `${field} must be in the future and at most a year ahead`));
    }
  }
  const startAt = wanted.startAt === undefined ? current.startAt : wanted.startAt;
  const stopAt = wanted.stopAt === undefined ? current.stopAt : wanted.stopAt;
  if (startAt && stopAt && stopAt.getTime() <= startAt.getTime()) {
    errors.push(UserErrors.invalid(["stopAt"], "stopAt must come after startAt"));
  }
  return errors;
}

/** The scheduled move due first at `now`, if any: a start before a stop when both are due. */
export function dueMove(
  schedule: { startAt: Date | null; stopAt: Date | null },
  now: number,
): "start" | "stop" | null {
  const start = schedule.startAt && schedule.startAt.getTime() <= now ? schedule.startAt.getTime() : null;
  const stop = schedule.stopAt && schedule.stopAt.getTime() <= now ? schedule.stopAt.getTime() : null;
  if (start !== null && (stop === null || start <= stop)) return "start";
  return stop !== null ? "stop" : null;
}

/** How long a flag serves everyone unchanged, or sits stopped, before it is stale. */
export const STALE_AFTER_MS = 14 * 24 * 60 * 60 * 1000;

export interface FlagState {
  status: ExperienceStatus;
  rolloutPercentage: number | null;
  /** The last change of any kind: every change restarts the clock. */
  updatedAt: Date;
  stoppedAt: Date | null;
  archivedAt: Date | null;
}

/**
 * Since when a feature flag is stale, or null: it has served 100% of its segment with no change for
 * 14 days (stale since its last change + 14 days), or it has been STOPPED and not archived for 14
 * days (since its stop + 14 days). Its value can be folded into the key's default and the flag retired.
 */
export function staleSince(flag: FlagState, now: number): Date | null {
  if (flag.archivedAt !== null) return null;
  let from: number | null = null;
  if (flag.status === ExperienceStatus.RUNNING && (flag.rolloutPercentage ?? 0) >= 100)
    from = flag.updatedAt.getTime() + STALE_AFTER_MS;
  if (flag.status === ExperienceStatus.STOPPED && flag.stoppedAt)
    from = flag.stoppedAt.getTime() + STALE_AFTER_MS;
  return from !== null && from <= now ? new Date(from) : null;
}
