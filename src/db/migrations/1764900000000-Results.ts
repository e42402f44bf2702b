import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

/**
 * Results that see exposure, goal filters and values, kept in rollups (src/results/rollup.entities.ts).
 * Goals get their event filters and value property; assignments the time their user entered the
 * results (the assignment, or the first exposure); tests a flag saying their rollups are built.
 * Existing tests are not built: the first read of their results builds them from the raw rows.
 */
export class Results1764900000000 implements MigrationInterface {
  name = "Results1764900000000";

  async up(db: QueryRunner): Promise<void> {
    await db.addColumns("goal", [
      new TableColumn({ name: "filters", type: "text", default: "'[]'" }),
      new TableColumn(column.varchar("value_property", 128, true)),
    ]);
    await db.addColumn("assignment", new TableColumn(column.instant("entered_at", true)));
    // The entity's `default: false`, as each engine's schema builder writes it.
    const no = db.connection.driver.options.type === "postgres" ? false : 0;
    await db.addColumn(
      "experience",
      new TableColumn({ name: "rollups_built", type: "boolean", default: no }),
    );
    // New tests start built (nothing to count); a draft has no assignments.
    await db.query("UPDATE experience SET rollups_built = TRUE WHERE status = 'DRAFT'");
    await db.createTable(
      new Table({
        name: "rollup_users",
        columns: [
          { ...column.ref("experience_id"), isPrimary: true },
          { ...column.ref("variant_id"), isPrimary: true },
          { ...column.integer("entry_day"), isPrimary: true },
          column.integer("users"),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "rollup_goals",
        columns: [
          { ...column.ref("experience_id"), isPrimary: true },
          { ...column.ref("variant_id"), isPrimary: true },
          { ...column.ref("goal_id"), isPrimary: true },
          { ...column.integer("entry_day"), isPrimary: true },
          { ...column.integer("event_day"), isPrimary: true },
          column.integer("converters"),
          column.integer("occurrences"),
          column.double("value_sum"),
          column.double("value_sum_of_squares"),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "rollup_user_goal_day",
        columns: [
          { ...column.ref("experience_id"), isPrimary: true },
          { ...column.varchar("user_id", 256), isPrimary: true },
          { ...column.ref("goal_id"), isPrimary: true },
          { ...column.integer("day"), isPrimary: true },
          column.integer("occurrences"),
          column.double("value_sum"),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "future_event",
        columns: [
          column.id("event_id"),
          column.ref("project_id"),
          column.varchar("user_id", 256),
          column.instant("at"),
        ],
        indices: [
          new TableIndex({ name: "IDX_future_event_user", columnNames: ["project_id", "user_id", "at"] }),
          new TableIndex({ name: "IDX_future_event_at", columnNames: ["project_id", "at"] }),
        ],
      }),
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ["future_event", "rollup_user_goal_day", "rollup_goals", "rollup_users"]) {
      await db.dropTable(table);
    }
    await db.dropColumn("experience", "rollups_built");
    await db.dropColumn("assignment", "entered_at");
    await db.dropColumn("goal", "value_property");
    await db.dropColumn("goal", "filters");
  }
}
