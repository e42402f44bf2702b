import { useApolloClient } from "@apollo/client/react";
import { Link } from "react-router";
import type { UsageFieldsFragment } from "../../../client";
import type { useSubmit } from "../submit";
import type { UserErrorLike } from "../user-errors";

export function UsedBy({ usages }: { usages: readonly UsageFieldsFragment[] }) {
  if (usages.length === 0) return <span className="muted">nothing</span>;
  return (
    <ul className="inline">
      {usages.map((usage) => (
        <li key={usage.id}>
          <Link to={`/experiences/${usage.id}`}>{usage.name}</Link>
        </li>
      ))}
    </ul>
  );
}

/**
 * Archive or Unarchive. The lists kept in Apollo's cache (`listField`, e.g. "keys") are dropped
 * after either, so that no list shows the object where it no longer belongs, even for a moment.
 */
export function ArchiveButtons(props: {
  archived: boolean;
  listField: string;
  submit: ReturnType<typeof useSubmit>;
  archive(): Promise<readonly UserErrorLike[]>;
  unarchive(): Promise<readonly UserErrorLike[]>;
}) {
  const { cache } = useApolloClient();
  const run = async (change: () => Promise<readonly UserErrorLike[]>) => {
    if (await props.submit.run(change)) {
      cache.evict({ id: "ROOT_QUERY", fieldName: props.listField });
      cache.gc();
    }
  };
  return props.archived ? (
    <button type="button" onClick={() => void run(props.unarchive)}>
      Unarchive
    </button>
  ) : (
    <button type="button" className="secondary" onClick={() => void run(props.archive)}>
      Archive
    </button>
  );
}
