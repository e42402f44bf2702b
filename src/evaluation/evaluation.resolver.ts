import { Arg, Authorized, Ctx, Query, Resolver } from "type-graphql";
import { Can } from "../access/role";
import type { RequestContext } from "../graphql/context";
import { Evaluation, UserContextInput } from "./evaluation.types";

@Resolver()
export class EvaluationResolver {
  @Authorized(Can.evaluate)
  @Query(() => Evaluation, {
    description: "What a user gets now: every active key's value, and the user's A/B test variants.",
  })
  evaluate(
    @Arg("user", () => UserContextInput, {
      description: "Who: their id, and properties for this evaluation.",
    })
    user: UserContextInput,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<Evaluation> {
    return services.evaluation.evaluate(caller, user);
  }
}
