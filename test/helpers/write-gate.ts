import { Client } from "pg";
import type { Database } from "../../src/db/database";
import type { TestDatabase } from "./database";

/**
 * Forces the order in which concurrent writes run, so a race test reaches each interleaving it names
 * instead of hoping that timers produce it. While the gate is closed the writes behind it cannot
 * commit: on SQLite the gate holds the one writer's queue; on PostgreSQL a transaction of the test
 * locks a row that the writes must lock too (in any server process): the project's, which every
 * setup change takes first, or an experience's, which placements into it and its life-cycle moves take. `send` dispatches a request and returns (its answer still to come) once it is seen
 * waiting behind the gate, so requests queue in the order sent; `open` lets them all run.
 */
export interface WriteGate {
  send<T>(request: () => Promise<T>): Promise<{ answer: Promise<T> }>;
  open(): Promise<void>;
}

const POLL_MS = 2;
const PATIENCE_MS = 20_000;

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`write gate: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export type GatedRow = { project: string } | { experience: string };

export async function closeWriteGate(
  target: { database: TestDatabase; db?: Database },
  row: GatedRow,
): Promise<WriteGate> {
  const { config } = target.database;
  if (config.engine === "sqlite") {
    const db = target.db;
    if (!db) throw new Error("write gate: SQLite needs the server's own Database (one writer per process)");
    let open!: () => void;
    const held = db.transaction(() => new Promise<void>((resolve) => (open = resolve)));
    await until(() => open !== undefined, "the writer");
    return {
      async send(request) {
        const waiting = db.pendingWrites;
        const sent = request();
        sent.catch(() => undefined);
        await until(() => db.pendingWrites > waiting, "the request to queue");
        return { answer: sent };
      },
      async open() {
        open();
        await held;
      },
    };
  }
  const holder = new Client({ connectionString: config.url });
  await holder.connect();
  await holder.query("BEGIN");
  if ("project" in row) await holder.query("SELECT id FROM project WHERE id = $1 FOR UPDATE", [row.project]);
  else await holder.query("SELECT id FROM experience WHERE id = $1 FOR UPDATE", [row.experience]);
  const blocked = async () => {
    // Inside a transaction PostgreSQL answers statistics views from a snapshot taken at first use.
    await holder.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await holder.query(
      "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    return rows[0].n as number;
  };
  return {
    async send(request) {
      const waiting = await blocked();
      const sent = request();
      sent.catch(() => undefined);
      await until(async () => (await blocked()) > waiting, "the request to wait for the gated row's lock");
      return { answer: sent };
    },
    async open() {
      await holder.query("COMMIT");
      await holder.end();
    },
  };
}
