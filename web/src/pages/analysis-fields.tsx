// The analysis settings (RULES.md "Analysis"), edited as a group: the project's default, or one test's.
import type {
  AnalysisFieldsFragment,
  AnalysisSettingsInput,
  MultipleTestingCorrection,
} from "../../../client";
import { CheckboxField, Group, SelectField, TextField } from "../components/fields";

export interface AnalysisDraft {
  confidenceLevel: string;
  sequential: boolean;
  sequentialTuning: string;
  cuped: boolean;
  cupedPreDays: string;
  correction: MultipleTestingCorrection;
}

// Field by field: what Apollo read carries a __typename that no input accepts.
export const analysisDraftOf = (analysis: AnalysisFieldsFragment): AnalysisDraft => ({
  sequential: analysis.sequential,
  cuped: analysis.cuped,
  correction: analysis.correction,
  confidenceLevel: String(analysis.confidenceLevel),
  sequentialTuning: String(analysis.sequentialTuning),
  cupedPreDays: String(analysis.cupedPreDays),
});

export const analysisInputOf = (draft: AnalysisDraft): AnalysisSettingsInput => ({
  ...draft,
  confidenceLevel: Number(draft.confidenceLevel),
  sequentialTuning: Number(draft.sequentialTuning),
  cupedPreDays: Number(draft.cupedPreDays),
});

const CORRECTIONS: { value: MultipleTestingCorrection; label: string }[] = [
  { value: "NONE", label: "None" },
  { value: "HOLM", label: "Holm (any false winner)" },
  { value: "BENJAMINI_HOCHBERG", label: "Benjamini–Hochberg (share of false winners)" },
];

/** `errorAt(name)` finds an error at the analysis input's field `name`. */
export function AnalysisFields(props: {
  legend: string;
  draft: AnalysisDraft;
  onChange(draft: AnalysisDraft): void;
  errorAt(name: string): string | undefined;
}) {
  const { draft } = props;
  const set = (changes: Partial<AnalysisDraft>) => props.onChange({ ...draft, ...changes });
  return (
    <Group legend={props.legend}>
      <TextField
        label="Confidence level"
        type="number"
        value={draft.confidenceLevel}
        onChange={(confidenceLevel) => set({ confidenceLevel })}
        error={props.errorAt("confidenceLevel")}
        hint="e.g. 0.95"
      />
      <CheckboxField
        label="Sequential (always-valid) intervals"
        checked={draft.sequential}
        onChange={(sequential) => set({ sequential })}
      />
      <TextField
        label="Sequential tuning"
        type="number"
        value={draft.sequentialTuning}
        onChange={(sequentialTuning) => set({ sequentialTuning })}
        error={props.errorAt("sequentialTuning")}
        hint="Users at which the interval is tightest."
      />
      <CheckboxField
        label="CUPED variance reduction"
        checked={draft.cuped}
        onChange={(cuped) => set({ cuped })}
      />
      <TextField
        label="CUPED pre-period days"
        type="number"
        value={draft.cupedPreDays}
        onChange={(cupedPreDays) => set({ cupedPreDays })}
        error={props.errorAt("cupedPreDays")}
      />
      <SelectField
        label="Correction"
        value={draft.correction}
        onChange={(correction) => set({ correction: correction as MultipleTestingCorrection })}
        options={CORRECTIONS}
        error={props.errorAt("correction")}
      />
    </Group>
  );
}
