import type { Logger } from "pino";
import { GUARDRAIL_INTERVAL_MS, type GuardrailService } from "../results/guardrails.service";
import { PeriodicPass } from "../shared/periodic-pass";
import type { ExperienceLifecycleService } from "./experience-lifecycle.service";

/** How often the scheduler looks for due moves: well within the 5 seconds a schedule promises. */
export const SCHEDULER_INTERVAL_MS = 1000;

/**
 * Performs scheduled starts and stops from inside the server: no extra process to run. Every
 * server process runs one; ExperienceLifecycleService.runDue makes each move exactly once however
 * many ask. The first pass runs at start, so moves that fell due while no server ran are made then.
 * Every GUARDRAIL_INTERVAL_MS a pass also checks the running tests' guardrails (GuardrailService,
 * which records each breach once however many processes check).
 */
export class ExperienceScheduler {
  private readonly passes: PeriodicPass;
  private guardrailsCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly lifecycle: ExperienceLifecycleService,
    private readonly guardrails: GuardrailService,
    private readonly logger: Logger,
    intervalMs = SCHEDULER_INTERVAL_MS,
    private readonly guardrailIntervalMs = GUARDRAIL_INTERVAL_MS,
  ) {
    this.passes = new PeriodicPass(
      () => this.runPass(),
      intervalMs,
      (error) => this.logger.error({ err: error }, "scheduler: a pass failed; the next one retries"),
    );
  }

  start(): void {
    this.passes.start();
  }

  /** One pass over the due moves and, when due, the guardrails. */
  private async runPass(): Promise<void> {
    const moves = await this.lifecycle.runDue();
    if (moves > 0) this.logger.info({ moves }, "scheduler: made the scheduled moves that were due");
    if (performance.now() - this.guardrailsCheckedAt < this.guardrailIntervalMs) return;
    this.guardrailsCheckedAt = performance.now();
    const breaches = await this.guardrails.checkAll();
    if (breaches > 0) this.logger.warn({ breaches }, "guardrails: recorded breaches");
  }

  stop(): Promise<void> {
    return this.passes.stop();
  }
}
