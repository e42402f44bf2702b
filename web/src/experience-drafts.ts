// What the experience forms edit, as text, and the inputs they become. A value is parsed by its
// key's type; what does not parse is said at its field before anything is sent.
import type {
  CreateAbTestInput,
  CreateFeatureFlagInput,
  CreateProductConfigInput,
  ExperienceFieldsFragment,
  GuardrailAction,
  AbTestOperationsFieldsFragment,
  ValueType,
} from "../../client";
import { formatValue, parseValue } from "./values";

export interface ValueRow {
  keyId: string;
  text: string;
}
export interface VariantRow {
  id?: string;
  name: string;
  weight: string;
  isControl: boolean;
  values: ValueRow[];
}
interface Common {
  name: string;
  description: string;
  /** "" for everyone. */
  segmentId: string;
}
export interface ConfigDraft extends Common {
  kind: "PRODUCT_CONFIG";
  priority: string;
  values: ValueRow[];
}
export interface FlagDraft extends Common {
  kind: "FEATURE_FLAG";
  keyId: string;
  value: string;
  rolloutPercentage: string;
}
export interface TestDraft extends Common {
  kind: "AB_TEST";
  priority: string;
  trafficPercentage: string;
  goalIds: string[];
  primaryGoalId: string;
  guardrailGoalIds: string[];
  guardrailAction: GuardrailAction;
  exposureEvent: string;
  variants: VariantRow[];
}
export type Draft = ConfigDraft | FlagDraft | TestDraft;
export type Kind = Draft["kind"];

export type KeyTypes = ReadonlyMap<string, ValueType>;

const textOf = (value: unknown, type: ValueType | undefined): string =>
  type ? formatValue(type, value) : typeof value === "string" ? value : JSON.stringify(value);

export function newDraft(kind: Kind): Draft {
  const common = { name: "", description: "", segmentId: "" };
  switch (kind) {
    case "PRODUCT_CONFIG":
      return { ...common, kind, priority: "0", values: [] };
    case "FEATURE_FLAG":
      return { ...common, kind, keyId: "", value: "", rolloutPercentage: "100" };
    case "AB_TEST":
      return {
        ...common,
        kind,
        priority: "0",
        trafficPercentage: "100",
        goalIds: [],
        primaryGoalId: "",
        guardrailGoalIds: [],
        guardrailAction: "NOTIFY",
        exposureEvent: "",
        variants: [
          { name: "control", weight: "50", isControl: true, values: [] },
          { name: "treatment", weight: "50", isControl: false, values: [] },
        ],
      };
  }
}

type Stored = ExperienceFieldsFragment & Partial<Pick<AbTestOperationsFieldsFragment, "guardrailGoals">>;

export function draftOf(experience: Stored, types: KeyTypes): Draft {
  const common = {
    name: experience.name,
    description: experience.description ?? "",
    segmentId: experience.segment?.id ?? "",
  };
  const rowsOf = (values: readonly { key: { id: string }; value: unknown }[]) =>
    values.map((value) => ({ keyId: value.key.id, text: textOf(value.value, types.get(value.key.id)) }));
  switch (experience.__typename) {
    case "ProductConfig":
      return {
        ...common,
        kind: "PRODUCT_CONFIG",
        priority: String(experience.priority),
        values: rowsOf(experience.values),
      };
    case "FeatureFlag":
      return {
        ...common,
        kind: "FEATURE_FLAG",
        keyId: experience.key.id,
        value: textOf(experience.value, types.get(experience.key.id)),
        rolloutPercentage: String(experience.rolloutPercentage),
      };
    case "ABTest":
      return {
        ...common,
        kind: "AB_TEST",
        priority: String(experience.priority),
        trafficPercentage: String(experience.trafficPercentage),
        goalIds: experience.goals.map((goal) => goal.id),
        primaryGoalId: experience.primaryGoal.id,
        guardrailGoalIds: (experience.guardrailGoals ?? []).map((goal) => goal.id),
        guardrailAction: experience.guardrailAction,
        exposureEvent: experience.exposureEvent ?? "",
        variants: experience.variants.map((variant) => ({
          id: variant.id,
          name: variant.name,
          weight: String(variant.weight),
          isControl: variant.isControl,
          values: rowsOf(variant.values),
        })),
      };
  }
}

