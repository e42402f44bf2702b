import type { Result } from "../shared/result";
import type { UserError } from "../shared/user-error";

/** A mutation payload: the object under `field` when it was done, else the userErrors. */
export function payload<T, F extends string>(
  field: F,
  result: Result<T>,
): { [P in F]: T | null } & { userErrors: UserError[] } {
  const value = result.ok ? result.value : null;
  return { [field]: value, userErrors: result.ok ? [] : result.errors } as { [P in F]: T | null } & {
    userErrors: UserError[];
  };
}
