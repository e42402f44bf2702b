// userErrors placed where a person looks: beside the field they name, or in one alert.
import type { UserErrorFieldsFragment } from "../../client";

export type UserErrorLike = Pick<UserErrorFieldsFragment, "code" | "message" | "field" | "usages">;

export interface PlacedErrors {
  /** By the form's field name: the error's path after its first part ("input"), joined by ".". */
  byField: Record<string, string>;
  /** Errors with no field the form shows. */
  general: UserErrorLike[];
}

/**
 * `fields` are the form's names, e.g. "name" or "values.0.value". An error whose path starts with
 * one of them is shown there (the longest that matches); any other is general.
 */
export function placeErrors(errors: readonly UserErrorLike[], fields: readonly string[]): PlacedErrors {
  const byField: Record<string, string> = {};
  const general: UserErrorLike[] = [];
  for (const error of errors) {
    const path = (error.field ?? []).slice(1).join(".");
    const field = fields
      .filter((name) => path === name || path.startsWith(`${name}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (field === undefined || error.code === "CONFLICT" || error.code === "IN_USE") general.push(error);
    else byField[field] = byField[field] ? `${byField[field]} ${error.message}` : error.message;
  }
  return { byField, general };
}
