import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { InstantColumn, JsonColumn } from "../db/columns";

/**
 * A tracked event. Segment conditions read one user's events by (user, name, time), counting them
 * from the index alone when no property filter applies, and results look up the test users' goal
 * events after their assignment: both through IDX_event_user (docs/EVENTS.md).
 */
@Entity("event")
@Index("IDX_event_client_id", ["projectId", "clientId"], { unique: true })
@Index("IDX_event_user", ["projectId", "userId", "name", "at"])
export class TrackedEvent {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  /** The client's id: a retry with the same id is not stored again. */
  @Column({ type: "varchar", length: 128, nullable: true })
  clientId!: string | null;

  @Column({ type: "varchar", length: 256 })
  userId!: string;

  @Column({ type: "varchar", length: 128 })
  name!: string;

  @JsonColumn()
  properties!: Record<string, unknown>;

  @InstantColumn()
  at!: Date;

  @InstantColumn()
  receivedAt!: Date;
}
