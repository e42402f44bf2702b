import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Database } from "../db/database";
import type { Signals } from "../shared/signals";

/** Seconds: from a cached answer (under a millisecond) to a slow write (seconds). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The server's Prometheus metrics, one registry per server (tests run several in one process).
 * Services report through Signals; the HTTP layers call `request`. Names follow Prometheus'
 * conventions: `px_` prefix, base units, `_total` for counters.
 */
export class Metrics implements Signals {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: "px_requests_total",
    help: "Requests by API (graphql, ofrep), operation name and outcome (ok, or the error code)",
    labelNames: ["api", "operation", "outcome"] as const,
    registers: [this.registry],
  });

  private readonly latency = new Histogram({
    name: "px_request_duration_seconds",
    help: "Time from a request's start to its answer, by API and operation name",
    labelNames: ["api", "operation"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly values = new Counter({
    name: "px_evaluated_values_total",
    help: "Values served by evaluate and OFREP, by what decided them (AB_TEST, FEATURE_FLAG, PRODUCT_CONFIG, DEFAULT)",
    labelNames: ["source"] as const,
    registers: [this.registry],
  });

  private readonly evaluations = new Counter({
    name: "px_evaluations_total",
    help: "Evaluations of one user (every key's value)",
    registers: [this.registry],
  });

  private readonly placements = new Counter({
    name: "px_first_time_placements_total",
    help: "Users placed in an A/B test for the first time (assignments written)",
    registers: [this.registry],
  });

  private readonly trackedEvents = new Counter({
    name: "px_events_total",
    help: "Events sent to trackEvents: accepted (stored, or a retry of a stored one) or refused",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  private readonly rulesetBuilds = new Histogram({
    name: "px_ruleset_build_duration_seconds",
    help: "Rebuilds of a project's compiled ruleset after its configuration changed, and how long each took",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly writeWait = new Histogram({
    name: "px_write_wait_seconds",
    help: "How long a write transaction waited for its turn (SQLite's one writer, PostgreSQL's pool)",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly rateLimited = new Counter({
    name: "px_rate_limited_total",
    help: "Requests refused because their token was over its rate limit",
    registers: [this.registry],
  });

  private readonly webhookAttempts = new Counter({
    name: "px_webhook_attempts_total",
    help: "Webhook delivery attempts by outcome: succeeded, retrying (failed, another attempt is scheduled) or failed (the schedule is over)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  private readonly webhookLatency = new Histogram({
    name: "px_webhook_attempt_duration_seconds",
    help: "Time from sending a webhook attempt to its answer (or to giving up)",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "px_" });
  }

  /** The gauges read from the database when scraped: the write queue and the connections. */
  watch(db: Database): void {
    new Gauge({
      name: "px_write_queue_depth",
      help: "Write transactions of this process queued or running",
      registers: [this.registry],
      collect() {
        this.set(db.pendingWrites);
      },
    });
    new Gauge({
      name: "px_db_connections",
      help: "Database connections of this process: total, idle (PostgreSQL), and requests waiting for one",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const { total, idle, waiting } = db.connections();
        this.set({ state: "total" }, total);
        if (idle !== null) this.set({ state: "idle" }, idle);
        this.set({ state: "waiting" }, waiting);
      },
    });
  }

  /** The oldest pending webhook delivery's age, read from the database when scraped. */
  watchWebhooks(oldestPendingSeconds: () => Promise<number>): void {
    new Gauge({
      name: "px_webhook_oldest_pending_seconds",
      help: "Age of the oldest webhook delivery not yet answered with a 2xx nor failed (0: none): how far behind receivers are",
      registers: [this.registry],
      async collect() {
        this.set(await oldestPendingSeconds());
      },
    });
  }

  /** One answered request: `started` is performance.now() when it began. */
  request(api: "graphql" | "ofrep", operation: string, outcome: string, started: number): void {
    this.requests.inc({ api, operation, outcome });
    this.latency.observe({ api, operation }, (performance.now() - started) / 1000);
  }

  refusedForRate(): void {
    this.rateLimited.inc();
  }

  evaluated(valuesBySource: ReadonlyMap<string, number>): void {
    this.evaluations.inc();
    for (const [source, count] of valuesBySource) this.values.inc({ source }, count);
  }

  placed(count: number): void {
    this.placements.inc(count);
  }

  events(accepted: number, refused: number): void {
    if (accepted) this.trackedEvents.inc({ outcome: "accepted" }, accepted);
    if (refused) this.trackedEvents.inc({ outcome: "refused" }, refused);
  }

  rulesetBuilt(seconds: number): void {
    this.rulesetBuilds.observe(seconds);
  }

  writeWaited(seconds: number): void {
    this.writeWait.observe(seconds);
  }

  webhookAttempted(outcome: "SUCCEEDED" | "retrying" | "FAILED", seconds: number): void {
    this.webhookAttempts.inc({ outcome: outcome.toLowerCase() });
    this.webhookLatency.observe(seconds);
  }
}
