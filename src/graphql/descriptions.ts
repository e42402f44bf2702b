/** Descriptions many schema fields share, written once. */
export const Describe = {
  userErrors: "Empty when the mutation was done. Otherwise why not, one entry per problem; nothing changed.",
  id: "Stable, unique id (a UUIDv7: ids sort by creation time).",
  createdAt: "When it was created.",
  updatedAt: "When it last changed.",
  description: "Free text for people, at most 1,000 characters.",
  archivedAt: "When it was archived; null while active.",
  version:
    "1 at creation, +1 on every change; send it back as expectedVersion to refuse a stale write (CONFLICT).",
  expectedVersion: "When given and not the current version: CONFLICT, and nothing changes.",
} as const;
