// What went wrong, in words: general userErrors, IN_USE with links to the experiences, CONFLICT with Reload.
import { Link } from "react-router";
import { errorMessage } from "../api";
import type { UserErrorLike } from "../user-errors";

export function ErrorAlerts({ errors, onReload }: { errors: readonly UserErrorLike[]; onReload?(): void }) {
  return (
    <>
      {errors.map((error, index) =>
        error.code === "CONFLICT" ? (
          <div role="alert" className="alert" key={index}>
            <p>
              This was changed by someone else since the page loaded. What you typed is kept until you reload.
            </p>
            {onReload && (
              <button type="button" onClick={onReload}>
                Reload
              </button>
            )}
          </div>
        ) : (
          <div role="alert" className="alert" key={index}>
            <p>{error.message}</p>
            {error.code === "IN_USE" && error.usages.length > 0 && (
              <ul>
                {error.usages.map((usage) => (
                  <li key={usage.id}>
                    <Link to={`/experiences/${usage.id}`}>{usage.name}</Link> (
                    {usage.kind.toLowerCase().replace("_", " ")}, {usage.status.toLowerCase()})
                  </li>
                ))}
              </ul>
            )}
          </div>
        ),
      )}
    </>
  );
}

/** A request that failed as a whole (network, FORBIDDEN, a bad query). */
export function RequestError({ error }: { error: unknown }) {
  return (
    <div role="alert" className="alert">
      <p>The server could not answer: {errorMessage(error)}</p>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="status">
      Loading {what}…
    </p>
  );
}
