import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

/**
 * Webhooks (RULES.md "Webhooks"): the addresses and what they follow, their deliveries (the outbox
 * a change writes in its own transaction, with the lease a server process holds while attempting
 * one) and every attempt's outcome.
 */
export class Webhooks1765300000000 implements MigrationInterface {
  name = "Webhooks1765300000000";

  async up(db: QueryRunner): Promise<void> {
    await db.createTable(
      new Table({
        name: "webhook",
        columns: [
          column.id(),
          column.ref("project_id"),
          column.varchar("url", 2048),
          column.text("description", true),
          column.text("events"),
          column.boolean("active"),
          column.varchar("signing_secret", 64),
          column.instant("created_at"),
          column.instant("updated_at"),
        ],
        indices: [new TableIndex({ name: "IDX_webhook_project", columnNames: ["project_id"] })],
      }),
    );
    await db.createTable(
      new Table({
        name: "webhook_delivery",
        columns: [
          column.id(),
          column.ref("project_id"),
          column.ref("webhook_id"),
          column.varchar("message_id", 64),
          column.varchar("type", 64),
          column.text("body"),
          column.varchar("status", 16),
          column.integer("attempts"),
          column.instant("created_at"),
          column.instant("last_attempt_at", true),
          { name: "last_response_status", type: "integer", isNullable: true },
          column.text("last_error", true),
          column.instant("next_attempt_at", true),
          column.instant("lease_until", true),
          column.ref("lease_token", true),
        ],
        indices: [
          new TableIndex({ name: "IDX_webhook_delivery_due", columnNames: ["status", "next_attempt_at"] }),
          new TableIndex({ name: "IDX_webhook_delivery_webhook", columnNames: ["webhook_id", "id"] }),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "webhook_attempt",
        columns: [
          { ...column.ref("delivery_id"), isPrimary: true },
          { ...column.integer("number"), isPrimary: true },
          column.ref("project_id"),
          column.instant("at"),
          column.integer("duration_ms"),
          { name: "response_status", type: "integer", isNullable: true },
          column.text("error", true),
          column.boolean("succeeded"),
        ],
      }),
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.dropTable("webhook_attempt");
    await db.dropTable("webhook_delivery");
    await db.dropTable("webhook");
  }
}
