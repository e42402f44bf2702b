import { GraphQLJSON } from "graphql-scalars";
import { Arg, Authorized, Ctx, Field, InputType, Int, Mutation, ObjectType, Resolver } from "type-graphql";
import { Can } from "../access/role";
import type { RequestContext } from "../graphql/context";
import { UserError } from "../graphql/user-error.type";

@InputType({ description: "Something a user did, as an app reports it." })
export class EventInput {
  @Field(() => String, {
    nullable: true,
    description:
      "Client-made event id: an event whose id was already stored is not stored again, so retries are safe.",
  })
  id?: string | null;

  @Field({ description: "The app's user id, 1 to 256 characters." })
  userId!: string;

  @Field({ description: "The event's name, 1 to 128 characters, e.g. Charged." })
  name!: string;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: "A JSON object of at most 8 KiB; segment conditions filter on it.",
  })
  properties?: unknown;

  @Field(() => Date, {
    nullable: true,
    description: "Defaults to the time the server receives it; at most 24 hours ahead.",
  })
  timestamp?: Date | null;
}

@ObjectType({ description: "What trackEvents and identify answer." })
export class TrackPayload {
  @Field(() => Int, { description: "Events accepted: stored now, or already stored under the same id." })
  accepted!: number;

  @Field(() => [UserError], {
    description: 'One per bad event, its index in the path: ["events", "3", "name"].',
  })
  userErrors!: UserError[];
}

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
