// A key's value, edited as its type needs: text, a number, true/false, or JSON.
import type { ValueType } from "../../../client";
import { SelectField, TextField, optionsOf } from "../components/fields";

export function ValueField(props: {
  label: string;
  type: ValueType;
  text: string;
  onChange(text: string): void;
  error?: string;
}) {
  if (props.type === "BOOLEAN")
    return (
      <SelectField
        label={props.label}
        value={props.text}
        onChange={props.onChange}
        options={optionsOf(["false", "true"])}
        error={props.error}
      />
    );
  return (
    <TextField
      label={props.label}
      type={props.type === "NUMBER" ? "number" : "text"}
      multiline={props.type === "JSON"}
      value={props.text}
      onChange={props.onChange}
      error={props.error}
      hint={props.type === "JSON" ? 'JSON, e.g. {"mode": "dark"}' : undefined}
    />
  );
}
