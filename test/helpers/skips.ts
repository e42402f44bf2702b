import { testEngine } from "./database";

/**
 * The one idiom for tests that cannot run everywhere: jest's `test` and `describe` when `skipReason`
 * is null, else skipped ones whose names end with the reason, so the report says what did not run
 * and why (jest prints skipped tests' names with --verbose, and counts them always).
 */
export function runIf(skipReason: string | null): { test: jest.It; describe: jest.Describe } {
  if (skipReason === null) return { test, describe };
  const because = (name: string) => `${name} [skipped: ${skipReason}]`;
  const skippedTest = ((name: string, ...rest: unknown[]) =>
    (test.skip as (...args: unknown[]) => void)(because(name), ...rest)) as unknown as jest.It;
  const skippedDescribe = ((name: string, ...rest: unknown[]) =>
    (describe.skip as (...args: unknown[]) => void)(because(name), ...rest)) as unknown as jest.Describe;
  return { test: skippedTest, describe: skippedDescribe };
}

/** Tests of something only SQLite has (one writer per file, its file on disk); `why` names it. */
export function onSqliteOnly(why: string) {
  return runIf(testEngine() === "sqlite" ? null : `SQLite only: ${why}`);
}

/** Tests of something only PostgreSQL has (several server processes on one database); `why` names it. */
export function onPostgresOnly(why: string) {
  return runIf(testEngine() === "postgres" ? null : `PostgreSQL only: ${why}`);
}
