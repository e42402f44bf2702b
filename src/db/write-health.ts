import { StorageUnavailable } from "./storage-fault";

/**
 * A write committed this recently says writes commit, without a probe: /healthz then costs nothing
 * under load, and a quiet server probes at most once per interval of this length per check.
 */
const FRESH_MS = 5_000;

/**
 * Whether this process's writes commit, as its last write found: a storage fault (a full disk, a
 * held lock) stands until a write commits again. `check` answers for /healthz: when no write
 * committed lately, or a fault stands, it runs the probe (a small committed write) so the answer is
 * about now, and so a server whose fault went away says so without anyone else writing.
 */
export class WriteHealth {
  private fault: StorageUnavailable | null = null;
  private lastCommit = Number.NEGATIVE_INFINITY;
  private probing: Promise<StorageUnavailable | null> | null = null;

  committed(): void {
    this.fault = null;
    this.lastCommit = performance.now();
  }

  failed(fault: StorageUnavailable): void {
    this.fault = fault;
  }

  /** The fault a write met last, while no write has committed since. */
  get standing(): StorageUnavailable | null {
    return this.fault;
  }

  /** Null when writes commit now; else why not. Concurrent checks share one probe. */
  check(probe: () => Promise<void>): Promise<StorageUnavailable | null> {
    if (!this.fault && performance.now() - this.lastCommit < FRESH_MS) return Promise.resolve(null);
    return (this.probing ??= probe()
      .then(
        () => null,
        (error: unknown) =>
          this.fault ??
          (error instanceof StorageUnavailable
            ? error
            : new StorageUnavailable("a probe write failed", { cause: error })),
      )
      .finally(() => (this.probing = null)));
  }
}
