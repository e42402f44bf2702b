import "reflect-metadata";
import { DataSource } from "typeorm";
import { loadConfig } from "./src/config";
import { dataSourceOptions } from "./src/db/data-source-options";

/**
 * For the TypeORM CLI only (e.g. `npx typeorm migration:show -d dist/ormconfig.js`), on the database
 * the environment names. The server builds its connections in src/db/database.ts.
 */
export default new DataSource(dataSourceOptions(loadConfig().database));
