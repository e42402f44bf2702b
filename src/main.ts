import "reflect-metadata";
import type { Logger } from "pino";
import { ConfigError, loadConfig } from "./config";
import { playgroundAddress } from "./http/graphiql-page";
import { createLogger } from "./logger";
import { startServer, type RunningServer } from "./server";

/** `npm start`: reads the environment, starts the server, and stops it cleanly on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const starting = startServer(config, logger);
  // Installed before the server listens, so a signal that comes early still gets a clean stop.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => shutdown(starting, logger, signal));
  }
  const server = await starting;
  const made = server.bootstrapped;
  if (made?.created && config.bootstrapAdminToken !== null) {
    // The operator chose the secret: saying it again would only copy it into log storage.
    process.stdout.write(
      `\n  Installed BOOTSTRAP_ADMIN_TOKEN as the ADMIN token "bootstrap" of project "${made.project.name}".\n  Playground: ${server.url}/graphql\n\n`,
    );
  } else if (made?.created) {
    // Printed, not logged: the secret must never reach log storage, and the operator needs it once.
    // The playground address carries it in its #fragment, which the browser keeps to itself.
    const playground = playgroundAddress(server.url, config.production ? null : made.secret);
    process.stdout.write(
      [
        "",
        `  Created an ADMIN token for project "${made.project.name}":`,
        `    ${made.secret}`,
        "  It is shown this once (only its hash is stored). Try it in the playground:",
        `    ${playground}`,
        "  Make more tokens (EDITOR, VIEWER, SDK) with the createApiToken mutation.",
        "",
      ].join("\n") + "\n",
    );
  }
}

function shutdown(starting: Promise<RunningServer>, logger: Logger, signal: string): void {
  logger.info({ signal }, "shutting down");
  starting
    .then((server) => server.close())
    .then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
  } else {
    process.stderr.write(`Could not start: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
