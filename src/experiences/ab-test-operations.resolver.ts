import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { Can } from "../access/role";
import type { RequestContext } from "../graphql/context";
import { payload } from "../graphql/payload";
import { ExpectedVersionArg } from "../graphql/versions";
import { Experience } from "./experience.entity";
import { TestUserInput } from "./experience.inputs";
import { ABTest, ExperiencePayload, ProductConfig } from "./experience.types";
import { TestUser } from "./test-user.entity";
import { Variant } from "./variant.entity";

const ID_ARG = { description: "The A/B test's id." };

/** QA test users, the winner and the roll-out of A/B tests: the mutations and what they show on a test. */
@Resolver(() => ABTest)
export class ABTestOperationsResolver {
  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, { description: "Replaces the test's QA users (at most 100)." })
  async setTestUsers(
    @Arg("id", () => ID, ID_ARG) id: string,
    @Arg("users", () => [TestUserInput], {
      description: "Each user id once, each pinned to a variant of the test.",
    })
    users: TestUserInput[],
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.abTests.setTestUsers(caller, id, users, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, {
    description: "Marks a variant as the winner (null clears); changes nothing else.",
  })
  async declareWinner(
    @Arg("id", () => ID, ID_ARG) id: string,
    @Arg("variantId", () => ID, {
      nullable: true,
      description: "A variant of the test; null clears the mark.",
    })
    variantId: string | null,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload(
      "experience",
      await services.abTests.declareWinner(caller, id, variantId, expectedVersion),
    );
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, {
    description:
      "Stops the test and gives its segment the variant's values through a new running product config.",
  })
  async rollOutVariant(
    @Arg("id", () => ID, ID_ARG) id: string,
    @Arg("variantId", () => ID, { description: "A variant of the test that sets keys (not the control)." })
    variantId: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload(
      "experience",
      await services.abTests.rollOutVariant(caller, id, variantId, expectedVersion),
    );
  }

  @FieldResolver(() => [TestUser])
  testUsers(@Root() test: Experience, @Ctx() { loaders }: RequestContext): Promise<TestUser[]> {
    return loaders.testUsers.load(test.id);
  }

  @FieldResolver(() => Variant, { nullable: true })
  winner(@Root() test: Experience, @Ctx() { loaders }: RequestContext): Promise<Variant | null> {
    return variantOf(loaders, test.id, test.winnerVariantId);
  }

  @FieldResolver(() => Variant, { nullable: true })
  rolledOutVariant(@Root() test: Experience, @Ctx() { loaders }: RequestContext): Promise<Variant | null> {
    return variantOf(loaders, test.id, test.rolledOutVariantId);
  }

  @FieldResolver(() => ProductConfig, { nullable: true })
  rolledOutTo(@Root() test: Experience, @Ctx() { loaders }: RequestContext): Promise<Experience | null> {
    return test.rolledOutToId ? loaders.experience.load(test.rolledOutToId) : Promise.resolve(null);
  }
}

@Resolver(() => TestUser)
export class TestUserResolver {
  @FieldResolver(() => Variant)
  async variant(@Root() pin: TestUser, @Ctx() { loaders }: RequestContext): Promise<Variant> {
    return (await variantOf(loaders, pin.experienceId, pin.variantId))!;
  }
}

async function variantOf(
  loaders: RequestContext["loaders"],
  testId: string,
  variantId: string | null,
): Promise<Variant | null> {
  if (variantId === null) return null;
  return (await loaders.variants.load(testId)).find((variant) => variant.id === variantId) ?? null;
}
