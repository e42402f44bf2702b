/**
 * Per-project values derived from its setup (a compiled ruleset, the list of its keys), kept in
 * memory and tagged with the project's config version. Every setup change bumps the version in its
 * transaction (unit-of-work.ts) and every request reads the version together with its token, so an
 * entry is never older than what the request must see: a change is visible from the next request
 * on, in every process. Concurrent requests that find an entry stale share one reload.
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, { version: number; value: Promise<T> }>();

  constructor(private readonly load: (projectId: string) => Promise<T>) {}

  get(projectId: string, version: number): Promise<T> {
    const cached = this.entries.get(projectId);
    // Loaded after `version` was read, or after a later one: it reflects at least that version.
    if (cached && cached.version >= version) return cached.value;
    const entry = { version, value: this.load(projectId) };
    this.entries.set(projectId, entry);
    entry.value.catch(() => {
      if (this.entries.get(projectId) === entry) this.entries.delete(projectId);
    });
    return entry.value;
  }
}
