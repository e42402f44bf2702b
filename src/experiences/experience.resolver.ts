import { GraphQLJSON } from "graphql-scalars";
import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import { Can } from "../access/role";
import { Goal } from "../goals/goal.entity";
import { ListArgs, listRequest, PageArgs, pageRequest, toConnection } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { payload } from "../graphql/payload";
import { ExpectedVersionArg } from "../graphql/versions";
import { Key } from "../keys/key.entity";
import { Segment } from "../segments/segment.entity";
import { Experience } from "./experience.entity";
import {
  CreateABTestInput,
  CreateFeatureFlagInput,
  CreateProductConfigInput,
  ExperienceFilter,
  UpdateABTestInput,
  UpdateFeatureFlagInput,
  UpdateProductConfigInput,
} from "./experience.inputs";
import {
  ABTest,
  ExperienceConnection,
  ExperiencePayload,
  ExperienceVersionConnection,
  FeatureFlag,
  ProductConfig,
} from "./experience.types";
import { KeyValue } from "./key-value.entity";
import { Variant } from "./variant.entity";
import { GuardrailBreach } from "../results/analysis.types";

@Resolver(() => Experience)
export class ExperienceResolver {
  @Authorized(Can.read)
  @Query(() => ExperienceConnection, { description: "Unarchived experiences by default, oldest first." })
  async experiences(
    @Arg("filter", () => ExperienceFilter, {
      nullable: true,
      description: "Which experiences to list; null: the unarchived ones.",
    })
    filter: ExperienceFilter | null,
    @Args(() => ListArgs) page: ListArgs,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return toConnection(await services.experienceReads.list(caller, filter ?? {}, listRequest(page)));
  }

  @Authorized(Can.read)
  @Query(() => Experience, {
    nullable: true,
    description: "An experience by id; null if the project has none with it.",
  })
  experience(
    @Arg("id", () => ID, { description: "The experience's id." }) id: string,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<Experience | null> {
    return services.experienceReads.find(services.db.reader, caller.projectId, id);
  }

  @FieldResolver(() => Segment, { nullable: true, description: "Null: all users." })
  segment(@Root() experience: Experience, @Ctx() { loaders }: RequestContext) {
    return experience.segmentId ? loaders.segment.load(experience.segmentId) : null;
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, { description: "A new DRAFT product config." })
  async createProductConfig(
    @Arg("input", { description: "What to create." }) input: CreateProductConfigInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experiences.createProductConfig(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, { description: "A new DRAFT feature flag." })
  async createFeatureFlag(
    @Arg("input", { description: "What to create." }) input: CreateFeatureFlagInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experiences.createFeatureFlag(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, { description: "A new DRAFT A/B test." })
  async createABTest(
    @Arg("input", { description: "What to create." }) input: CreateABTestInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experiences.createABTest(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, { description: "Changes a product config: values only as a DRAFT." })
  async updateProductConfig(
    @Arg("input", { description: "What to change." }) input: UpdateProductConfigInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experiences.updateProductConfig(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, {
    description: "Changes a feature flag: value and rollout until it stops.",
  })
  async updateFeatureFlag(
    @Arg("input", { description: "What to change." }) input: UpdateFeatureFlagInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experiences.updateFeatureFlag(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, {
    description: "Changes an A/B test: traffic, variants and goals only as a DRAFT.",
  })
  async updateABTest(
    @Arg("input", { description: "What to change." }) input: UpdateABTestInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experiences.updateABTest(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, {
    description: "Makes the content of an earlier version current again, as a new version; the status stays.",
  })
  async revertExperience(
    @Arg("id", () => ID, { description: "The experience's id." }) id: string,
    @Arg("toVersion", () => Int, { description: "The version whose content to restore (see history)." })
    toVersion: number,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experiences.revert(caller, id, toVersion, expectedVersion));
  }

  @FieldResolver(() => ExperienceVersionConnection, {
    description: "Every version, newest first: who changed what, and the whole experience as it was.",
  })
  async history(
    @Root() experience: Experience,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() { loaders }: RequestContext,
  ) {
    return toConnection(await loaders.history(pageRequest(page)).load(experience.id));
  }
}

@Resolver(() => ProductConfig)
export class ProductConfigResolver {
  @FieldResolver(() => [KeyValue])
  values(@Root() config: Experience, @Ctx() { loaders }: RequestContext): Promise<KeyValue[]> {
    return loaders.experienceValues.load(config.id);
  }
}

@Resolver(() => FeatureFlag)
export class FeatureFlagResolver {
  @FieldResolver(() => Date, {
    nullable: true,
    description:
      "Since when the flag is stale: serving 100% of its segment unchanged, or stopped and not archived, for 14 days.",
  })
  staleSince(@Root() flag: Experience, @Ctx() { services }: RequestContext): Date | null {
    return services.experienceReads.staleSince(flag);
  }

  @FieldResolver(() => Key)
  async key(@Root() flag: Experience, @Ctx() { loaders }: RequestContext): Promise<Key> {
    const [value] = await loaders.experienceValues.load(flag.id);
    return (await loaders.key.load(value.keyId))!;
  }

  @FieldResolver(() => GraphQLJSON)
  async value(@Root() flag: Experience, @Ctx() { loaders }: RequestContext): Promise<unknown> {
    const [value] = await loaders.experienceValues.load(flag.id);
    return value.value;
  }
}

@Resolver(() => ABTest)
export class ABTestResolver {
  @FieldResolver(() => [Variant])
  variants(@Root() test: Experience, @Ctx() { loaders }: RequestContext): Promise<Variant[]> {
    return loaders.variants.load(test.id);
  }

  @FieldResolver(() => [Goal])
  goals(@Root() test: Experience, @Ctx() { loaders }: RequestContext): Promise<Goal[]> {
    return loaders.experienceGoals.load(test.id);
  }

  @FieldResolver(() => Goal)
  async primaryGoal(@Root() test: Experience, @Ctx() { loaders }: RequestContext): Promise<Goal> {
    return (await loaders.goal.load(test.primaryGoalId!))!;
  }

  @FieldResolver(() => [Goal])
  guardrailGoals(@Root() test: Experience, @Ctx() { loaders }: RequestContext): Promise<Goal[]> {
    return loaders.guardrailGoals.load(test.id);
  }

  @FieldResolver(() => GuardrailBreach, {
    nullable: true,
    description: "The first breach since the test last started; null while none.",
  })
  async guardrailBreach(
    @Root() test: Experience,
    @Ctx() { loaders }: RequestContext,
  ): Promise<GuardrailBreach | null> {
    const breach = test.guardrailBreach;
    if (!breach) return null;
    const [goal, variants] = await Promise.all([
      loaders.goal.load(breach.goalId),
      loaders.variants.load(test.id),
    ]);
    return {
      goal: goal!,
      variant: variants.find((variant) => variant.id === breach.variantId)!,
      at: new Date(breach.at),
      interval: breach.interval,
    };
  }
}

@Resolver(() => Variant)
export class VariantResolver {
  @FieldResolver(() => [KeyValue])
  values(@Root() variant: Variant, @Ctx() { loaders }: RequestContext): Promise<KeyValue[]> {
    return loaders.variantValues.load(variant.id);
  }
}

@Resolver(() => KeyValue)
export class KeyValueResolver {
  @FieldResolver(() => Key)
  async key(@Root() value: KeyValue, @Ctx() { loaders }: RequestContext): Promise<Key> {
    return (await loaders.key.load(value.keyId))!;
  }
}
