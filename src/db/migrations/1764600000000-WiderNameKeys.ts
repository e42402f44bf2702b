import { TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

const TABLES = ["key", "segment", "goal", "experience"];

/**
 * name_key holds the lower-cased name, which can be longer than the name: "İ" lower-cases to two
 * code points, so a 200-character name of them needed 400 and overflowed on PostgreSQL.
 *
 * On PostgreSQL a plain ALTER keeps the rows and the unique indexes: TypeORM's changeColumn drops
 * and re-adds a column whose length changes, which would lose both. On SQLite, changeColumn
 * rebuilds the table and copies its rows.
 */
export class WiderNameKeys1764600000000 implements MigrationInterface {
  name = "WiderNameKeys1764600000000";

  async up(db: QueryRunner): Promise<void> {
    for (const table of TABLES) await widen(db, table, 400);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of TABLES) await widen(db, table, 200);
  }
}

async function widen(db: QueryRunner, table: string, length: number): Promise<void> {
  if (db.connection.driver.options.type === "postgres") {
    await db.query(`ALTER TABLE "${table}" ALTER COLUMN "name_key" TYPE varchar(${length})`);
  } else {
    await db.changeColumn(table, "name_key", new TableColumn(column.varchar("name_key", length)));
  }
}
