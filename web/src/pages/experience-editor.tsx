// The fields of a product config, feature flag or A/B test: one editor for creating and for editing.
import type { GuardrailAction } from "../../../client";
import type { GoalChoice, KeyChoice, SegmentChoice } from "../choices";
import { CheckboxField, Group, SelectField, TextField } from "../components/fields";
import type { Draft, TestDraft, ValueRow, VariantRow } from "../experience-drafts";
import { emptyValueOf } from "../values";
import { ValueField } from "./value-field";

export interface Choices {
  keys: readonly KeyChoice[];
  segments: readonly SegmentChoice[];
  goals: readonly GoalChoice[];
}

type ErrorAt = (path: string) => string | undefined;

function ValueRows(props: {
  rows: ValueRow[];
  onChange(rows: ValueRow[]): void;
  keys: readonly KeyChoice[];
  path: string;
  errorAt: ErrorAt;
  of?: string;
}) {
  const typeOf = (keyId: string) => props.keys.find((key) => key.id === keyId)?.type ?? "JSON";
  const set = (index: number, row: ValueRow) =>
    props.onChange(props.rows.map((old, at) => (at === index ? row : old)));
  const suffix = props.of ? ` of ${props.of}` : "";
  return (
    <>
      {props.rows.map((row, index) => (
        <Group key={index} legend={`Value ${index + 1}${suffix}`}>
          <SelectField
            label="Key"
            value={row.keyId}
            onChange={(keyId) => set(index, { keyId, text: emptyValueOf(typeOf(keyId)) })}
            options={[
              { value: "", label: "Choose a key" },
              ...props.keys.map((key) => ({ value: key.id, label: `${key.name} (${key.type})` })),
            ]}
            error={props.errorAt(`${props.path}.${index}.keyId`)}
          />
          <ValueField
            label="Value"
            type={typeOf(row.keyId)}
            text={row.text}
            onChange={(text) => set(index, { ...row, text })}
            error={props.errorAt(`${props.path}.${index}.value`)}
          />
          <button
            type="button"
            className="secondary"
            onClick={() => props.onChange(props.rows.filter((_, at) => at !== index))}
          >
            Remove value {index + 1}
            {suffix}
          </button>
        </Group>
      ))}
      <button type="button" onClick={() => props.onChange([...props.rows, { keyId: "", text: "" }])}>
        Add value{suffix}
      </button>
      {props.errorAt(props.path) && <p className="field-error">{props.errorAt(props.path)}</p>}
    </>
  );
}

function GoalChecks(props: {
  legend: string;
  goals: readonly GoalChoice[];
  chosen: string[];
  onChange(ids: string[]): void;
  error?: string;
}) {
  return (
    <Group legend={props.legend}>
      {props.goals.length === 0 && <p>No goals yet: make one on the Goals page.</p>}
      {props.goals.map((goal) => (
        <CheckboxField
          key={goal.id}
          label={goal.name}
          checked={props.chosen.includes(goal.id)}
          onChange={(on) =>
            props.onChange(on ? [...props.chosen, goal.id] : props.chosen.filter((id) => id !== goal.id))
          }
        />
      ))}
      {props.error && <p className="field-error">{props.error}</p>}
    </Group>
  );
}

