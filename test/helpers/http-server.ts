import pino, { type Logger } from "pino";
import { loadConfig } from "../../src/config";
import { startServer, type RunningServer } from "../../src/server";
import { databaseUrl, freshDatabase, type TestDatabase } from "./database";

/** The whole server in this process, listening on a free port, on a fresh database of the pass's engine. */
export interface HttpTestServer {
  url: string;
  server: RunningServer;
  database: TestDatabase;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

export async function startHttpServer(
  options: { env?: Record<string, string>; logger?: Logger } = {},
): Promise<HttpTestServer> {
  const database = await freshDatabase();
  const config = loadConfig({ PORT: "0", DATABASE_URL: databaseUrl(database.config), ...options.env });
  const server = await startServer(config, options.logger ?? pino({ level: "silent" }));
  return {
    url: server.url,
    server,
    database,
    async close() {
      await server.close();
      await database.drop();
    },
  };
}
