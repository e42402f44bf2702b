/**
 * Work a server process repeats on a timer (the scheduler, the webhook dispatcher): a pass at start,
 * then every `intervalMs`; a pass asked for while one runs joins it, never doubles it. A failed pass
 * is reported and the next one retries. The timer never keeps the process alive; `stop` ends it and
 * waits for the pass under way.
 */
export class PeriodicPass {
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly failed: (error: unknown) => void,
  ) {}

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  tick(): Promise<void> {
    this.pass ??= this.run()
      .catch(this.failed)
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
