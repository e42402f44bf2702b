import DataLoader from "dataloader";
import type { Caller } from "../access/role";
import type { Services } from "../services";
import type { Page, PageRequest } from "../db/pagination";
import type { ExperienceVersion } from "../experiences/experience-version.entity";
import type { Usage } from "../shared/user-error";
import type { Referenced } from "../usages/usage.service";
import { ExperienceGuardrail } from "../experiences/experience-guardrail.entity";
import type { WebhookDelivery } from "../webhooks/webhook-delivery.entity";

/**
 * One batch per request for what a list's rows would otherwise fetch one by one: every field
 * resolver that reaches a related object goes through one of these.
 */
export function createLoaders(services: Services, caller: Caller) {
  const { projectId } = caller;
  const experiences = services.experienceReads;
  const usagesOf = (referenced: Referenced) =>
    new DataLoader<string, Usage[]>(async (ids) => {
      const found = await services.usages.usagesFor(caller, referenced, ids);
      return ids.map((id) => found.get(id) ?? []);
    });
  return {
    keyUsages: usagesOf("key"),
    segmentUsages: usagesOf("segment"),
    goalUsages: usagesOf("goal"),
    key: byId((ids) => services.keys.items.byIds(caller, ids)),
    segment: byId((ids) => services.segments.items.byIds(caller, ids)),
    goal: byId((ids) => services.goals.items.byIds(caller, ids)),
    experience: byId((ids) => experiences.byIds(projectId, ids)),
    testUsers: grouped(
      (ids) => experiences.testUsersOf(projectId, ids),
      (pin) => pin.experienceId,
    ),
    experienceValues: grouped(
      (ids) => experiences.valuesOf(projectId, ids),
      (value) => value.experienceId,
    ),
    variantValues: grouped(
      (ids) => experiences.variantValuesOf(projectId, ids),
      (value) => value.variantId!,
    ),
    variants: grouped(
      (ids) => experiences.variantsOf(projectId, ids),
      (variant) => variant.experienceId,
    ),
    history: pagedLoaders<ExperienceVersion>((ids, page) => experiences.historyPages(projectId, ids, page)),
    webhookDeliveries: pagedLoaders<WebhookDelivery>((ids, page) =>
      services.webhooks.deliveryPages(caller, ids, page),
    ),
    deliveryAttempts: grouped(
      (ids) => services.webhooks.attemptsOf(caller, ids),
      (attempt) => attempt.deliveryId,
    ),
    experienceGoals: grouped(
      async (ids) => experiences.goalsOf(projectId, ids),
      (link) => link.experienceId,
      (link) => link.goal,
    ),
    guardrailGoals: grouped(
      async (ids) => experiences.goalsOf(projectId, ids, ExperienceGuardrail),
      (link) => link.experienceId,
      (link) => link.goal,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * One loader per page request (a list of experiences asks each for the same page of its history):
 * all the owners of a list get their pages from one statement.
 */
function pagedLoaders<T>(
  fetch: (ids: readonly string[], page: PageRequest) => Promise<Map<string, Page<T>>>,
) {
  const byPage = new Map<string, DataLoader<string, Page<T>>>();
  return (page: PageRequest) => {
    const key = `${page.first}:${page.after ?? ""}`;
    let loader = byPage.get(key);
    if (!loader) {
      loader = new DataLoader(async (ids) => {
        const pages = await fetch(ids, page);
        return ids.map((id) => pages.get(id)!);
      });
      byPage.set(key, loader);
    }
    return loader;
  };
}

function byId<T extends { id: string }>(fetch: (ids: readonly string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const found = new Map((await fetch(ids)).map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** Many rows per id (a test's variants, a config's values), in the order fetched. */
function grouped<Row, Out = Row>(
  fetch: (ids: readonly string[]) => Promise<Row[]>,
  ownerOf: (row: Row) => string,
  shape: (row: Row) => Out = (row) => row as unknown as Out,
) {
  return new DataLoader<string, Out[]>(async (ids) => {
    const byOwner = new Map<string, Out[]>(ids.map((id) => [id, []]));
    for (const row of await fetch(ids)) byOwner.get(ownerOf(row))?.push(shape(row));
    return ids.map((id) => byOwner.get(id)!);
  });
}
