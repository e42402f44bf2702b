import { isFiniteJson, jsonBytes } from "../shared/json";
import { characterCount, normalizeName, type NormalizedName } from "../shared/names";
import { fail, type Result } from "../shared/result";
import { UserErrors, type FieldPath, type UserError } from "../shared/user-error";

export enum ValueType {
  STRING = "STRING",
  NUMBER = "NUMBER",
  BOOLEAN = "BOOLEAN",
  JSON = "JSON",
}

export const MAX_ACTIVE_KEYS = 500;
export const MAX_KEY_NAME_LENGTH = 64;
export const MAX_STRING_VALUE_LENGTH = 10_000;
export const MAX_JSON_VALUE_BYTES = 64 * 1024;

/** It must be usable as an identifier in app code: a letter, then letters, digits, `_`, `.` or `-`. */
const KEY_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export function normalizeKeyName(raw: string, field: FieldPath): Result<NormalizedName> {
  const normalized = normalizeName(raw, field, MAX_KEY_NAME_LENGTH);
  if (normalized.ok && !KEY_NAME.test(normalized.value.name)) {
    return fail(
      UserErrors.invalid(
        field,
        "Key name must start with a letter, then letters, digits, '_', '.' or '-' (as in the app's code)",
      ),
    );
  }
  return normalized;
}

/**
 * Checks that a value fits a key's type: the one rule for default values, product config values,
 * feature flag values and variant values alike.
 */
export function valueTypeError(type: ValueType, value: unknown, field: FieldPath): UserError | null {
  switch (type) {
    case ValueType.STRING:
      if (typeof value !== "string")
        return UserErrors.invalid(field, "Value must be a string: the key's type is STRING");
      if (characterCount(value) > MAX_STRING_VALUE_LENGTH) {
        return UserErrors.invalid(
          field,
          `A STRING value must be at most ${MAX_STRING_VALUE_LENGTH} characters`,
        );
      }
      return null;
    case ValueType.NUMBER:
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return UserErrors.invalid(field, "Value must be a finite number: the key's type is NUMBER");
      }
      return null;
    case ValueType.BOOLEAN:
      if (typeof value !== "boolean")
        return UserErrors.invalid(field, "Value must be true or false: the key's type is BOOLEAN");
      return null;
    case ValueType.JSON: {
      if (value === undefined || value === null)
        return UserErrors.invalid(field, "Value must be a JSON value, not null");
      if (!isFiniteJson(value))
        return UserErrors.invalid(field, "Value must be JSON: numbers must be finite");
      if (jsonBytes(value) > MAX_JSON_VALUE_BYTES) {
        return UserErrors.invalid(
          field,
          `A JSON value must be at most ${MAX_JSON_VALUE_BYTES / 1024} KiB serialized`,
        );
      }
      return null;
    }
  }
}
