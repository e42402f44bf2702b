import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { InstantColumn } from "../db/columns";

@ObjectType({ description: "One attempt of a delivery: when, how long, and what came back." })
@Entity("webhook_attempt")
export class WebhookAttempt {
  @PrimaryColumn({ type: "varchar", length: 36 })
  deliveryId!: string;

  @Field(() => Int, { description: "1 for the first attempt, 2 for the first retry, ..." })
  @PrimaryColumn({ type: "integer" })
  number!: number;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Field({ description: "When it was sent." })
  @InstantColumn()
  at!: Date;

  @Field(() => Int, { description: "Milliseconds from sending to the answer (or to giving up)." })
  @Column({ type: "integer" })
  durationMs!: number;

  @Field(() => Int, { nullable: true, description: "The answer's HTTP status; null when none came." })
  @Column({ type: "integer", nullable: true })
  responseStatus!: number | null;

  @Field(() => String, { nullable: true, description: "Why it failed; null when it succeeded." })
  @Column({ type: "text", nullable: true })
  error!: string | null;

  @Field({ description: "Whether a 2xx came back in time." })
  @Column({ type: "boolean" })
  succeeded!: boolean;
}