/** The create input of a draft, or the messages of the values that do not parse, by field path. */
export type Converted<T> = { ok: true; input: T } | { ok: false; errors: Record<string, string> };

function valuesInput(
  rows: readonly ValueRow[],
  types: KeyTypes,
  path: string,
  errors: Record<string, string>,
) {
  return rows.map((row, index) => {
    const parsed = parseValue(types.get(row.keyId) ?? "JSON", row.text);
    if (!parsed.ok) errors[`${path}.${index}.value`] = parsed.message;
    return { keyId: row.keyId, value: parsed.ok ? parsed.value : null };
  });
}

const numberOf = (text: string): number => (text.trim() === "" ? NaN : Number(text));
const optional = (text: string) => text.trim() || undefined;

export function createInputOf(
  draft: Draft,
  types: KeyTypes,
): Converted<CreateProductConfigInput | CreateFeatureFlagInput | CreateAbTestInput> {
  const errors: Record<string, string> = {};
  const common = {
    name: draft.name,
    description: optional(draft.description),
    segmentId: draft.segmentId || undefined,
  };
  let input: CreateProductConfigInput | CreateFeatureFlagInput | CreateAbTestInput;
  switch (draft.kind) {
    case "PRODUCT_CONFIG":
      input = {
        ...common,
        priority: numberOf(draft.priority),
        values: valuesInput(draft.values, types, "values", errors),
      };
      break;
    case "FEATURE_FLAG": {
      const parsed = parseValue(types.get(draft.keyId) ?? "JSON", draft.value);
      if (!draft.keyId) errors.keyId = "Choose the key the flag serves.";
      else if (!parsed.ok) errors.value = parsed.message;
      input = {
        ...common,
        keyId: draft.keyId,
        value: parsed.ok ? parsed.value : null,
        rolloutPercentage: numberOf(draft.rolloutPercentage),
      };
      break;
    }
    case "AB_TEST":
      input = {
        ...common,
        priority: numberOf(draft.priority),
        trafficPercentage: numberOf(draft.trafficPercentage),
        goalIds: draft.goalIds,
        primaryGoalId: draft.primaryGoalId,
        guardrailGoalIds: draft.guardrailGoalIds,
        guardrailAction: draft.guardrailAction,
        exposureEvent: optional(draft.exposureEvent),
        variants: draft.variants.map((variant, index) => ({
          name: variant.name,
          weight: numberOf(variant.weight),
          isControl: variant.isControl,
          values: valuesInput(variant.values, types, `variants.${index}.values`, errors),
        })),
      };
      if (!draft.primaryGoalId) errors.primaryGoalId = "Choose the primary goal among the test's goals.";
      break;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, input };
}

/**
 * The update input: only the fields that differ from `initial` (what the page loaded), since some
 * may change only in DRAFT (RULES.md) and an untouched one must not be refused.
 */
export function updateInputOf(
  initial: Draft,
  draft: Draft,
  types: KeyTypes,
  id: string,
  expectedVersion: number,
) {
  const converted = createInputOf(draft, types);
  if (!converted.ok) return converted;
  const before = createInputOf(initial, types);
  const was: Record<string, unknown> = before.ok ? { ...before.input } : {};
  const input: Record<string, unknown> = { id, expectedVersion };
  for (const [field, value] of Object.entries(converted.input)) {
    if (field !== "keyId" && JSON.stringify(value) !== JSON.stringify(was[field]))
      // Emptied: an update's "" clears a description and targets everyone (null would keep them).
      input[field] = field === "segmentId" || field === "description" ? (value ?? "") : value;
  }
  return { ok: true as const, input };
}
