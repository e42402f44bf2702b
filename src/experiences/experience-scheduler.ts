import type { Logger } from "pino";
import type { ExperienceLifecycleService } from "./experience-lifecycle.service";

/** How often the scheduler looks for due moves: well within the 5 seconds a schedule promises. */
export const SCHEDULER_INTERVAL_MS = 1000;

/**
 * Performs scheduled starts and stops from inside the server: no extra process to run. Every
 * server process runs one; ExperienceLifecycleService.runDue makes each move exactly once however
 * many ask. The first pass runs at start, so moves that fell due while no server ran are made then.
 */
export class ExperienceScheduler {
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;

  constructor(
    private readonly lifecycle: ExperienceLifecycleService,
    private readonly logger: Logger,
    private readonly intervalMs = SCHEDULER_INTERVAL_MS,
  ) {}

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    // A pending pass never keeps the process alive: shutdown stops the timer and waits for the pass.
    this.timer.unref();
  }

  /** One pass over the due moves; a pass still running is joined, never doubled. */
  tick(): Promise<void> {
    this.pass ??= this.lifecycle
      .runDue()
      .then((moves) => {
        if (moves > 0) this.logger.info({ moves }, "scheduler: made the scheduled moves that were due");
      })
      .catch((error) => this.logger.error({ err: error }, "scheduler: a pass failed; the next one retries"))
      .finally(() => {
        this.pass = null;
      });
    return this.pass;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass;
  }
}
