import type { EntityManager } from "typeorm";
import { ok, type Result } from "../shared/result";
import type { FieldPath } from "../shared/user-error";
import type { BulkArchived } from "../shared/versions";
import type { Database } from "./database";
import { sql } from "./sql";

/** Carries a failed Result out of a transaction so that the transaction rolls back. */
class Rollback extends Error {
  constructor(readonly result: Result<never>) {
    super("rolled back: the work answered userErrors");
  }
}

/**
 * Runs `work` as one transaction that commits only when it succeeds: a mutation that answers with
 * userErrors has changed nothing, whatever it wrote before it found the problem.
 */
export async function commitIfOk<T>(
  db: Database,
  work: (tx: EntityManager) => Promise<Result<T>>,
): Promise<Result<T>> {
  try {
    return await db.transaction(async (tx) => {
      const result = await work(tx);
      if (!result.ok) throw new Rollback(result);
      return result;
    });
  } catch (error) {
    if (error instanceof Rollback) return error.result;
    throw error;
  }
}

/**
 * A change to one project's setup (keys, segments, goals, settings, experiences, tokens).
 * It starts by bumping the project's config version, which does two jobs in one statement:
 * - on PostgreSQL the UPDATE takes the project row's lock, so every check-then-write of the project
 *   (the 500 keys limit, unique names, "is this key still referenced") runs alone until commit,
 *   across all server processes; setup changes are human-paced, so this costs nothing that matters;
 * - it tells every process that its cached ruleset for the project is stale.
 */
export function changeProject<T>(
  db: Database,
  projectId: string,
  work: (tx: EntityManager) => Promise<Result<T>>,
): Promise<Result<T>> {
  return commitIfOk(db, async (tx) => {
    await sql(tx, "UPDATE project SET config_version = config_version + 1 WHERE id = :projectId", {
      projectId,
    });
    return work(tx);
  });
}

/**
 * A bulk archive in one transaction of the project, each id judged alone: `one` checks and archives
 * one id and writes nothing when it refuses it, so the refused ids come back as userErrors (their
 * path ["ids", "<index>"]) and the others are archived, every check holding until the commit.
 */
export async function archiveEach(
  db: Database,
  projectId: string,
  ids: readonly string[],
  one: (tx: EntityManager, id: string, field: FieldPath) => Promise<Result<unknown>>,
): Promise<BulkArchived> {
  const result = await changeProject(db, projectId, async (tx) => {
    const outcome: BulkArchived = { archived: [], userErrors: [] };
    for (const [index, id] of ids.entries()) {
      const done = await one(tx, id, ["ids", String(index)]);
      if (done.ok) outcome.archived.push(id);
      else outcome.userErrors.push(...done.errors);
    }
    return ok(outcome);
  });
  return result.ok ? result.value : { archived: [], userErrors: result.errors };
}
