import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { sql } from "../db/sql";

export interface ChangeStreamOptions {
  /** How often each project's config version is read (every server process reads it: no broker needed). */
  pollMs: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** Open streams per token in this process; more are refused with 429. */
  maxPerToken: number;
}

export const DEFAULT_STREAM_OPTIONS: ChangeStreamOptions = {
  pollMs: 1000,
  heartbeatMs: 15_000,
  maxPerToken: 20,
};

interface Listener {
  tokenId: string;
  response: ServerResponse;
}

/**
 * OFREP's change notifications (ADR-0008 of open-feature/protocol): server-sent events telling a
 * client to fetch its flags again when its project's configuration changed. Every process reads the
 * config versions of the projects it has listeners for, so a change made through any process (or the
 * scheduler) reaches every stream within `pollMs`, on SQLite and PostgreSQL alike.
 */
export class ChangeStreams {
  private readonly projects = new Map<string, { version: number; listeners: Set<Listener> }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private polling = false;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly options: ChangeStreamOptions = DEFAULT_STREAM_OPTIONS,
  ) {
    this.timers.push(setInterval(() => void this.poll(), options.pollMs).unref());
    this.timers.push(setInterval(() => this.broadcast(": heartbeat\n\n"), options.heartbeatMs).unref());
  }

  /** Open streams of a token in this process. */
  countFor(tokenId: string): number {
    let count = 0;
    for (const project of this.projects.values())
      for (const listener of project.listeners) if (listener.tokenId === tokenId) count++;
    return count;
  }

  /**
   * Starts a stream on the response: notifications come from the next change on. False when the
   * token has too many open streams (the caller answers 429) or the server is closing.
   */
  open(caller: Caller, response: ServerResponse): boolean {
    if (this.closed || this.countFor(caller.tokenId) >= this.options.maxPerToken) return false;
    response.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // Tells nginx-style proxies not to buffer the stream.
      "X-Accel-Buffering": "no",
    });
    response.flushHeaders();
    response.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
    const project = this.projects.get(caller.projectId) ?? {
      version: caller.configVersion,
      listeners: new Set(),
    };
    project.version = Math.max(project.version, caller.configVersion);
    const listener = { tokenId: caller.tokenId, response };
    project.listeners.add(listener);
    this.projects.set(caller.projectId, project);
    response.on("close", () => {
      project.listeners.delete(listener);
      if (project.listeners.size === 0 && this.projects.get(caller.projectId) === project)
        this.projects.delete(caller.projectId);
    });
    return true;
  }

  /** Ends every stream (clients reconnect elsewhere) and stops the timers: the server can then close. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const project of this.projects.values())
      for (const { response } of project.listeners) response.end();
    this.projects.clear();
  }

  /**
   * Reads the projects' config versions, then which of the listeners' tokens were revoked: streams
   * of a revoked token end before anything is sent to them. In that order, a revocation that
   * committed before the version read (which may see the version it moved) is seen by the second read.
   */
  private async poll(): Promise<void> {
    if (this.polling || this.projects.size === 0) return;
    this.polling = true;
    try {
      const rows = await sql<{ id: string; config_version: number | string }>(
        this.db.reader,
        "SELECT id, config_version FROM project WHERE id IN (:...ids)",
        { ids: [...this.projects.keys()] },
      );
      const tokenIds = new Set(
        [...this.projects.values()].flatMap((p) => [...p.listeners].map((l) => l.tokenId)),
      );
      const revoked = await sql<{ id: string }>(
        this.db.reader,
        "SELECT id FROM api_token WHERE id IN (:...ids) AND revoked_at IS NOT NULL",
        { ids: [...tokenIds] },
      );
      this.end(new Set(revoked.map((row) => row.id)));
      for (const row of rows) {
        const project = this.projects.get(row.id);
        const version = Number(row.config_version);
        if (!project || version <= project.version) continue;
        project.version = version;
        const data = JSON.stringify({
          type: "refetchEvaluation",
          lastModified: Math.floor(Date.now() / 1000),
        });
        const event = `id: ${version}\nevent: message\ndata: ${data}\n\n`;
        for (const { response } of project.listeners) response.write(event);
      }
    } catch (error) {
      this.logger.warn({ err: error }, "change streams: could not read the config versions");
    } finally {
      this.polling = false;
    }
  }

  /** Ends the streams of these tokens; their clients reconnect and are refused. */
  private end(tokenIds: ReadonlySet<string>): void {
    if (tokenIds.size === 0) return;
    for (const project of this.projects.values())
      for (const listener of project.listeners)
        if (tokenIds.has(listener.tokenId)) {
          project.listeners.delete(listener);
          listener.response.end();
        }
  }

  private broadcast(text: string): void {
    for (const project of this.projects.values())
      for (const { response } of project.listeners) response.write(text);
  }
}

/** What the stream asks a client to wait before reconnecting. */
const RECONNECT_MS = 3000;
