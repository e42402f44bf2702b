import "reflect-metadata";
import type { Logger } from "pino";
import { ConfigError, loadConfig } from "./config";
import { dashboardAddress } from "./http/dashboard";
import { playgroundAddress } from "./http/graphiql-page";
import { createLogger } from "./logger";
import { startServer, type RunningServer } from "./server";

/** `npm start`: reads the environment, starts the server, and stops it cleanly on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const starting = startServer(config, logger);
  // Installed before the server listens, so a signal that comes early still gets a clean stop.
  const stopper = new Stopper(starting, logger);
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => stopper.signalled(signal));
  const server = await starting;
  const made = server.bootstrapped;
  if (made?.created && config.bootstrapAdminToken !== null) {
    // The operator chose the secret: saying it again would only copy it into log storage.
    process.stdout.write(
      `\n  Installed BOOTSTRAP_ADMIN_TOKEN as the ADMIN token "bootstrap" of project "${made.project.name}".\n  Dashboard: ${server.url}/app\n  Playground: ${server.url}/graphql\n\n`,
    );
  } else if (made?.created) {
    // Printed, not logged: the secret must never reach log storage, and the operator needs it once.
    // The playground address carries it in its #fragment, which the browser keeps to itself.
    const shown = config.production ? null : made.secret;
    process.stdout.write(
      [
        "",
        `  Created an ADMIN token for project "${made.project.name}":`,
        `    ${made.secret}`,
        "  It is shown this once (only its hash is stored). Sign in to the dashboard, or try the API in the playground:",
        `    ${dashboardAddress(server.url, shown)}`,
        `    ${playgroundAddress(server.url, shown)}`,
        "  Make more tokens (EDITOR, VIEWER, SDK) with the createApiToken mutation.",
        "",
      ].join("\n") + "\n",
    );
  }
}

/**
 * How long after a signal another one is the same request: Ctrl-C in a terminal signals the whole
 * process group, so under `npm start` the server hears it from the terminal and again from npm,
 * which forwards it, a few milliseconds apart.
 */
const SAME_REQUEST_MS = 1000;

/**
 * One clean shutdown whatever the number of SIGINT/SIGTERM: the first closes the server (in-flight
 * requests finish, then the database closes) and exits 0; a repeat within SAME_REQUEST_MS is that
 * same request; a later one, while the close is still under way, says so and forces the exit.
 */
class Stopper {
  private firstAt: number | null = null;

  constructor(
    private readonly starting: Promise<RunningServer>,
    private readonly logger: Logger,
  ) {}

  signalled(signal: string): void {
    const now = Date.now();
    if (this.firstAt === null) {
      this.firstAt = now;
      this.logger.info({ signal }, "shutting down: finishing requests in flight, then closing the database");
      this.starting
        .then((server) => server.close())
        .then(
          () => {
            this.logger.info("stopped");
            process.exit(0);
          },
          (error) => {
            this.logger.error({ err: error }, "shutdown failed");
            process.exit(1);
          },
        );
      return;
    }
    if (now - this.firstAt < SAME_REQUEST_MS) return;
    this.logger.warn({ signal }, "a second request to stop while shutting down: forcing the exit now");
    process.exit(130);
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
  } else {
    process.stderr.write(`Could not start: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
