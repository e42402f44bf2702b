/** Descriptions many schema fields share, written once. */
export const Describe = {
  userErrors: "Empty when the mutation was done. Otherwise why not, one entry per problem; nothing changed.",
  id: "Stable, unique id (a UUIDv7: ids sort by creation time).",
  createdAt: "When it was created.",
  updatedAt: "When it last changed.",
  description: "Free text for people, at most 1,000 characters.",
  archivedAt: "When it was archived; null while active.",
} as const;
