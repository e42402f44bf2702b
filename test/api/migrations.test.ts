import { DataSource } from "typeorm";
import { dataSourceOptions } from "../../src/db/data-source-options";
import { openDatabase } from "../../src/db/database";
import { migrations } from "../../src/db/migrations";
import { freshDatabase, testEngine } from "../helpers/database";

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
    await first.transaction((tx) =>
      tx.query("INSERT INTO project (id, name, config_version, created_at) VALUES ('p', 'kept', 0, 0)"),
    );
    await first.close();
    const second = await openDatabase(database.config);
    expect(await second.reader.query("SELECT name FROM project")).toEqual([{ name: "kept" }]);
    await second.close();
  } finally {
    await database.drop();
  }
});

test("upgrading a database that holds data keeps its rows and its unique names (name_key widened)", async () => {
  const database = await freshDatabase();
  const source = new DataSource({
    ...dataSourceOptions(database.config),
    migrations: migrations.slice(0, 3),
  });
  await source.initialize();
  try {
    await source.runMigrations({ transaction: "each" });
    await source.query(
      "INSERT INTO project (id, name, config_version, created_at) VALUES ('p', 'kept', 0, 0)",
    );
    await source.query(
      `INSERT INTO key (id, project_id, name, name_key, search_text, description, type, default_value, archived_at, created_at, updated_at)
       VALUES ('k', 'p', 'Dark_Mode', 'dark_mode', 'dark_mode', NULL, 'NUMBER', '3', NULL, 0, 0)`,
    );
    await source.destroy();
    const upgraded = await openDatabase(database.config);
    try {
      expect(await upgraded.reader.query("SELECT name, name_key FROM key")).toEqual([
        { name: "Dark_Mode", name_key: "dark_mode" },
      ]);
      const long = "i̇".repeat(200);
      await upgraded.transaction((tx) =>
        tx.query(
          `INSERT INTO key (id, project_id, name, name_key, search_text, description, type, default_value, archived_at, created_at, updated_at)
           VALUES ('k2', 'p', 'x', '${long}', 'x', NULL, 'NUMBER', '3', NULL, 0, 0)`,
        ),
      );
      await expect(
        upgraded.transaction((tx) =>
          tx.query(
            `INSERT INTO key (id, project_id, name, name_key, search_text, description, type, default_value, archived_at, created_at, updated_at)
             VALUES ('k3', 'p', 'DARK_MODE', 'dark_mode', 'x', NULL, 'NUMBER', '3', NULL, 0, 0)`,
          ),
        ),
      ).rejects.toThrow(/unique|UNIQUE/);
    } finally {
      await upgraded.close();
    }
  } finally {
    if (source.isInitialized) await source.destroy();
    await database.drop();
  }
});

const onPostgres = testEngine() === "postgres" ? test : test.skip;

onPostgres(
  "servers opening one fresh PostgreSQL at the same moment migrate it once, one after the other",
  async () => {
    const database = await freshDatabase();
    try {
      const opened = await Promise.all([
        openDatabase(database.config),
        openDatabase(database.config),
        openDatabase(database.config),
      ]);
      const applied = await database.query<{ name: string }>("SELECT name FROM migrations ORDER BY id");
      expect(applied.map((row) => row.name)).toEqual(migrations.map((migration) => new migration().name));

      // Exclusive sections of different processes never overlap.
      const spans: [number, number][] = [];
      await Promise.all(
        opened.flatMap((db) =>
          [1, 2].map(() =>
            db.exclusively(async () => {
              const start = Date.now();
              await new Promise((resolve) => setTimeout(resolve, 40));
              spans.push([start, Date.now()]);
            }),
          ),
        ),
      );
      spans.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
      await Promise.all(opened.map((db) => db.close()));
    } finally {
      await database.drop();
    }
  },
);
