// Labelled controls: the label names the control, and an error is its description (aria-invalid).
import { useId, type ReactNode } from "react";

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
}

function Described({ id, error, hint }: { id: string; error?: string; hint?: string }) {
  return (
    <>
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </>
  );
}

const describedBy = (id: string, { error, hint }: FieldProps) =>
  [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;

export function TextField(
  props: FieldProps & {
    value: string;
    onChange(value: string): void;
    multiline?: boolean;
    type?: "text" | "number" | "url" | "date" | "datetime-local" | "password";
    required?: boolean;
    readOnly?: boolean;
    autoFocus?: boolean;
  },
) {
  const id = useId();
  const common = {
    id,
    value: props.value,
    readOnly: props.readOnly,
    required: props.required,
    autoFocus: props.autoFocus,
    "aria-invalid": props.error ? true : undefined,
    "aria-describedby": describedBy(id, props),
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={4} onChange={(event) => props.onChange(event.target.value)} />
      ) : (
        <input
          {...common}
          type={props.type ?? "text"}
          step={props.type === "number" ? "any" : undefined}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
      <Described id={id} error={props.error} hint={props.hint} />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export const optionsOf = (values: readonly string[]): Option[] =>
  values.map((value) => ({ value, label: value }));

export function SelectField(
  props: FieldProps & {
    value: string;
    onChange(value: string): void;
    options: readonly Option[];
    disabled?: boolean;
  },
) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        disabled={props.disabled}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props)}
        onChange={(event) => props.onChange(event.target.value)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Described id={id} error={props.error} hint={props.hint} />
    </div>
  );
}

export function CheckboxField(props: FieldProps & { checked: boolean; onChange(checked: boolean): void }) {
  const id = useId();
  return (
    <div className="field checkbox">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props)}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
      <Described id={id} error={props.error} hint={props.hint} />
    </div>
  );
}

/** Fields that belong together, named by a legend (two "Name" fields on a page sit in two of these). */
export function Group({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}
