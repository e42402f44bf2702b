import { GraphQLJSON } from "graphql-scalars";
import { Field, InputType } from "type-graphql";

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
