// How a key's value is typed in a form and sent: one text per value, parsed by the key's type. The
// server checks again; this only says what is wrong before a round trip.
import type { ValueType } from "../../client";

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

export function parseValue(type: ValueType, text: string): Parsed {
  switch (type) {
    case "STRING":
      return { ok: true, value: text };
    case "NUMBER": {
      const trimmed = text.trim();
      const value = Number(trimmed);
      if (trimmed === "" || !Number.isFinite(value))
        return { ok: false, message: "Enter a number, e.g. 3 or 0.5." };
      return { ok: true, value };
    }
    case "BOOLEAN":
      if (text === "true" || text === "false") return { ok: true, value: text === "true" };
      return { ok: false, message: "Choose true or false." };
    case "JSON":
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch {
        return { ok: false, message: 'Enter JSON, e.g. {"mode": "dark"} or [1, 2].' };
      }
  }
}

/** The text a form shows for a stored value; parseValue(type, formatValue(type, v)) gives v back. */
export function formatValue(type: ValueType, value: unknown): string {
  switch (type) {
    case "STRING":
      return typeof value === "string" ? value : "";
    case "NUMBER":
      return typeof value === "number" ? String(value) : "";
    case "BOOLEAN":
      return value === true ? "true" : "false";
    case "JSON":
      return value === undefined ? "" : JSON.stringify(value, null, 2);
  }
}

/** A value in a table cell: strings quoted so that "" and "3" read apart from 3. */
export function showValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? "");
}

export const emptyValueOf = (type: ValueType): string =>
  ({ STRING: "", NUMBER: "0", BOOLEAN: "false", JSON: "{}" })[type];
