import { testEngine } from "../helpers/database";
import { startTestApp } from "../helpers/servers";

/**
 * The pass runs on the engine it was asked for: `npm run test:postgres` (PX_TEST_ENGINE=postgres)
 * must not pass on SQLite because the PostgreSQL server failed to start.
 */
test(`the test server runs on ${testEngine()}, the engine this pass was asked for`, async () => {
  const app = await startTestApp();
  try {
    expect(app.services.db.engine).toBe(testEngine());
    const [{ version }] = await app.services.db.reader.query(
      testEngine() === "postgres" ? "SELECT version() AS version" : "SELECT sqlite_version() AS version",
    );
    expect(String(version)).toMatch(testEngine() === "postgres" ? /^PostgreSQL \d+/ : /^3\.\d+/);
  } finally {
    await app.close();
  }
});
