import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

/**
 * Results a team can watch every day (RULES.md "Analysis" and "Guardrails"): a goal's direction;
 * the project's default analysis and each A/B test's own; a test's guardrail goals, what a breach
 * does and the breach itself; and the rollups CUPED needs: per goal the sums of each user's
 * pre-period measure X, of X² and of X·Y, and per user the pre-period counts they come from.
 * Existing projects and tests get the default analysis; tests that ran are marked unbuilt, so the
 * first read of their results builds X from the raw events.
 */
export class Analysis1765200000000 implements MigrationInterface {
  name = "Analysis1765200000000";

  async up(db: QueryRunner): Promise<void> {
    // The entities' defaults, as each engine's schema builder writes them.
    const postgres = db.connection.driver.options.type === "postgres";
    const yes = postgres ? true : 1;
    // The defaults as of this migration (RULES.md), written out: a migration must not change later.
    const defaults =
      '{"confidenceLevel":0.95,"sequential":true,"sequentialTuning":5000,"cuped":true,"cupedPreDays":14,"correction":"HOLM"}';
    await db.addColumn("goal", new TableColumn({ name: "higher_is_better", type: "boolean", default: yes }));
    await db.addColumn("settings", new TableColumn(column.text("default_analysis", true)));
    await db.query(`UPDATE settings SET default_analysis = '${defaults}'`);
    await db.addColumns("experience", [
      new TableColumn(column.text("analysis", true)),
      new TableColumn(column.varchar("guardrail_action", 8, true)),
      new TableColumn(column.text("guardrail_breach", true)),
    ]);
    await db.query(
      `UPDATE experience SET analysis = '${defaults}', guardrail_action = 'NOTIFY' WHERE kind = 'AB_TEST'`,
    );
    await db.query(
      "UPDATE experience SET rollups_built = FALSE WHERE kind = 'AB_TEST' AND status <> 'DRAFT'",
    );
    await db.createTable(
      new Table({
        name: "experience_guardrail",
        columns: [
          { ...column.ref("experience_id"), isPrimary: true },
          { ...column.ref("goal_id"), isPrimary: true },
          column.ref("project_id"),
          column.integer("position"),
        ],
        indices: [new TableIndex({ name: "IDX_experience_guardrail_goal", columnNames: ["goal_id"] })],
      }),
    );
    for (const name of ["x_sum", "x_sum_of_squares", "xy_sum"])
      await db.addColumn("rollup_goals", new TableColumn({ name, type: "double precision", default: 0 }));
    await db.createTable(
      new Table({
        name: "rollup_user_goal_pre",
        columns: [
          { ...column.ref("experience_id"), isPrimary: true },
          { ...column.varchar("user_id", 256), isPrimary: true },
          { ...column.ref("goal_id"), isPrimary: true },
          column.integer("occurrences"),
          column.double("value_sum"),
        ],
      }),
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.dropTable("rollup_user_goal_pre");
    for (const name of ["xy_sum", "x_sum_of_squares", "x_sum"]) await db.dropColumn("rollup_goals", name);
    await db.dropTable("experience_guardrail");
    for (const name of ["guardrail_breach", "guardrail_action", "analysis"])
      await db.dropColumn("experience", name);
    await db.dropColumn("settings", "default_analysis");
    await db.dropColumn("goal", "higher_is_better");
  }
}
