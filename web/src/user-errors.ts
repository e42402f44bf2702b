// userErrors placed where a person looks: beside the field they name, or in one alert.
import type { UserErrorFieldsFragment } from "../../client";

export type UserErrorLike = Pick<UserErrorFieldsFragment, "code" | "message" | "field" | "usages">;

export interface PlacedErrors {
  /** By the form's field name (pathOf). */
  byField: Record<string, string>;
  /** Errors with no field the form shows. */
  general: UserErrorLike[];
}

/**
 * An error's place as the forms name it: the path after `input` for a mutation's input object
 * (["input", "values", "0", "value"] is "values.0.value"), else the argument's own path
 * (["stopAt"] is "stopAt", ["users", "1", "userId"] is "users.1.userId").
 */
export function pathOf(error: Pick<UserErrorLike, "field">): string {
  const field = error.field ?? [];
  return (field[0] === "input" ? field.slice(1) : field).join(".");
}

/**
 * `fields` are the form's names, e.g. "name" or "values.0.value". An error whose path starts with
 * one of them is shown there (the longest that matches); any other is general.
 */
export function placeErrors(errors: readonly UserErrorLike[], fields: readonly string[]): PlacedErrors {
  const byField: Record<string, string> = {};
  const general: UserErrorLike[] = [];
  for (const error of errors) {
    const path = pathOf(error);
    const field = fields
      .filter((name) => path === name || path.startsWith(`${name}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (field === undefined || error.code === "CONFLICT" || error.code === "IN_USE") general.push(error);
    else byField[field] = byField[field] ? `${byField[field]} ${error.message}` : error.message;
  }
  return { byField, general };
}
