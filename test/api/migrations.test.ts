import { DataSource } from "typeorm";
import { dataSourceOptions } from "../../ormconfig";
import { openDatabase } from "../../src/db/database";
import { freshDatabase } from "../helpers/database";

test("the migrations build exactly the schema the entities describe", async () => {
  const database = await freshDatabase();
  const source = new DataSource(dataSourceOptions(database.config));
  await source.initialize();
  try {
    await source.runMigrations({ transaction: "each" });
    const pending = await source.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  } finally {
    await source.destroy();
    await database.drop();
  }
});

test("a start on a migrated database applies nothing twice and keeps its data", async () => {
  const database = await freshDatabase();
  try {
    const first = await openDatabase(database.config);
    await first.transaction((tx) => tx.query("INSERT INTO project (id, name, config_version, created_at) VALUES ('p', 'kept', 0, 0)"));
    await first.close();
    const second = await openDatabase(database.config);
    expect(await second.reader.query("SELECT name FROM project")).toEqual([{ name: "kept" }]);
    await second.close();
  } finally {
    await database.drop();
  }
});
