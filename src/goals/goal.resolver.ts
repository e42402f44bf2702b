import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Can } from "../access/role";
import { BulkArchivePayload } from "../graphql/bulk-archive.type";
import { connectionType, ListArgs, listRequest, toConnection } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { payload } from "../graphql/payload";
import { ExpectedVersionArg } from "../graphql/versions";
import { Usage } from "../usages/usage.type";
import { Goal } from "./goal.entity";
import { CreateGoalInput, GoalFilter, UpdateGoalInput } from "./goal.inputs";
import { GoalPayload } from "./goal.types";

const GoalConnection = connectionType("Goal", Goal);

@Resolver(() => Goal)
export class GoalResolver {
  @Authorized(Can.read)
  @Query(() => GoalConnection, { description: "Active goals by default, oldest first." })
  async goals(
    @Arg("filter", () => GoalFilter, {
      nullable: true,
      description: "Which goals to list; null: the unarchived ones.",
    })
    filter: GoalFilter | null,
    @Args(() => ListArgs) page: ListArgs,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return toConnection(await services.goals.list(caller, filter ?? {}, listRequest(page)));
  }

  @Authorized(Can.read)
  @Query(() => Goal, { nullable: true, description: "A goal by id; null if the project has none with it." })
  goal(
    @Arg("id", () => ID, { description: "The goal's id." }) id: string,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<Goal | null> {
    return services.goals.items.byId(caller, id);
  }

  @FieldResolver(() => [Usage], {
    description: "A/B tests that use this goal (archived ones included, flagged).",
  })
  usages(@Root() goal: Goal, @Ctx() { loaders }: RequestContext): Promise<Usage[]> {
    return loaders.goalUsages.load(goal.id);
  }

  @Authorized(Can.edit)
  @Mutation(() => GoalPayload, { description: "A new active goal." })
  async createGoal(
    @Arg("input", { description: "What to create." }) input: CreateGoalInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("goal", await services.goals.create(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => GoalPayload, {
    description: "Changes a goal; its events freeze once an experience using it has run.",
  })
  async updateGoal(
    @Arg("input", { description: "What to change." }) input: UpdateGoalInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("goal", await services.goals.update(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => GoalPayload, {
    description: "Fails with IN_USE while an unarchived A/B test uses the goal.",
  })
  async archiveGoal(
    @Arg("id", () => ID, { description: "The goal's id." }) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("goal", await services.goals.archive(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => GoalPayload, { description: "Makes an archived goal active again." })
  async unarchiveGoal(
    @Arg("id", () => ID, { description: "The goal's id." }) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("goal", await services.goals.unarchive(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => BulkArchivePayload, {
    description:
      "1 to 100 ids, each judged alone: the goals that can be archived are, the others come back as userErrors.",
  })
  async archiveGoals(
    @Arg("ids", () => [ID], { description: "The goals to archive." }) ids: string[],
    @Ctx() { services, caller }: RequestContext,
  ): Promise<BulkArchivePayload> {
    return services.goals.archiveMany(caller, ids);
  }
}
