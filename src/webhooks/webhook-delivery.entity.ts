import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn } from "../db/columns";
import { Describe } from "../graphql/descriptions";

export enum DeliveryStatus {
  PENDING = "PENDING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
}

registerEnumType(DeliveryStatus, {
  name: "DeliveryStatus",
  description: "Where a delivery stands.",
  valuesConfig: {
    PENDING: { description: "Not yet answered with a 2xx: an attempt is due, under way or scheduled." },
    SUCCEEDED: { description: "An attempt was answered with a 2xx." },
    FAILED: { description: "Every attempt of the retry schedule failed." },
  },
});

/**
 * One message for one webhook: stored in the transaction of the change it tells of (the outbox),
 * then attempted by a server process until a 2xx answer or the end of the retry schedule.
 */
@ObjectType({ description: "One message to one webhook, and how its attempts went." })
@Entity("webhook_delivery")
@Index("IDX_webhook_delivery_due", ["status", "nextAttemptAt"])
@Index("IDX_webhook_delivery_webhook", ["webhookId", "id"])
export class WebhookDelivery {
  @Field(() => ID, { description: Describe.id })
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "varchar", length: 36 })
  webhookId!: string;

  @Field({ description: "The webhook-id header: the same on every attempt of this delivery." })
  @Column({ type: "varchar", length: 64 })
  messageId!: string;

  @Field({ description: "The event type, e.g. experience.started." })
  @Column({ type: "varchar", length: 64 })
  type!: string;

  /** The JSON body, as sent on every attempt (the signature covers these exact bytes). */
  @Column({ type: "text" })
  body!: string;

  @Field(() => DeliveryStatus, { description: "Where it stands." })
  @Column({ type: "varchar", length: 16 })
  status!: DeliveryStatus;

  @Field(() => Int, { description: "Attempts made so far." })
  @Column({ type: "integer" })
  attempts!: number;

  @Field({ description: "When the change it tells of committed (a redelivery: when it was asked for)." })
  @InstantColumn()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: "When the last attempt was made." })
  @InstantColumn({ nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: "HTTP status of the last attempt; null when it got no answer.",
  })
  @Column({ type: "integer", nullable: true })
  lastResponseStatus!: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Why the last attempt failed (timeout, refused, status), if it did.",
  })
  @Column({ type: "text", nullable: true })
  lastError!: string | null;

  @Field(() => Date, {
    nullable: true,
    description: "When the next attempt is due while PENDING; null otherwise.",
  })
  @InstantColumn({ nullable: true })
  nextAttemptAt!: Date | null;

  /** Until when a server process holds it for an attempt (webhook-dispatcher.ts); null: nobody. */
  @InstantColumn({ nullable: true })
  leaseUntil!: Date | null;

  /** Which claim holds the lease: an attempt's outcome is recorded only by the claim that made it. */
  @Column({ type: "varchar", length: 36, nullable: true })
  leaseToken!: string | null;
}
