import type { EntityManager } from "typeorm";
import { sql } from "./sql";

/**
 * A write that must reach the disk to commit, for /healthz (WriteHealth): one row of its own table,
 * so it touches nothing a request reads or locks.
 */
export async function probeWrite(tx: EntityManager): Promise<void> {
  await sql(tx, "UPDATE write_probe SET probed_at = :now WHERE id = 1", { now: Date.now() });
}
