import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Can } from "../access/role";
import type { RequestContext } from "../graphql/context";
import { payload } from "../graphql/payload";
import { Settings } from "./settings.entity";
import { SettingsPayload, UpdateSettingsInput } from "./settings.inputs";

@Resolver(() => Settings)
export class SettingsResolver {
  @Authorized(Can.read)
  @Query(() => Settings)
  settings(@Ctx() { services, caller }: RequestContext): Promise<Settings> {
    return services.settings.get(caller);
  }

  @Authorized(Can.edit)
  @Mutation(() => SettingsPayload)
  async updateSettings(@Arg("input") input: UpdateSettingsInput, @Ctx() { services, caller }: RequestContext) {
    return payload("settings", await services.settings.update(caller, input));
  }
}
