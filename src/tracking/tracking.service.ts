import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { forUpdate, sql } from "../db/sql";
import { commitIfOk } from "../db/unit-of-work";
import type { Clock } from "../shared/clock";
import type { Signals } from "../shared/signals";
import { newId } from "../shared/ids";
import { propertiesOf } from "../shared/properties";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors, type UserError } from "../shared/user-error";
import { userIdError } from "../shared/user-ids";
import type { ResultRollups, StoredEvent } from "../results/rollups";
import {
  checkEvent,
  MAX_EVENT_PROPERTIES_BYTES,
  MAX_EVENTS_PER_CALL,
  MAX_PROFILE_BYTES,
  propertiesError,
  type EventDraft,
  type ValidEvent,
} from "./tracking-rules";

export interface Tracked {
  /** Valid events: stored now, or stored before under the same id (a retry). */
  accepted: number;
  userErrors: UserError[];
}

/** Rows per INSERT: well under both engines' limits on bound parameters. */
const INSERT_CHUNK = 200;

/**
 * What SDKs send: events (goal conversions, segment history) and profile properties. These are
 * data, not configuration: they take no project lock and write no audit events (docs/DESIGN.md).
 */
export class TrackingService {
  constructor(
    private readonly db: Database,
    private readonly rollups: ResultRollups,
    private readonly clock: Clock,
    private readonly signals: Signals,
  ) {}

  /**
   * Each event is judged alone: the bad ones come back as userErrors with their index, the good ones
   * are stored. An event whose id the project already has is not stored again, so retries are safe.
   */
  async trackEvents(caller: Caller, drafts: EventDraft[]): Promise<Tracked> {
    if (drafts.length === 0 || drafts.length > MAX_EVENTS_PER_CALL) {
      return {
        accepted: 0,
        userErrors: [
          UserErrors.invalid(
            ["events"],
            `Send 1 to ${MAX_EVENTS_PER_CALL} events per call; got ${drafts.length}`,
          ),
        ],
      };
    }
    const now = this.clock.now();
    const valid: ValidEvent[] = [];
    const userErrors: UserError[] = [];
    drafts.forEach((draft, index) => {
      const checked = checkEvent(draft, index, now);
      if (checked.ok) valid.push(checked.value);
      else userErrors.push(...checked.errors);
    });
    if (valid.length) await this.store(caller.projectId, valid, now);
    this.signals.events(valid.length, drafts.length - valid.length);
    return { accepted: valid.length, userErrors };
  }

  /** Merges properties into the user's profile; a property set to null is removed. */
  async identify(caller: Caller, userId: string, properties: unknown): Promise<Result<number>> {
    const problem =
      userIdError(userId, ["userId"]) ??
      propertiesError(properties, ["properties"], MAX_EVENT_PROPERTIES_BYTES);
    if (problem) return fail(problem);
    const { projectId } = caller;
    return commitIfOk(this.db, async (tx) => {
      const now = this.clock.now();
      await sql(
        tx,
        "INSERT INTO profile (project_id, user_id, properties, updated_at) VALUES (:projectId, :userId, '{}', :now) ON CONFLICT DO NOTHING",
        { projectId, userId, now },
      );
      // Locked (on PostgreSQL) so that concurrent identifies of one user merge instead of overwriting.
      const [row] = await sql<{ properties: string }>(
        tx,
        `SELECT properties FROM profile WHERE project_id = :projectId AND user_id = :userId${forUpdate(tx)}`,
        { projectId, userId },
      );
      // A Map, so that any name (even "__proto__") is a property like the others.
      const merged = propertiesOf(JSON.parse(row.properties));
      for (const [name, value] of Object.entries(properties as Record<string, unknown>)) {
        if (value === null) merged.delete(name);
        else merged.set(name, value);
      }
      const stored = JSON.stringify(Object.fromEntries(merged));
      if (Buffer.byteLength(stored) > MAX_PROFILE_BYTES) {
        return fail(
          UserErrors.invalid(
            ["properties"],
            `A profile holds at most ${MAX_PROFILE_BYTES / 1024} KiB of properties`,
          ),
        );
      }
      await sql(
        tx,
        "UPDATE profile SET properties = :properties, updated_at = :now WHERE project_id = :projectId AND user_id = :userId",
        {
          properties: stored,
          now,
          projectId,
          userId,
        },
      );
      return ok(1);
    });
  }

  /** Stores the events and, in the same transaction, counts them into the A/B tests' results. */
  private store(projectId: string, events: ValidEvent[], now: number): Promise<void> {
    const stored: StoredEvent[] = events.map((event) => ({ ...event, id: newId(now) }));
    return this.db.transaction(async (tx) => {
      for (let start = 0; start < stored.length; start += INSERT_CHUNK) {
        const chunk = stored.slice(start, start + INSERT_CHUNK);
        const parameters: Record<string, unknown> = { projectId, now };
        const rows = chunk.map((event, i) => {
          Object.assign(parameters, {
            [`id${i}`]: event.id,
            [`client${i}`]: event.clientId,
            [`user${i}`]: event.userId,
            [`name${i}`]: event.name,
            [`properties${i}`]: JSON.stringify(event.properties),
            [`at${i}`]: event.at,
          });
          return `(:id${i}, :projectId, :client${i}, :user${i}, :name${i}, :properties${i}, :at${i}, :now)`;
        });
        await sql(
          tx,
          `INSERT INTO event (id, project_id, client_id, user_id, name, properties, at, received_at)
           VALUES ${rows.join(", ")} ON CONFLICT DO NOTHING`,
          parameters,
        );
      }
      await this.rollups.eventsStored(tx, projectId, stored, now);
    });
  }
}
