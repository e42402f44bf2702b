import { useState } from "react";
import { errorMessage } from "./api";
import { pathOf, placeErrors, type UserErrorLike } from "./user-errors";

/**
 * A form's sending: runs `send`, which answers the payload's userErrors, and keeps them placed by
 * the form's `fields`. A request that fails as a whole becomes one general error.
 */
export function useSubmit(fields: readonly string[]) {
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [busy, setBusy] = useState(false);
  const run = async (send: () => Promise<readonly UserErrorLike[] | undefined>): Promise<boolean> => {
    setBusy(true);
    try {
      const userErrors = (await send()) ?? [];
      setErrors(userErrors);
      return userErrors.length === 0;
    } catch (error) {
      setErrors([{ code: "REQUEST_FAILED" as never, message: errorMessage(error), field: null, usages: [] }]);
      return false;
    } finally {
      setBusy(false);
    }
  };
  /** The messages of errors at `path` ("rule.conditions.0.property") or inside it. */
  const errorAt = (path: string, exact = false): string | undefined =>
    errors
      .filter((error) => {
        const at = pathOf(error);
        return at === path || (!exact && at.startsWith(`${path}.`));
      })
      .map((error) => error.message)
      .join(" ") || undefined;
  /** Sends a create: the new object's id once it was made, else undefined (its errors are placed). */
  const create = async (
    send: () => Promise<{ id: string | undefined; userErrors: readonly UserErrorLike[] }>,
  ): Promise<string | undefined> => {
    let id: string | undefined;
    const done = await run(async () => {
      const answer = await send();
      id = answer.id;
      return answer.userErrors;
    });
    return done ? id : undefined;
  };
  return { run, create, busy, errorAt, clear: () => setErrors([]), ...placeErrors(errors, fields) };
}
