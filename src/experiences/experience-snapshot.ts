import { sameValue } from "../shared/json";
import type { Analysis, GuardrailAction } from "../results/analysis";
import { ExperienceKind } from "./experience-kind";

/**
 * An experience as the API shows it, with its values, variants and goals: what every history
 * version holds, what the audit log records before and after, and what a revert goes back to.
 * Pure: built from plain rows (experience-changes.ts loads them).
 */
export type Snapshot = Record<string, unknown>;

export interface SnapshotValue {
  keyId: string;
  value: unknown;
}

export interface SnapshotVariant {
  /** Absent in versions from before ids were recorded; never part of the content. */
  id?: string;
  name: string;
  weight: number;
  isControl: boolean;
  values: SnapshotValue[];
}

/** Fields that change with every version and say nothing about what changed. */
const BOOKKEEPING = new Set(["id", "kind", "createdAt", "updatedAt", "version"]);

/** The names of the fields whose values differ between two snapshots (all of them for a creation). */
export function changedFields(before: Snapshot | null, after: Snapshot): string[] {
  return Object.keys(after).filter(
    (field) => !BOOKKEEPING.has(field) && (before === null || !sameValue(before[field], after[field])),
  );
}

/** The content of an update input of any kind: what `revertInput` can ask an update to change. */
export interface RevertInput {
  name?: string;
  description?: string;
  segmentId?: string;
  values?: SnapshotValue[];
  priority?: number;
  value?: unknown;
  rolloutPercentage?: number;
  trafficPercentage?: number;
  variants?: SnapshotVariant[];
  goalIds?: string[];
  primaryGoalId?: string;
  stickyTarget?: boolean;
  exposureEvent?: string;
  analysis?: Analysis;
  guardrailGoalIds?: string[];
  guardrailAction?: GuardrailAction;
}

/** The content fields of each kind an update can change, as the snapshot names them. */
const CONTENT: Record<ExperienceKind, (keyof RevertInput)[]> = {
  [ExperienceKind.PRODUCT_CONFIG]: ["name", "description", "segmentId", "priority", "values"],
  [ExperienceKind.FEATURE_FLAG]: ["name", "description", "segmentId", "value", "rolloutPercentage"],
  [ExperienceKind.AB_TEST]: [
    "name",
    "description",
    "segmentId",
    "trafficPercentage",
    "variants",
    "goalIds",
    "primaryGoalId",
    "priority",
    "stickyTarget",
    "exposureEvent",
    "analysis",
    "guardrailGoalIds",
    "guardrailAction",
  ],
};

/** A field's value as content: variants without their ids (a DRAFT's variants are re-made on every edit). */
function content(field: string, value: unknown): unknown {
  if (field !== "variants" || !Array.isArray(value)) return value;
  return (value as SnapshotVariant[]).map(({ name, weight, isControl, values }) => ({
    name,
    weight,
    isControl,
    values,
  }));
}

/** The update fields an empty string clears (null in an update keeps the value). */
export const CLEARED_BY_EMPTY_STRING = new Set(["description", "segmentId", "exposureEvent"]);

/**
 * The update that makes `current` hold `target`'s content again: only the fields that differ, in
 * an update's own terms (an empty string clears the description or exposure event, or targets all users), so the
 * update's rules for the current status decide what may change. Status and schedule are not content,
 * nor are a test's QA users, winner and roll-out: they are operations on the test, not its design.
 */
export function revertInput(kind: ExperienceKind, current: Snapshot, target: Snapshot): RevertInput {
  const input: Record<string, unknown> = {};
  for (const field of CONTENT[kind]) {
    if (!(field in target) || sameValue(content(field, current[field]), content(field, target[field])))
      continue;
    const value = content(field, target[field]);
    input[field] = CLEARED_BY_EMPTY_STRING.has(field) && value === null ? "" : value;
  }
  return input;
}
