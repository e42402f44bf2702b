import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

/** Product configs, feature flags and A/B tests, and the tables through which they reference setup. */
export class Experiences1764400000000 implements MigrationInterface {
  name = "Experiences1764400000000";

  async up(db: QueryRunner): Promise<void> {
    await db.createTable(
      new Table({
        name: "experience",
        columns: [
          column.id(),
          column.ref("project_id"),
          column.varchar("kind", 16),
          column.varchar("name", 200),
          column.varchar("name_key", 200),
          column.text("search_text"),
          column.text("description", true),
          column.varchar("status", 8),
          column.ref("segment_id", true),
          { name: "priority", type: "integer", isNullable: true },
          column.double("rollout_percentage", true),
          column.double("traffic_percentage", true),
          { name: "mutually_exclusive", type: "boolean", isNullable: true },
          column.ref("primary_goal_id", true),
          column.instant("started_at", true),
          column.instant("stopped_at", true),
          column.instant("archived_at", true),
          column.instant("created_at"),
          column.instant("updated_at"),
        ],
        indices: [
          new TableIndex({
            name: "IDX_experience_name",
            columnNames: ["project_id", "kind", "name_key"],
            isUnique: true,
          }),
          new TableIndex({ name: "IDX_experience_segment", columnNames: ["segment_id"] }),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "variant",
        columns: [
          column.id(),
          column.ref("project_id"),
          column.ref("experience_id"),
          column.varchar("name", 200),
          column.double("weight"),
          column.boolean("is_control"),
          column.integer("position"),
        ],
        indices: [new TableIndex({ name: "IDX_variant_experience", columnNames: ["experience_id"] })],
      }),
    );
    await db.createTable(
      new Table({
        name: "experience_value",
        columns: [
          column.id(),
          column.ref("project_id"),
          column.ref("experience_id"),
          column.ref("variant_id", true),
          column.ref("key_id"),
          column.text("value"),
          column.integer("position"),
        ],
        indices: [
          new TableIndex({ name: "IDX_experience_value_key", columnNames: ["key_id"] }),
          new TableIndex({ name: "IDX_experience_value_experience", columnNames: ["experience_id"] }),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "experience_goal",
        columns: [
          { ...column.ref("experience_id"), isPrimary: true },
          { ...column.ref("goal_id"), isPrimary: true },
          column.ref("project_id"),
          column.integer("position"),
        ],
        indices: [new TableIndex({ name: "IDX_experience_goal_goal", columnNames: ["goal_id"] })],
      }),
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ["experience_goal", "experience_value", "variant", "experience"])
      await db.dropTable(table);
  }
}
