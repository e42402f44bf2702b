// What experience forms offer to pick: every active key, segment and goal, fetched page by page
// (a project has at most 500 active keys: five pages). null until all have come.
import { useApolloClient } from "@apollo/client/react";
import type { TypedDocumentNode } from "@apollo/client";
import { useEffect, useState } from "react";
import {
  GoalChoicesDocument,
  KeyChoicesDocument,
  SegmentChoicesDocument,
  type GoalChoicesQuery,
  type KeyChoicesQuery,
  type SegmentChoicesQuery,
} from "../../client";

type Page<T> = { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

function useEvery<Q, T>(
  document: TypedDocumentNode<Q, { after?: string | null }>,
  pageOf: (data: Q) => Page<T>,
  enabled: boolean,
): T[] | null {
  const client = useApolloClient();
  const [all, setAll] = useState<T[] | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    void (async () => {
      const found: T[] = [];
      let after: string | null = null;
      do {
        const { data } = await client.query({
          query: document,
          variables: { after },
          fetchPolicy: "network-only",
        });
        const page = pageOf(data as Q);
        found.push(...page.nodes);
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after && !cancelled);
      if (!cancelled) setAll(found);
    })();
    return () => {
      cancelled = true;
    };
  }, [client, document, pageOf, enabled]);
  return all;
}

export type KeyChoice = KeyChoicesQuery["keys"]["nodes"][number];
export type SegmentChoice = SegmentChoicesQuery["segments"]["nodes"][number];
export type GoalChoice = GoalChoicesQuery["goals"]["nodes"][number];

const keysPage = (data: KeyChoicesQuery) => data.keys;
const segmentsPage = (data: SegmentChoicesQuery) => data.segments;
const goalsPage = (data: GoalChoicesQuery) => data.goals;

/** `enabled` false waits: a page fetches what its own view needs first, and these after. */
export const useKeyChoices = (enabled = true) => useEvery(KeyChoicesDocument, keysPage, enabled);
export const useSegmentChoices = (enabled = true) => useEvery(SegmentChoicesDocument, segmentsPage, enabled);
export const useGoalChoices = (enabled = true) => useEvery(GoalChoicesDocument, goalsPage, enabled);
