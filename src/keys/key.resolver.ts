import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Can } from "../access/role";
import { BulkArchivePayload } from "../graphql/bulk-archive.type";
import { connectionType, ListArgs, listRequest, toConnection } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { badUserInput } from "../graphql/errors";
import { payload } from "../graphql/payload";
import { ExpectedVersionArg } from "../graphql/versions";
import { Usage } from "../usages/usage.type";
import { Key } from "./key.entity";
import { CreateKeyInput, KeyFilter, UpdateKeyInput } from "./key.inputs";
import { KeyPayload } from "./key.types";

const KeyConnection = connectionType("Key", Key);

@Resolver(() => Key)
export class KeyResolver {
  @Authorized(Can.read)
  @Query(() => KeyConnection, { description: "Active keys by default, oldest first." })
  async keys(
    @Arg("filter", () => KeyFilter, {
      nullable: true,
      description: "Which keys to list; null: the unarchived ones.",
    })
    filter: KeyFilter | null,
    @Args(() => ListArgs) page: ListArgs,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return toConnection(await services.keys.list(caller, filter ?? {}, listRequest(page)));
  }

  @Authorized(Can.read)
  @Query(() => Key, { nullable: true, description: "By id or by name (ignoring case): give exactly one." })
  async key(
    @Arg("id", () => ID, { nullable: true, description: "The key's id." }) id: string | null | undefined,
    @Arg("name", () => String, { nullable: true, description: "The key's name, ignoring case." })
    name: string | null | undefined,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<Key | null> {
    if (id != null && name == null) return services.keys.items.byId(caller, id);
    if (name != null && id == null) return services.keys.items.byName(caller, name);
    throw badUserInput("key needs exactly one of id and name");
  }

  @FieldResolver(() => [Usage], {
    description: "Experiences that reference this key (archived ones included, flagged).",
  })
  usages(@Root() key: Key, @Ctx() { loaders }: RequestContext): Promise<Usage[]> {
    return loaders.keyUsages.load(key.id);
  }

  @Authorized(Can.edit)
  @Mutation(() => KeyPayload, {
    description: "A new active key; LIMIT_REACHED when the project has 500 active keys.",
  })
  async createKey(
    @Arg("input", { description: "What to create." }) input: CreateKeyInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("key", await services.keys.create(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => KeyPayload, { description: "Changes the default value and/or the description." })
  async updateKey(
    @Arg("input", { description: "What to change." }) input: UpdateKeyInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("key", await services.keys.update(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => KeyPayload, {
    description: "Fails with IN_USE while an unarchived experience references the key.",
  })
  async archiveKey(
    @Arg("id", () => ID, { description: "The key's id." }) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("key", await services.keys.archive(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => KeyPayload, {
    description: "Fails with LIMIT_REACHED when the project already has 500 active keys.",
  })
  async unarchiveKey(
    @Arg("id", () => ID, { description: "The key's id." }) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("key", await services.keys.unarchive(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => BulkArchivePayload, {
    description:
      "1 to 100 ids, each judged alone: the keys that can be archived are, the others come back as userErrors.",
  })
  async archiveKeys(
    @Arg("ids", () => [ID], { description: "The keys to archive." }) ids: string[],
    @Ctx() { services, caller }: RequestContext,
  ): Promise<BulkArchivePayload> {
    return services.keys.archiveMany(caller, ids);
  }
}
