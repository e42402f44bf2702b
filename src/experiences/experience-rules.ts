import { characterCount, MAX_NAME_LENGTH } from "../shared/names";
import { textProblem } from "../shared/text";
import { at, UserErrors, type UserError } from "../shared/user-error";
import { ExperienceStatus } from "./experience-kind";

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
