import { Arg, Authorized, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Can } from "../access/role";
import type { Experience } from "../experiences/experience.entity";
import { ABTest } from "../experiences/experience.types";
import type { RequestContext } from "../graphql/context";
import { DAY_MS } from "./contributions";
import { ABTestResults, DailyResult } from "./results.types";

@Resolver(() => ABTest)
export class ResultsResolver {
  @Authorized(Can.read)
  @FieldResolver(() => ABTestResults, {
    description: "Results over all time, or over assignments and events in [from, to).",
  })
  async results(
    @Root() test: Experience,
    @Arg("from", () => Date, {
      nullable: true,
      description: "A UTC midnight: users who entered from then on.",
    })
    from: Date | null,
    @Arg("to", () => Date, { nullable: true, description: "A UTC midnight: users and events before then." })
    to: Date | null,
    @Ctx() { services }: RequestContext,
  ): Promise<ABTestResults> {
    const results = await services.results.resultsOf(test, { from, to });
    // Guardrails are checked after every results read too (RULES.md), not only by the scheduler.
    await services.guardrails.check(test);
    return results;
  }
}

@Resolver(() => ABTestResults)
export class DailyResultsResolver {
  @FieldResolver(() => [DailyResult], {
    description:
      "The same figures cumulated to the end of each UTC day of the test, oldest first, for charts.",
  })
  daily(@Root() results: ABTestResults): DailyResult[] {
    return results.series.days.map((day) => ({
      date: new Date(day * DAY_MS).toISOString().slice(0, 10),
      variants: results.series.figures(day),
    }));
  }
}
