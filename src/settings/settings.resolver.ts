import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Can } from "../access/role";
import type { RequestContext } from "../graphql/context";
import { payload } from "../graphql/payload";
import { Settings } from "./settings.entity";
import { UpdateSettingsInput } from "./settings.inputs";
import { SettingsPayload } from "./settings.types";

@Resolver(() => Settings)
export class SettingsResolver {
  @Authorized(Can.read)
  @Query(() => Settings, { description: "The project's settings." })
  settings(@Ctx() { services, caller }: RequestContext): Promise<Settings> {
    return services.settings.get(caller);
  }

  @Authorized(Can.edit)
  @Mutation(() => SettingsPayload, {
    description: "Changes the project's settings; existing A/B tests keep their exclusivity.",
  })
  async updateSettings(
    @Arg("input", { description: "What to change." }) input: UpdateSettingsInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("settings", await services.settings.update(caller, input));
  }
}
