import { fail, ok, type Result } from "../shared/result";
import { at, UserErrors, type UserError } from "../shared/user-error";
import type { Analysis, Correction } from "./analysis";

/** What an input may say about an analysis: each field optional (null or absent keeps it). */
export interface AnalysisDraft {
  confidenceLevel?: number | null;
  sequential?: boolean | null;
  sequentialTuning?: number | null;
  cuped?: boolean | null;
  cupedPreDays?: number | null;
  correction?: Correction | null;
}

/** The ranges RULES.md and the contract give, inclusive. */
const RANGES = {
  confidenceLevel: { min: 0.8, max: 0.999, whole: false, words: "0.8 to 0.999" },
  sequentialTuning: {
    min: 100,
    max: 10_000_000,
    whole: true,
    words: "a whole number from 100 to 10,000,000",
  },
  cupedPreDays: { min: 1, max: 60, whole: true, words: "a whole number of days from 1 to 60" },
} as const;

/**
 * `current` with the draft's given fields, each checked: INVALID at path + field, naming the range.
 * The settings' default analysis and each A/B test's own go through here.
 */
export function mergedAnalysis(
  current: Analysis,
  draft: AnalysisDraft | null | undefined,
  path: string[],
): Result<Analysis> {
  if (!draft) return ok(current);
  const errors: UserError[] = [];
  for (const [field, range] of Object.entries(RANGES) as [
    keyof typeof RANGES,
    (typeof RANGES)[keyof typeof RANGES],
  ][]) {
    const value = draft[field];
    if (value === null || value === undefined) continue;
    if (
      !Number.isFinite(value) ||
      value < range.min ||
      value > range.max ||
      (range.whole && !Number.isInteger(value))
    )
      errors.push(UserErrors.invalid(at(path, field), `${field} is ${range.words}, got ${value}`));
  }
  if (errors.length) return fail(...errors);
  const merged = { ...current };
  for (const field of Object.keys(current) as (keyof Analysis)[]) {
    const value = draft[field];
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[field] = value;
  }
  return ok(merged);
}
