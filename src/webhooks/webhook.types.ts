import { Field, ObjectType } from "type-graphql";
import { connectionType } from "../graphql/connection";
import { Describe } from "../graphql/descriptions";
import { UserError } from "../graphql/user-error.type";
import { WebhookDelivery } from "./webhook-delivery.entity";
import { Webhook } from "./webhook.entity";

export const WebhookDeliveryConnection = connectionType("WebhookDelivery", WebhookDelivery);

@ObjectType({ description: "What a mutation of a webhook answers." })
export class WebhookPayload {
  @Field(() => Webhook, {
    nullable: true,
    description: "The webhook after the change; null when it was not done.",
  })
  webhook!: Webhook | null;

  @Field(() => String, {
    nullable: true,
    description: "The signing secret (whsec_ + base64); returned once, on creation.",
  })
  secret!: string | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}

@ObjectType({ description: "What redeliverWebhook answers." })
export class WebhookDeliveryPayload {
  @Field(() => WebhookDelivery, {
    nullable: true,
    description: "The new delivery; null when it was not made.",
  })
  delivery!: WebhookDelivery | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}
