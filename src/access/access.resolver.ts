import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../graphql/context";
import { payload } from "../graphql/payload";
import { CreateApiTokenInput } from "./access.inputs";
import { ApiTokenPayload, CreateProjectPayload, Viewer } from "./access.types";
import { ApiToken } from "./api-token.entity";
import { Project } from "./project.entity";
import { Can } from "./role";

@Resolver()
export class AccessResolver {
  @Authorized(Can.any)
  @Query(() => Viewer, { description: "Who is asking: every role may ask." })
  async viewer(@Ctx() { services, caller }: RequestContext): Promise<Viewer> {
    return {
      project: await services.projects.project(caller),
      role: caller.role,
      tokenName: caller.tokenName,
    };
  }

  @Authorized(Can.administer)
  @Query(() => [ApiToken], { description: "ADMIN only. Revoked tokens included, oldest first." })
  apiTokens(@Ctx() { services, caller }: RequestContext): Promise<ApiToken[]> {
    return services.tokens.tokens(caller);
  }

  @Authorized(Can.administer)
  @Query(() => [Project], {
    description:
      "ADMIN only: the token's project and the projects it made with createProject (and they made), oldest first. Each is used with its own tokens.",
  })
  projects(@Ctx() { services, caller }: RequestContext): Promise<Project[]> {
    return services.projects.reachable(caller);
  }

  @Authorized(Can.administer)
  @Mutation(() => CreateProjectPayload, {
    description: "ADMIN only: a new, empty project, reachable only with the secret returned.",
  })
  async createProject(
    @Arg("name", { description: "The new project's name." }) name: string,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<CreateProjectPayload> {
    const result = await services.projects.createProject(caller, name);
    return result.ok
      ? { project: result.value.project, adminSecret: result.value.adminSecret, userErrors: [] }
      : { project: null, adminSecret: null, userErrors: result.errors };
  }

  @Authorized(Can.administer)
  @Mutation(() => ApiTokenPayload, { description: "ADMIN only." })
  async createApiToken(
    @Arg("input", { description: "The token's name and role." }) input: CreateApiTokenInput,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<ApiTokenPayload> {
    const result = await services.tokens.createToken(caller, input);
    return result.ok
      ? { token: result.value.token, secret: result.value.secret, userErrors: [] }
      : { token: null, secret: null, userErrors: result.errors };
  }

  @Authorized(Can.administer)
  @Mutation(() => ApiTokenPayload, {
    description: "ADMIN only. A revoked token is refused from the next request on.",
  })
  async revokeApiToken(
    @Arg("id", () => ID, { description: "The token's id." }) id: string,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<ApiTokenPayload> {
    return { ...payload("token", await services.tokens.revokeToken(caller, id)), secret: null };
  }
}
