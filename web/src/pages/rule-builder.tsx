// The segment rule builder: property and event conditions, and groups of them, ALL or ANY.
import type { Occurrence, Operator } from "../../../client";
import { Group, SelectField, TextField, optionsOf } from "../components/fields";
import {
  MAX_DEPTH,
  OPERATORS,
  emptyRule,
  newEventRow,
  newPropertyRow,
  type ConditionRow,
  type RuleModel,
} from "../rules";

const NO_VALUES: readonly Operator[] = ["EXISTS", "NOT_EXISTS"];

function Condition(props: {
  row: ConditionRow;
  index: number;
  onChange(row: ConditionRow): void;
  onRemove(): void;
  errorAt(field: string): string | undefined;
}) {
  const { row, index } = props;
  const legend = `Condition ${index + 1}`;
  return (
    <Group legend={legend}>
      {row.kind === "property" ? (
        <>
          <TextField
            label="Property"
            value={row.property}
            onChange={(property) => props.onChange({ ...row, property })}
            error={props.errorAt("property.property")}
          />
          <SelectField
            label="Operator"
            value={row.operator}
            onChange={(operator) => props.onChange({ ...row, operator: operator as Operator })}
            options={optionsOf(OPERATORS)}
          />
          {!NO_VALUES.includes(row.operator) && (
            <TextField
              label="Values"
              multiline
              value={row.values}
              onChange={(values) => props.onChange({ ...row, values })}
              hint="One per line; numbers stay numbers."
              error={props.errorAt("property.values")}
            />
          )}
        </>
      ) : (
        <>
          <TextField
            label="Event"
            value={row.event}
            onChange={(event) => props.onChange({ ...row, event })}
            error={props.errorAt("event.event")}
          />
          <SelectField
            label="Occurrence"
            value={row.occurrence}
            onChange={(occurrence) => props.onChange({ ...row, occurrence: occurrence as Occurrence })}
            options={[
              { value: "DID", label: "did" },
              { value: "DID_NOT", label: "did not" },
            ]}
          />
          <TextField
            label="At least"
            type="number"
            value={row.minCount}
            onChange={(minCount) => props.onChange({ ...row, minCount })}
            error={props.errorAt("event.minCount")}
            hint="times"
          />
          <TextField
            label="Within days"
            type="number"
            value={row.withinDays}
            onChange={(withinDays) => props.onChange({ ...row, withinDays })}
            error={props.errorAt("event.withinDays")}
            hint="empty: ever"
          />
        </>
      )}
      <button type="button" className="secondary" onClick={props.onRemove}>
        Remove condition {index + 1}
      </button>
    </Group>
  );
}

/** `path` is where this rule sits in the input ("rule", "rule.groups.0"), for errors at their place. */
export function RuleBuilder(props: {
  rule: RuleModel;
  onChange(rule: RuleModel): void;
  depth?: number;
  path?: string;
  errorAt(path: string, exact?: boolean): string | undefined;
  label?: string;
}) {
  const { rule } = props;
  const depth = props.depth ?? 1;
  const path = props.path ?? "rule";
  const set = (changes: Partial<RuleModel>) => props.onChange({ ...rule, ...changes });
  const body = (
    <>
      <SelectField
        label="Match"
        value={rule.match}
        onChange={(match) => set({ match: match as RuleModel["match"] })}
        options={[
          { value: "ALL", label: "ALL (every condition)" },
          { value: "ANY", label: "ANY (one condition)" },
        ]}
      />
      {rule.conditions.map((row, index) => (
        <Condition
          key={index}
          row={row}
          index={index}
          errorAt={(field) => props.errorAt(`${path}.conditions.${index}.${field}`)}
          onChange={(next) =>
            set({ conditions: rule.conditions.map((old, at) => (at === index ? next : old)) })
          }
          onRemove={() => set({ conditions: rule.conditions.filter((_, at) => at !== index) })}
        />
      ))}
      {rule.groups.map((group, index) => (
        <div key={index} className="group">
          <RuleBuilder
            rule={group}
            depth={depth + 1}
            path={`${path}.groups.${index}`}
            label={`Group ${index + 1}`}
            errorAt={props.errorAt}
            onChange={(next) => set({ groups: rule.groups.map((old, at) => (at === index ? next : old)) })}
          />
          <button
            type="button"
            className="secondary"
            onClick={() => set({ groups: rule.groups.filter((_, at) => at !== index) })}
          >
            Remove group {index + 1}
          </button>
        </div>
      ))}
      <div className="toolbar">
        <button type="button" onClick={() => set({ conditions: [...rule.conditions, newPropertyRow()] })}>
          Add property condition
        </button>
        <button type="button" onClick={() => set({ conditions: [...rule.conditions, newEventRow()] })}>
          Add event condition
        </button>
        {depth < MAX_DEPTH && (
          <button type="button" onClick={() => set({ groups: [...rule.groups, emptyRule()] })}>
            Add group
          </button>
        )}
      </div>
      {props.errorAt(path, true) && <p className="field-error">{props.errorAt(path, true)}</p>}
    </>
  );
  return <Group legend={props.label ?? "Rule"}>{body}</Group>;
}
