import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

const VERSIONED = ["key", "segment", "goal", "settings", "experience"];

/**
 * Versions on everything that changes, the history of experiences, and their schedules.
 * Experiences that exist already get their first history entry from what they hold now, so a
 * history never starts in the middle (actor "migration").
 */
export class ExperiencesOverTime1764700000000 implements MigrationInterface {
  name = "ExperiencesOverTime1764700000000";

  async up(db: QueryRunner): Promise<void> {
    for (const table of VERSIONED) {
      await db.addColumn(table, new TableColumn({ name: "version", type: "integer", default: 1 }));
    }
    await db.addColumns("experience", [
      new TableColumn(column.instant("scheduled_start_at", true)),
      new TableColumn(column.instant("scheduled_stop_at", true)),
    ]);
    await db.createIndices("experience", [
      new TableIndex({ name: "IDX_experience_scheduled_start", columnNames: ["scheduled_start_at"] }),
      new TableIndex({ name: "IDX_experience_scheduled_stop", columnNames: ["scheduled_stop_at"] }),
    ]);
    await db.createTable(
      new Table({
        name: "experience_version",
        columns: [
          column.id(),
          column.ref("project_id"),
          column.ref("experience_id"),
          column.integer("version"),
          column.instant("at"),
          column.varchar("actor", 200),
          column.varchar("action", 64),
          column.varchar("status", 8),
          column.text("snapshot"),
          column.text("changed_fields"),
        ],
        indices: [
          new TableIndex({
            name: "IDX_experience_version_number",
            columnNames: ["experience_id", "version"],
            isUnique: true,
          }),
        ],
      }),
    );
    await db.addColumn("audit_event", new TableColumn(column.text("note", true)));
    await firstVersions(db);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.dropColumn("audit_event", "note");
    await db.dropTable("experience_version");
    await db.dropIndex("experience", "IDX_experience_scheduled_stop");
    await db.dropIndex("experience", "IDX_experience_scheduled_start");
    await db.dropColumn("experience", "scheduled_stop_at");
    await db.dropColumn("experience", "scheduled_start_at");
    for (const table of VERSIONED) await db.dropColumn(table, "version");
  }
}

interface ExperienceRow {
  id: string;
  project_id: string;
  kind: string;
  name: string;
  description: string | null;
  status: string;
  segment_id: string | null;
  priority: number | null;
  rollout_percentage: number | null;
  traffic_percentage: number | null;
  mutually_exclusive: boolean | number | null;
  primary_goal_id: string | null;
  archived_at: string | number | null;
  updated_at: string | number;
}

/**
 * Version 1 of every existing experience, as the API showed it. Written here rather than with the
 * server's snapshot code, which will grow with later fields: a migration must mean the same forever.
 */
async function firstVersions(db: QueryRunner): Promise<void> {
  const placeholder = (n: number) => (db.connection.driver.options.type === "postgres" ? `$${n}` : "?");
  const experiences: ExperienceRow[] = await db.query("SELECT * FROM experience ORDER BY id");
  for (const [index, experience] of experiences.entries()) {
    const values: { experience_id: string; variant_id: string | null; key_id: string; value: string }[] =
      await db.query(
        `SELECT experience_id, variant_id, key_id, value FROM experience_value WHERE experience_id = ${placeholder(1)} ORDER BY position`,
        [experience.id],
      );
    const variants: { id: string; name: string; weight: number; is_control: boolean | number }[] =
      await db.query(
        `SELECT id, name, weight, is_control FROM variant WHERE experience_id = ${placeholder(1)} ORDER BY position`,
        [experience.id],
      );
    const goals: { goal_id: string }[] = await db.query(
      `SELECT goal_id FROM experience_goal WHERE experience_id = ${placeholder(1)} ORDER BY position`,
      [experience.id],
    );
    const plain = (rows: typeof values) =>
      rows.map((row) => ({ keyId: row.key_id, value: JSON.parse(row.value) }));
    const own = values.filter((row) => row.variant_id === null);
    const snapshot = {
      name: experience.name,
      description: experience.description,
      segmentId: experience.segment_id,
      ...(experience.kind === "PRODUCT_CONFIG" ? { priority: experience.priority, values: plain(own) } : {}),
      ...(experience.kind === "FEATURE_FLAG"
        ? { rolloutPercentage: experience.rollout_percentage, ...plain(own)[0] }
        : {}),
      ...(experience.kind === "AB_TEST"
        ? {
            trafficPercentage: experience.traffic_percentage,
            mutuallyExclusive: Boolean(experience.mutually_exclusive),
            goalIds: goals.map((goal) => goal.goal_id),
            primaryGoalId: experience.primary_goal_id,
            variants: variants.map((variant) => ({
              name: variant.name,
              weight: variant.weight,
              isControl: Boolean(variant.is_control),
              values: plain(values.filter((row) => row.variant_id === variant.id)),
            })),
          }
        : {}),
      status: experience.status,
      archived: experience.archived_at !== null,
    };
    // An id that sorts with the experience's own (UUIDv7-shaped, ordered by creation).
    const id = `${experience.id.slice(0, 24)}${String(index).padStart(12, "0")}`;
    const columns = [
      "id",
      "project_id",
      "experience_id",
      "version",
      "at",
      "actor",
      "action",
      "status",
      "snapshot",
      "changed_fields",
    ];
    await db.query(
      `INSERT INTO experience_version (${columns.join(", ")}) VALUES (${columns.map((_, i) => placeholder(i + 1)).join(", ")})`,
      [
        id,
        experience.project_id,
        experience.id,
        1,
        Number(experience.updated_at),
        "migration",
        "migrate",
        experience.status,
        JSON.stringify(snapshot),
        JSON.stringify(Object.keys(snapshot)),
      ],
    );
  }
}
