import { AsyncLocalStorage } from "node:async_hooks";
import type { EntityManager } from "typeorm";

/** A transaction under way, and how many savepoints it has named so far. */
interface Scope {
  owner: object;
  tx: EntityManager;
  savepoints: number;
}

const scopes = new AsyncLocalStorage<Scope>();

/**
 * Units of work nested in a transaction of the same database (an import makes each object's change
 * through the API's own mutations, inside its one transaction): `Database.transaction` called while
 * one is under way in the same async flow joins it as a savepoint instead of waiting for the writer
 * (which on SQLite is itself) or opening a second connection (which on PostgreSQL would not see it).
 * A nested unit that fails is undone to its savepoint and its error goes on to the caller; the
 * enclosing transaction decides whether anything commits.
 */
export function runEnclosing<T>(
  owner: object,
  tx: EntityManager,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  return scopes.run({ owner, tx, savepoints: 0 }, () => work(tx));
}

/** The transaction of `owner` (a Database) under way in this async flow, if any. */
export function enclosingOf(owner: object): Scope | undefined {
  const scope = scopes.getStore();
  return scope?.owner === owner ? scope : undefined;
}

/** Runs `work` as a savepoint of the enclosing transaction: undone alone when it throws. */
export async function asSavepoint<T>(scope: Scope, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  const name = `px_nested_${++scope.savepoints}`;
  await scope.tx.query(`SAVEPOINT ${name}`);
  let result: T;
  try {
    result = await work(scope.tx);
  } catch (error) {
    await scope.tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
    await scope.tx.query(`RELEASE SAVEPOINT ${name}`);
    throw error;
  }
  await scope.tx.query(`RELEASE SAVEPOINT ${name}`);
  return result;
}
