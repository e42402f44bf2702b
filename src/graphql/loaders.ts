import DataLoader from "dataloader";
import type { Caller } from "../access/role";
import type { Services } from "../services";
import type { Usage } from "../shared/user-error";
import type { Referenced } from "../usages/usage.service";

/** One batch per request for what a list's rows would otherwise fetch one by one. */
export function createLoaders(services: Services, caller: Caller) {
  const { projectId } = caller;
  const usagesOf = (referenced: Referenced) =>
    new DataLoader<string, Usage[]>(async (ids) => {
      const found = await services.usages.usagesOf(services.db.reader, projectId, referenced, ids);
      return ids.map((id) => found.get(id) ?? []);
    });
  return {
    keyUsages: usagesOf("key"),
    segmentUsages: usagesOf("segment"),
    goalUsages: usagesOf("goal"),
    segment: byId((ids) => services.segments.items.findMany(projectId, ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

function byId<T extends { id: string }>(fetch: (ids: readonly string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const found = new Map((await fetch(ids)).map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
