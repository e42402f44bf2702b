import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

/** Profiles, events, A/B test assignments and exclusive slots. */
export class Tracking1764500000000 implements MigrationInterface {
  name = "Tracking1764500000000";

  async up(db: QueryRunner): Promise<void> {
    const userId = (primary = false) => ({ ...column.varchar("user_id", 256), isPrimary: primary });
    await db.createTable(
      new Table({
        name: "profile",
        columns: [
          column.id("project_id"),
          userId(true),
          column.text("properties"),
          column.instant("updated_at"),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "event",
        columns: [
          column.id(),
          column.ref("project_id"),
          column.varchar("client_id", 128, true),
          userId(),
          column.varchar("name", 128),
          column.text("properties"),
          column.instant("at"),
          column.instant("received_at"),
        ],
        indices: [
          new TableIndex({
            name: "IDX_event_client_id",
            columnNames: ["project_id", "client_id"],
            isUnique: true,
          }),
          new TableIndex({ name: "IDX_event_user", columnNames: ["project_id", "user_id", "name", "at"] }),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "assignment",
        columns: [
          column.id("experience_id"),
          userId(true),
          column.ref("project_id"),
          column.ref("variant_id"),
          column.instant("assigned_at"),
        ],
        indices: [new TableIndex({ name: "IDX_assignment_user", columnNames: ["project_id", "user_id"] })],
      }),
    );
    await db.createTable(
      new Table({
        name: "exclusive_slot",
        columns: [
          column.id("project_id"),
          userId(true),
          column.ref("experience_id"),
          column.instant("assigned_at"),
        ],
        indices: [new TableIndex({ name: "IDX_exclusive_slot_experience", columnNames: ["experience_id"] })],
      }),
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ["exclusive_slot", "assignment", "event", "profile"]) await db.dropTable(table);
  }
}
