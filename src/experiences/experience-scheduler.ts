import type { Logger } from "pino";
import { GUARDRAIL_INTERVAL_MS, type GuardrailService } from "../results/guardrails.service";
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
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;

  private guardrailsCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly lifecycle: ExperienceLifecycleService,
    private readonly guardrails: GuardrailService,
    private readonly logger: Logger,
    private readonly intervalMs = SCHEDULER_INTERVAL_MS,
    private readonly guardrailIntervalMs = GUARDRAIL_INTERVAL_MS,
  ) {}

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    // A pending pass never keeps the process alive: shutdown stops the timer and waits for the pass.
    this.timer.unref();
  }

  /** One pass over the due moves (and, when due, the guardrails); a pass still running is joined, never doubled. */
  tick(): Promise<void> {
    this.pass ??= this.runPass()
      .catch((error) => this.logger.error({ err: error }, "scheduler: a pass failed; the next one retries"))
      .finally(() => {
        this.pass = null;
      });
    return this.pass;
  }

  private async runPass(): Promise<void> {
    const moves = await this.lifecycle.runDue();
    if (moves > 0) this.logger.info({ moves }, "scheduler: made the scheduled moves that were due");
    if (performance.now() - this.guardrailsCheckedAt < this.guardrailIntervalMs) return;
    this.guardrailsCheckedAt = performance.now();
    const breaches = await this.guardrails.checkAll();
    if (breaches > 0) this.logger.warn({ breaches }, "guardrails: recorded breaches");
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass;
  }
}
