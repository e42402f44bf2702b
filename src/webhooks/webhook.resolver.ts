import { GraphQLJSON } from "graphql-scalars";
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Can } from "../access/role";
import { PageArgs, pageRequest, toConnection } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { payload } from "../graphql/payload";
import { WebhookAttempt } from "./webhook-attempt.entity";
import { WebhookDelivery } from "./webhook-delivery.entity";
import { CreateWebhookInput, UpdateWebhookInput } from "./webhook.inputs";
import { WebhookDeliveryConnection, WebhookDeliveryPayload, WebhookPayload } from "./webhook.types";
import { Webhook } from "./webhook.entity";

@Resolver(() => Webhook)
export class WebhookResolver {
  @Authorized(Can.administer)
  @Query(() => [Webhook], { description: "ADMIN only. Oldest first." })
  webhooks(@Ctx() { services, caller }: RequestContext): Promise<Webhook[]> {
    return services.webhooks.webhooks(caller);
  }

  @Authorized(Can.administer)
  @Mutation(() => WebhookPayload, { description: "ADMIN only." })
  async createWebhook(
    @Arg("input", { description: "Where to, and which event types." }) input: CreateWebhookInput,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<WebhookPayload> {
    const result = await services.webhooks.create(caller, input);
    return result.ok
      ? { webhook: result.value.webhook, secret: result.value.secret, userErrors: [] }
      : { webhook: null, secret: null, userErrors: result.errors };
  }

  @Authorized(Can.administer)
  @Mutation(() => WebhookPayload, { description: "ADMIN only." })
  async updateWebhook(
    @Arg("input", { description: "The webhook and what changes." }) input: UpdateWebhookInput,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<WebhookPayload> {
    return { ...payload("webhook", await services.webhooks.update(caller, input)), secret: null };
  }

  @Authorized(Can.administer)
  @Mutation(() => WebhookPayload, { description: "ADMIN only. Its pending deliveries are dropped." })
  async deleteWebhook(
    @Arg("id", () => ID, { description: "The webhook's id." }) id: string,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<WebhookPayload> {
    return { ...payload("webhook", await services.webhooks.delete(caller, id)), secret: null };
  }

  @Authorized(Can.administer)
  @Mutation(() => WebhookDeliveryPayload, {
    description:
      "ADMIN only: a new delivery of the same message (same payload and messageId), attempted now.",
  })
  async redeliverWebhook(
    @Arg("deliveryId", () => ID, { description: "The delivery to send again." }) deliveryId: string,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<WebhookDeliveryPayload> {
    return payload("delivery", await services.webhooks.redeliver(caller, deliveryId));
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: "Newest first." })
  async deliveries(
    @Root() webhook: Webhook,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() { loaders }: RequestContext,
  ) {
    return toConnection(await loaders.webhookDeliveries(pageRequest(page)).load(webhook.id));
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => GraphQLJSON, { description: "The JSON body sent." })
  payload(@Root() delivery: WebhookDelivery): unknown {
    return JSON.parse(delivery.body);
  }

  @FieldResolver(() => [WebhookAttempt], {
    description: "Every attempt so far, oldest first, with its outcome.",
  })
  attemptHistory(
    @Root() delivery: WebhookDelivery,
    @Ctx() { loaders }: RequestContext,
  ): Promise<WebhookAttempt[]> {
    return loaders.deliveryAttempts.load(delivery.id);
  }
}
