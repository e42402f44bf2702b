import type { UserError } from "./user-error";

/**
 * What a service method returns: the value, or the business reasons it was not done. Expected
 * failures are values, not exceptions, so a resolver can hand them to the client as userErrors and
 * a transaction can roll back on them (commitIfOk in db/unit-of-work.ts).
 */
export type Result<T> = { ok: true; value: T } | { ok: false; errors: UserError[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(...errors: UserError[]): { ok: false; errors: UserError[] } {
  return { ok: false, errors };
}

/** Every error among several independent checks, so a client learns all its mistakes at once. */
export function errorsOf(...checks: (Result<unknown> | UserError | null)[]): UserError[] {
  return checks.flatMap((check) => {
    if (check === null) return [];
    if ("ok" in check) return check.ok ? [] : check.errors;
    return [check];
  });
}
