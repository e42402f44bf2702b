import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type ErrorRequestHandler } from "express";
import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Logger } from "pino";
import type { Bootstrapped } from "./access/project.service";
import type { AppConfig } from "./config";
import { openDatabase } from "./db/database";
import { ExperienceScheduler } from "./experiences/experience-scheduler";
import { createApollo } from "./graphql/apollo";
import { authenticate } from "./graphql/authenticate";
import { buildAppSchema } from "./graphql/schema";
import { serveDashboard } from "./http/dashboard";
import { graphiqlPage, PLAYGROUND_CSP } from "./http/graphiql-page";
import { createLogger } from "./logger";
import { projectRoot } from "./project-root";
import { ChangeStreams } from "./ofrep/change-stream";
import { ofrepHandler } from "./ofrep/ofrep-endpoint";
import { createServices, type Services } from "./services";
import { RateLimiter } from "./access/rate-limiter";
import { frontMiddleware } from "./http/front";
import { graphqlHandler, refuseBody } from "./http/graphql-endpoint";
import { Metrics } from "./metrics/metrics";
import { metricsEndpoint } from "./metrics/metrics-endpoint";
import { metricsPlugin } from "./metrics/metrics-plugin";
import { systemClock } from "./shared/clock";
import { SETUP_SCHEMA, SETUP_SCHEMA_PATH } from "./setup-documents/setup-document";
import { WebhookDispatcher } from "./webhooks/webhook-dispatcher";

export const MAX_BODY_BYTES = 1024 * 1024;
const PLAYGROUND_ASSETS = path.join(projectRoot(), "public", "graphiql");

export interface RunningServer {
  url: string;
  services: Services;
  /** What the first start made for the operator, to print once. */
  bootstrapped: Bootstrapped | null;
  close(): Promise<void>;
}

/** The composition root: database, services, schema, Apollo and HTTP, started in that order. */
export async function startServer(
  config: AppConfig,
  logger: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const metrics = new Metrics();
  const db = await openDatabase(config.database, undefined, metrics);
  metrics.watch(db);
  const services = createServices(db, logger, systemClock, metrics, config.webhooks);
  const webhooks = new WebhookDispatcher(db, config.webhooks, systemClock, metrics, logger);
  metrics.watchWebhooks(() => webhooks.oldestPendingSeconds());
  const limiter = new RateLimiter(config.rateLimitPerMinute, () => metrics.refusedForRate());
  // Several processes may start at once on one PostgreSQL: one of them installs the token.
  const bootstrapped = await db.exclusively(() => services.projects.bootstrap(config.bootstrapAdminToken));
  const app = express();
  const streams = new ChangeStreams(db, logger);
  const ofrep = ofrepHandler(services, streams, logger, { maxBodyBytes: MAX_BODY_BYTES, limiter, metrics });
  const context = (req: IncomingMessage) => authenticate(services, req.headers.authorization, limiter);
  // Apollo is made after the HTTP server (its drain plugin needs the server); requests come after both.
  const graphql = graphqlHandler(() => apollo, { maxBodyBytes: MAX_BODY_BYTES, context, logger });
  // CORS and compression sit in front of both APIs: OFREP and POST /graphql are served before Express.
  const front = frontMiddleware(config);
  const httpServer = http.createServer((req, res) =>
    front(req, res, () => {
      if (!ofrep(req, res) && !graphql(req, res)) app(req, res);
    }),
  );
  const apollo = createApollo(await buildAppSchema(), {
    logger,
    production: config.production,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), metricsPlugin(metrics)],
  });
  await apollo.start();

  app.disable("x-powered-by");
  app.get("/healthz", async (_req, res) => {
    try {
      await db.ping();
    } catch (error) {
      logger.error({ err: error }, "health check: the database does not answer");
      res
        .status(503)
        .json({ status: "unavailable", database: db.engine, reason: "the database does not answer" });
      return;
    }
    const fault = await db.writesFailing();
    if (fault) {
      logger.warn({ reason: fault.reason }, "health check: writes do not commit");
      res.status(503).json({ status: "unavailable", database: db.engine, reason: fault.reason });
      return;
    }
    res.json({ status: "ok", database: db.engine });
  });
  app.get("/metrics", metricsEndpoint(metrics, config.metricsToken));
  // Public, like the schema it describes: editors fetch it to validate and complete setup documents.
  app.get(SETUP_SCHEMA_PATH, (_req, res) => {
    res
      .type("application/schema+json")
      .set("Cache-Control", "public, max-age=3600")
      .send(JSON.stringify(SETUP_SCHEMA, null, 2));
  });
  serveDashboard(app);
  app.use("/graphiql", express.static(PLAYGROUND_ASSETS, { maxAge: "1h", fallthrough: false }));
  app.get("/graphql", (req, res, next) => {
    if (req.accepts(["application/json", "text/html"]) !== "text/html") return next();
    res.set("Content-Security-Policy", PLAYGROUND_CSP);
    res.type("html").send(graphiqlPage({ endpoint: "/graphql", assets: "/graphiql" }));
  });
  app.use(
    "/graphql",
    express.json({ limit: MAX_BODY_BYTES }),
    expressMiddleware(apollo, { context: ({ req }) => context(req) }),
  );
  app.use(bodyErrors);

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const scheduler = new ExperienceScheduler(services.experienceLifecycle, services.guardrails, logger);
  scheduler.start();
  webhooks.start();
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, database: db.engine }, "Product Experiences server is listening");

  let closing: Promise<void> | null = null;
  return {
    url,
    services,
    bootstrapped,
    close: () =>
      (closing ??= (async () => {
        await scheduler.stop();
        await webhooks.stop();
        // Open change streams would keep the HTTP server from draining.
        streams.close();
        await apollo.stop();
        await db.close();
      })()),
  };
}

/** Bodies the JSON parser refuses get a GraphQL-shaped error, not Express's HTML page. */
const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  const type = (error as { type?: string }).type;
  if (type === "entity.too.large") {
    refuseBody(res, "too large", MAX_BODY_BYTES);
  } else if (type === "entity.parse.failed") {
    refuseBody(res, "not JSON", MAX_BODY_BYTES);
  } else if (status && status >= 400 && status < 500) {
    res
      .status(status)
      .json({ errors: [{ message: (error as Error).message, extensions: { code: "BAD_REQUEST" } }] });
  } else {
    next(error);
  }
};
