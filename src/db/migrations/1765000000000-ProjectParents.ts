import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { column } from "./columns";

/**
 * Which project made a project (createProject), so an ADMIN can list the projects it made. Projects
 * from before have none; they were made by a bootstrap, which no project did.
 */
export class ProjectParents1765000000000 implements MigrationInterface {
  name = "ProjectParents1765000000000";

  async up(db: QueryRunner): Promise<void> {
    await db.addColumn("project", new TableColumn(column.ref("created_by_project_id", true)));
    await db.createIndex(
      "project",
      new TableIndex({ name: "project_created_by", columnNames: ["created_by_project_id"] }),
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.dropIndex("project", "project_created_by");
    await db.dropColumn("project", "created_by_project_id");
  }
}