function TestFields({
  draft,
  set,
  choices,
  errorAt,
}: {
  draft: TestDraft;
  set(changes: Partial<TestDraft>): void;
  choices: Choices;
  errorAt: ErrorAt;
}) {
  const setVariant = (index: number, variant: VariantRow) =>
    set({ variants: draft.variants.map((old, at) => (at === index ? variant : old)) });
  const chosenGoals = choices.goals.filter((goal) => draft.goalIds.includes(goal.id));
  return (
    <>
      <TextField
        label="Traffic percentage"
        type="number"
        value={draft.trafficPercentage}
        onChange={(trafficPercentage) => set({ trafficPercentage })}
        error={errorAt("trafficPercentage")}
        hint="Of the segment's users, how many take part."
      />
      <TextField
        label="Priority"
        type="number"
        value={draft.priority}
        onChange={(priority) => set({ priority })}
        error={errorAt("priority")}
      />
      <GoalChecks
        legend="Goals"
        goals={choices.goals}
        chosen={draft.goalIds}
        onChange={(goalIds) =>
          set({
            goalIds,
            primaryGoalId: goalIds.includes(draft.primaryGoalId) ? draft.primaryGoalId : (goalIds[0] ?? ""),
          })
        }
        error={errorAt("goalIds")}
      />
      <SelectField
        label="Primary goal"
        value={draft.primaryGoalId}
        onChange={(primaryGoalId) => set({ primaryGoalId })}
        options={[
          { value: "", label: "Choose among the goals" },
          ...chosenGoals.map((goal) => ({ value: goal.id, label: goal.name })),
        ]}
        error={errorAt("primaryGoalId")}
      />
      <GoalChecks
        legend="Guardrail goals"
        goals={choices.goals}
        chosen={draft.guardrailGoalIds}
        onChange={(guardrailGoalIds) => set({ guardrailGoalIds })}
        error={errorAt("guardrailGoalIds")}
      />
      <SelectField
        label="Guardrail action"
        value={draft.guardrailAction}
        onChange={(guardrailAction) => set({ guardrailAction: guardrailAction as GuardrailAction })}
        options={[
          { value: "NOTIFY", label: "Notify (record the breach)" },
          { value: "PAUSE", label: "Pause the test" },
        ]}
      />
      <TextField
        label="Exposure event"
        value={draft.exposureEvent}
        onChange={(exposureEvent) => set({ exposureEvent })}
        error={errorAt("exposureEvent")}
        hint="Optional: only users who sent it after assignment count."
      />
      {draft.variants.map((variant, index) => {
        const legend = `Variant ${index + 1}`;
        return (
          <Group key={index} legend={legend}>
            <TextField
              label="Name"
              value={variant.name}
              onChange={(name) => setVariant(index, { ...variant, name })}
              error={errorAt(`variants.${index}.name`)}
            />
            <TextField
              label="Weight"
              type="number"
              value={variant.weight}
              onChange={(weight) => setVariant(index, { ...variant, weight })}
              error={errorAt(`variants.${index}.weight`)}
            />
            <CheckboxField
              label="Control"
              checked={variant.isControl}
              onChange={(isControl) =>
                set({
                  variants: draft.variants.map((old, at) => ({
                    ...old,
                    isControl: at === index ? isControl : isControl ? false : old.isControl,
                  })),
                })
              }
            />
            <ValueRows
              rows={variant.values}
              onChange={(values) => setVariant(index, { ...variant, values })}
              keys={choices.keys}
              path={`variants.${index}.values`}
              errorAt={errorAt}
              of={legend.toLowerCase()}
            />
            {draft.variants.length > 2 && (
              <button
                type="button"
                className="secondary"
                onClick={() => set({ variants: draft.variants.filter((_, at) => at !== index) })}
              >
                Remove variant {index + 1}
              </button>
            )}
          </Group>
        );
      })}
      <button
        type="button"
        onClick={() =>
          set({ variants: [...draft.variants, { name: "", weight: "0", isControl: false, values: [] }] })
        }
      >
        Add variant
      </button>
      {errorAt("variants") && <p className="field-error">{errorAt("variants")}</p>}
    </>
  );
}

export function ExperienceEditor(props: {
  draft: Draft;
  onChange(draft: Draft): void;
  choices: Choices;
  errorAt: ErrorAt;
  isNew: boolean;
}) {
  const { draft, choices, errorAt } = props;
  const set = (changes: Partial<Draft>) => props.onChange({ ...draft, ...changes } as Draft);
  const keyType =
    draft.kind === "FEATURE_FLAG"
      ? (choices.keys.find((key) => key.id === draft.keyId)?.type ?? "STRING")
      : "STRING";
  return (
    <>
      <TextField label="Name" value={draft.name} onChange={(name) => set({ name })} error={errorAt("name")} />
      <TextField
        label="Description"
        multiline
        value={draft.description}
        onChange={(description) => set({ description })}
        error={errorAt("description")}
      />
      <SelectField
        label="Segment"
        value={draft.segmentId}
        onChange={(segmentId) => set({ segmentId })}
        options={[
          { value: "", label: "Everyone" },
          ...choices.segments.map((segment) => ({ value: segment.id, label: segment.name })),
        ]}
        error={errorAt("segmentId")}
      />
      {draft.kind === "PRODUCT_CONFIG" && (
        <>
          <TextField
            label="Priority"
            type="number"
            value={draft.priority}
            onChange={(priority) => set({ priority })}
            error={errorAt("priority")}
            hint="The higher wins where two configs set one key."
          />
          <ValueRows
            rows={draft.values}
            onChange={(values) => set({ values })}
            keys={choices.keys}
            path="values"
            errorAt={errorAt}
          />
        </>
      )}
      {draft.kind === "FEATURE_FLAG" && (
        <>
          <SelectField
            label="Key"
            value={draft.keyId}
            disabled={!props.isNew}
            onChange={(keyId) =>
              set({
                keyId,
                value: emptyValueOf(choices.keys.find((key) => key.id === keyId)?.type ?? "STRING"),
              })
            }
            options={[
              { value: "", label: "Choose a key" },
              ...choices.keys.map((key) => ({ value: key.id, label: `${key.name} (${key.type})` })),
            ]}
            error={errorAt("keyId")}
          />
          <ValueField
            label="Value"
            type={keyType}
            text={draft.value}
            onChange={(value) => set({ value })}
            error={errorAt("value")}
          />
          <TextField
            label="Rollout percentage"
            type="number"
            value={draft.rolloutPercentage}
            onChange={(rolloutPercentage) => set({ rolloutPercentage })}
            error={errorAt("rolloutPercentage")}
          />
        </>
      )}
      {draft.kind === "AB_TEST" && <TestFields draft={draft} set={set} choices={choices} errorAt={errorAt} />}
    </>
  );
}
