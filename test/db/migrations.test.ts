import { DataSource } from "typeorm";
import { dataSourceOptions } from "../../src/db/data-source-options";
import { openDatabase } from "../../src/db/database";
import { migrations } from "../../src/db/migrations";
import { freshDatabase } from "../helpers/database";
import { onPostgresOnly } from "../helpers/skips";

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

test("upgrading gives every existing experience a version 1 in its history, holding what it was", async () => {
  const database = await freshDatabase();
  const source = new DataSource({
    ...dataSourceOptions(database.config),
    migrations: migrations.slice(0, 4),
  });
  await source.initialize();
  try {
    await source.runMigrations({ transaction: "each" });
    const p = (n: number) => (database.config.engine === "postgres" ? `$${n}` : "?");
    await source.query(
      "INSERT INTO project (id, name, config_version, created_at) VALUES ('p', 'kept', 0, 0)",
    );
    await source.query(
      `INSERT INTO experience (id, project_id, kind, name, name_key, search_text, description, status, segment_id, priority,
         rollout_percentage, traffic_percentage, mutually_exclusive, primary_goal_id, started_at, stopped_at, archived_at, created_at, updated_at)
       VALUES (${[...Array(19).keys()].map((i) => p(i + 1)).join(", ")})`,
      [
        "01900000-0000-7000-8000-000000000001",
        "p",
        "FEATURE_FLAG",
        "Old flag",
        "old flag",
        "old flag",
        null,
        "RUNNING",
        null,
        null,
        40,
        null,
        null,
        null,
        5,
        null,
        null,
        1,
        7,
      ],
    );
    await source.query(
      `INSERT INTO experience_value (id, project_id, experience_id, variant_id, key_id, value, position) VALUES (${[...Array(7).keys()].map((i) => p(i + 1)).join(", ")})`,
      [
        "01900000-0000-7000-8000-000000000002",
        "p",
        "01900000-0000-7000-8000-000000000001",
        null,
        "k",
        "true",
        0,
      ],
    );
    await source.destroy();
    const upgraded = await openDatabase(database.config);
    try {
      const [first] = await upgraded.reader.query(
        "SELECT version, actor, action, status, snapshot, at FROM experience_version",
      );
      expect({ ...first, snapshot: JSON.parse(first.snapshot), at: Number(first.at) }).toEqual({
        version: 1,
        actor: "migration",
        action: "migrate",
        status: "RUNNING",
        at: 7,
        snapshot: {
          name: "Old flag",
          description: null,
          segmentId: null,
          rolloutPercentage: 40,
          keyId: "k",
          value: true,
          status: "RUNNING",
          archived: false,
        },
      });
      expect(await upgraded.reader.query("SELECT version FROM experience")).toEqual([{ version: 1 }]);
    } finally {
      await upgraded.close();
    }
  } finally {
    if (source.isInitialized) await source.destroy();
    await database.drop();
  }
});

onPostgresOnly("an advisory lock serializes migrations between processes").test(
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
