// What went wrong, in words: general userErrors, IN_USE with links to the experiences, CONFLICT with Reload.
import type { ReactNode } from "react";
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

/**
 * An object's page while its query runs: loading, failed, no such object, or the object. `value` is
 * undefined while nothing has come, null when the server knows no such object.
 */
export function Loaded<T>(props: {
  what: string;
  error: unknown;
  value: T | null | undefined;
  children(value: T): ReactNode;
}) {
  if (props.error !== undefined) return <RequestError error={props.error} />;
  if (props.value === undefined) return <Loading what={`the ${props.what}`} />;
  if (props.value === null) return <h1>No such {props.what}</h1>;
  return <>{props.children(props.value)}</>;
}
