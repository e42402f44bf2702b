/**
 * What the services tell an operator about their work, without knowing how it is counted: the
 * server passes its Prometheus metrics (src/metrics/metrics.ts); tests and tools pass nothing.
 */
export interface Signals {
  /** One evaluation answered: how many values each source decided. */
  evaluated(valuesBySource: ReadonlyMap<string, number>): void;
  /** Users placed in A/B tests for the first time (assignments written). */
  placed(count: number): void;
  /** A trackEvents call's events: stored (or retries of stored ones) and refused. */
  events(accepted: number, refused: number): void;
  /** A project's ruleset compiled from the database (its config changed, or first use). */
  rulesetBuilt(seconds: number): void;
  /** How long a write transaction waited for its turn (SQLite queues them) before it ran. */
  writeWaited(seconds: number): void;
  /** A webhook attempt's outcome (its delivery succeeded, is retrying, or failed for good) and duration. */
  webhookAttempted(outcome: "SUCCEEDED" | "retrying" | "FAILED", seconds: number): void;
}

export const noSignals: Signals = {
  evaluated: () => {},
  placed: () => {},
  events: () => {},
  rulesetBuilt: () => {},
  writeWaited: () => {},
  webhookAttempted: () => {},
};
