import { Field, ID, InputType } from "type-graphql";

@InputType({ description: "A new webhook of the caller's project." })
export class CreateWebhookInput {
  @Field({ description: "Where to POST: http or https, not to a private network (RULES.md 'Webhooks')." })
  url!: string;

  @Field(() => [String], {
    description: "Event types, e.g. experience.started; '*' for all, 'experience.*' for a family.",
  })
  events!: string[];

  @Field(() => String, { nullable: true, description: "Free text for people, at most 1,000 characters." })
  description?: string | null;
}

@InputType({ description: "What changes in a webhook; absent or null keeps the value." })
export class UpdateWebhookInput {
  @Field(() => ID, { description: "The webhook's id." })
  id!: string;

  @Field(() => String, { nullable: true, description: "A new address." })
  url?: string | null;

  @Field(() => [String], { nullable: true, description: "The event types it follows from now on." })
  events?: string[] | null;

  @Field(() => String, { nullable: true, description: "Blank clears it." })
  description?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "false: no new deliveries, and pending ones wait; true: pending ones are attempted again.",
  })
  active?: boolean | null;
}
