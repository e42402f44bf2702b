import { Table, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

/**
 * One row that /healthz rewrites to learn whether writes commit (src/db/write-probe.ts): a table of
 * its own, so the probe touches nothing a request reads or locks.
 */
export class WriteProbe1765100000000 implements MigrationInterface {
  name = "WriteProbe1765100000000";

  async up(db: QueryRunner): Promise<void> {
    await db.createTable(
      new Table({
        name: "write_probe",
        columns: [{ ...column.integer("id"), isPrimary: true }, column.instant("probed_at")],
      }),
    );
    await db.query("INSERT INTO write_probe (id, probed_at) VALUES (1, 0)");
  }

  async down(db: QueryRunner): Promise<void> {
    await db.dropTable("write_probe");
  }
}
