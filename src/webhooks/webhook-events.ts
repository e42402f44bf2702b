import type { AuditEvent } from "../audit/audit-event.entity";

/**
 * The event types a webhook may select (RULES.md "Webhooks"), and which of them a change is: a pure
 * mapping from the audit event every change writes, so that whatever makes a change (any mutation,
 * an import, the scheduler, a guardrail) is told the same way.
 */
export const EVENT_TYPES = [
  "key.created",
  "key.updated",
  "key.archived",
  "key.unarchived",
  "segment.created",
  "segment.updated",
  "segment.archived",
  "segment.unarchived",
  "goal.created",
  "goal.updated",
  "goal.archived",
  "goal.unarchived",
  "settings.updated",
  "experience.created",
  "experience.updated",
  "experience.started",
  "experience.paused",
  "experience.stopped",
  "experience.archived",
  "experience.reverted",
  "experience.scheduled",
  "ab_test.winner_declared",
  "ab_test.rolled_out",
  "ab_test.guardrail_breached",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const FAMILIES = new Set(EVENT_TYPES.map((type) => type.split(".")[0]));
const KNOWN = new Set<string>(EVENT_TYPES);

/** Why a selection (a type, `*` or `family.*`) selects nothing, or null when it is one. */
export function selectionProblem(selection: string): string | null {
  if (selection === "*" || KNOWN.has(selection)) return null;
  const family = /^([a-z_]+)\.\*$/.exec(selection)?.[1];
  if (family !== undefined && FAMILIES.has(family)) return null;
  return `"${selection}" is not an event type: use one of ${[...FAMILIES].map((f) => `${f}.*`).join(", ")}, * or a type such as key.created`;
}

/** Whether a webhook's selections take this event type. */
export function selects(selections: readonly string[], type: string): boolean {
  const family = `${type.split(".")[0]}.*`;
  return selections.some((selection) => selection === "*" || selection === type || selection === family);
}

/** The audit log's verbs for keys, segments and goals (`createKey`, `cloneSegment`, ...) as event names. */
const SETUP_ITEM_VERBS: Record<string, string> = {
  create: "created",
  clone: "created",
  update: "updated",
  archive: "archived",
  unarchive: "unarchived",
};

/** An experience's audit action (experience-changes.ts names them) → its event type. */
const EXPERIENCE_ACTIONS: Record<string, EventType> = {
  createProductConfig: "experience.created",
  createFeatureFlag: "experience.created",
  createABTest: "experience.created",
  updateProductConfig: "experience.updated",
  updateFeatureFlag: "experience.updated",
  updateABTest: "experience.updated",
  setTestUsersExperience: "experience.updated",
  startExperience: "experience.started",
  pauseExperience: "experience.paused",
  stopExperience: "experience.stopped",
  archiveExperience: "experience.archived",
  revertExperience: "experience.reverted",
  scheduleExperience: "experience.scheduled",
  dropScheduleExperience: "experience.scheduled",
  declareWinnerExperience: "ab_test.winner_declared",
  rollOutExperience: "ab_test.rolled_out",
  guardrailBreachExperience: "ab_test.guardrail_breached",
};

/** The move a status change is, when a change that is something else also moved the experience. */
const MOVES: Record<string, EventType> = {
  RUNNING: "experience.started",
  PAUSED: "experience.paused",
  STOPPED: "experience.stopped",
};

type Snapshot = { status?: string } | null;

/**
 * The event types of one change. Usually one; a change that also moves an experience (a roll-out
 * stops its test, a guardrail may pause it) is that move too, so a webhook that follows moves only
 * is told. Changes no webhook follows (tokens, projects, webhooks themselves, the note that a
 * scheduled move was dropped, which comes with its own change) have none.
 */
export function eventTypesOf(
  event: Pick<AuditEvent, "action" | "entityType" | "before" | "after">,
): EventType[] {
  const { action, entityType } = event;
  if (entityType === "Settings") return action === "updateSettings" ? ["settings.updated"] : [];
  if (entityType === "Key" || entityType === "Segment" || entityType === "Goal") {
    if (!action.endsWith(entityType)) return [];
    const verb = SETUP_ITEM_VERBS[action.slice(0, -entityType.length)];
    return verb ? [`${entityType.toLowerCase()}.${verb}` as EventType] : [];
  }
  if (entityType !== "Experience") return [];
  const type = EXPERIENCE_ACTIONS[action];
  if (!type) return [];
  const before = (event.before as Snapshot)?.status;
  const after = (event.after as Snapshot)?.status;
  const move = before !== undefined && after !== undefined && before !== after ? MOVES[after] : undefined;
  return move && move !== type ? [type, move] : [type];
}
