import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { column, setupItemColumns } from "./columns";

/** Projects, tokens, the audit log, and the setup components: keys, segments, goals, settings. */
export class Foundation1764300000000 implements MigrationInterface {
  name = "Foundation1764300000000";

  async up(db: QueryRunner): Promise<void> {
    await db.createTable(
      new Table({
        name: "project",
        columns: [
          column.id(),
          column.varchar("name", 200),
          column.integer("config_version", 0),
          column.instant("created_at"),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "api_token",
        columns: [
          column.id(),
          column.ref("project_id"),
          column.varchar("name", 200),
          column.varchar("role", 16),
          column.varchar("secret_hash", 64),
          column.instant("created_at"),
          column.instant("last_used_at", true),
          column.instant("revoked_at", true),
        ],
        indices: [
          new TableIndex({ name: "IDX_api_token_project", columnNames: ["project_id"] }),
          new TableIndex({ name: "IDX_api_token_secret_hash", columnNames: ["secret_hash"], isUnique: true }),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "audit_event",
        columns: [
          column.id(),
          column.ref("project_id"),
          column.instant("at"),
          column.varchar("actor", 200),
          column.varchar("action", 64),
          column.varchar("entity_type", 32),
          column.ref("entity_id"),
          column.text("before", true),
          column.text("after", true),
        ],
        indices: [
          new TableIndex({ name: "IDX_audit_event_project", columnNames: ["project_id"] }),
          new TableIndex({ name: "IDX_audit_event_entity", columnNames: ["project_id", "entity_id"] }),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "key",
        columns: setupItemColumns(column.varchar("type", 8), column.text("default_value")),
        indices: [
          new TableIndex({ name: "IDX_key_name", columnNames: ["project_id", "name_key"], isUnique: true }),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "segment",
        columns: setupItemColumns(column.text("rule"), column.ref("cloned_from_id", true)),
        indices: [
          new TableIndex({
            name: "IDX_segment_name",
            columnNames: ["project_id", "name_key"],
            isUnique: true,
          }),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "goal",
        columns: setupItemColumns(column.text("events")),
        indices: [
          new TableIndex({ name: "IDX_goal_name", columnNames: ["project_id", "name_key"], isUnique: true }),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "settings",
        columns: [
          column.id("project_id"),
          column.boolean("mutually_exclusive_ab_tests"),
          column.instant("updated_at"),
        ],
      }),
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ["settings", "goal", "segment", "key", "audit_event", "api_token", "project"]) {
      await db.dropTable(table);
    }
  }
}
