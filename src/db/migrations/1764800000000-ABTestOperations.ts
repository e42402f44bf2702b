import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

/**
 * A/B test operations: priority (the `priority` column product configs already have), sticky
 * target, exposure event, winner and roll-out; QA test users; and the key claims that keep tests
 * sharing a key from sharing a user. Existing tests get priority 0 and a sticky target (what they
 * did), and existing placements claim their keys, earliest first.
 */
export class ABTestOperations1764800000000 implements MigrationInterface {
  name = "ABTestOperations1764800000000";

  async up(db: QueryRunner): Promise<void> {
    await db.addColumns("experience", [
      new TableColumn({ name: "sticky_target", type: "boolean", isNullable: true }),
      new TableColumn(column.varchar("exposure_event", 128, true)),
      new TableColumn(column.ref("winner_variant_id", true)),
      new TableColumn(column.ref("rolled_out_variant_id", true)),
      new TableColumn(column.ref("rolled_out_to_id", true)),
    ]);
    await db.query("UPDATE experience SET priority = 0, sticky_target = TRUE WHERE kind = 'AB_TEST'");
    await db.createTable(
      new Table({
        name: "test_user",
        columns: [
          { ...column.ref("experience_id"), isPrimary: true },
          { ...column.varchar("user_id", 256), isPrimary: true },
          column.ref("project_id"),
          column.ref("variant_id"),
        ],
      }),
    );
    await db.createTable(
      new Table({
        name: "key_claim",
        columns: [
          { ...column.ref("project_id"), isPrimary: true },
          { ...column.varchar("user_id", 256), isPrimary: true },
          { ...column.ref("key_id"), isPrimary: true },
          column.ref("experience_id"),
        ],
        indices: [new TableIndex({ name: "IDX_key_claim_experience", columnNames: ["experience_id"] })],
      }),
    );
    // Placements made before claims existed claim their tests' keys now, the earliest first, so a
    // user who got into two tests sharing a key keeps the first one's claim.
    const ignore = db.connection.driver.options.type === "postgres" ? "" : " OR IGNORE";
    const onConflict = db.connection.driver.options.type === "postgres" ? " ON CONFLICT DO NOTHING" : "";
    await db.query(
      `INSERT${ignore} INTO key_claim (project_id, user_id, key_id, experience_id)
       SELECT a.project_id, a.user_id, v.key_id, a.experience_id
         FROM assignment a
         JOIN experience e ON e.id = a.experience_id AND e.status IN ('RUNNING', 'PAUSED') AND e.archived_at IS NULL
         JOIN experience_value v ON v.experience_id = a.experience_id AND v.variant_id IS NOT NULL
        ORDER BY a.assigned_at, a.experience_id${onConflict}`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.dropTable("key_claim");
    await db.dropTable("test_user");
    for (const name of [
      "rolled_out_to_id",
      "rolled_out_variant_id",
      "winner_variant_id",
      "exposure_event",
      "sticky_target",
    ]) {
      await db.dropColumn("experience", name);
    }
  }
}
