import { GraphQLJSON } from "graphql-scalars";
import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { Can } from "../access/role";
import type { RequestContext } from "../graphql/context";
import { EventInput } from "./tracking.inputs";
import { TrackPayload } from "./tracking.types";
@Resolver()
export class TrackingResolver {
  @Authorized(Can.track)
  @Mutation(() => TrackPayload, {
    description: "SDK role: record events (goal conversions, segment history). At most 1000 a call.",
  })
  trackEvents(
    @Arg("events", () => [EventInput], { description: "1 to 1,000 events, each judged alone." })
    events: EventInput[],
    @Ctx() { services, caller }: RequestContext,
  ): Promise<TrackPayload> {
    return services.tracking.trackEvents(caller, events);
  }

  @Authorized(Can.track)
  @Mutation(() => TrackPayload, {
    description: "SDK role: store or merge a user's profile properties; null removes one.",
  })
  async identify(
    @Arg("userId", { description: "The app's user id." }) userId: string,
    @Arg("properties", () => GraphQLJSON, {
      description: "A JSON object of at most 8 KiB; null values remove properties.",
    })
    properties: unknown,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<TrackPayload> {
    const result = await services.tracking.identify(caller, userId, properties);
    return result.ok
      ? { accepted: result.value, userErrors: [] }
      : { accepted: 0, userErrors: result.errors };
  }
}
