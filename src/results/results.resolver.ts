import { Authorized, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Can } from "../access/role";
import type { Experience } from "../experiences/experience.entity";
import { ABTest } from "../experiences/experience.types";
import type { RequestContext } from "../graphql/context";
import { ABTestResults } from "./results.types";

@Resolver(() => ABTest)
export class ResultsResolver {
  @Authorized(Can.read)
  @FieldResolver(() => ABTestResults, {
    description: "Users, conversions and statistics per variant, live until the test stops.",
  })
  results(@Root() test: Experience, @Ctx() { services }: RequestContext): Promise<ABTestResults> {
    return services.results.resultsOf(test);
  }
}
