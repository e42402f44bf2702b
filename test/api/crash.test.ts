import { databaseUrl, freshDatabase, type TestDatabase } from "../helpers/database";
import { startServerProcess, stopServerProcesses, type ServerProcess } from "../helpers/server-process";

/**
 * A mutation answered as successful survives kill -9 of the server: SQLite commits with
 * synchronous=FULL in WAL mode before the answer leaves (PostgreSQL with fsync on), and the
 * database opens again without repair.
 */
const SECRET = "px_crash_test_bootstrap_secret";
let database: TestDatabase;

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await stopServerProcesses();
  await database.drop();
});

async function graphql(
  server: ServerProcess,
  query: string,
  variables: unknown,
): Promise<{ data?: Record<string, any> }> {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
    body: JSON.stringify({ query, variables }),
  });
  if (response.status !== 200) throw new Error(`status ${response.status}`);
  return (await response.json()) as { data?: Record<string, any> };
}

const CREATE = "mutation ($input: CreateKeyInput!) { createKey(input: $input) { key { id name } } }";

test("every write acknowledged before kill -9 is there after a restart, with its audit event", async () => {
  const env = { DATABASE_URL: databaseUrl(database.config), BOOTSTRAP_ADMIN_TOKEN: SECRET };
  const first = await startServerProcess(env);
  const acknowledged: { id: string; name: string }[] = [];
  const trackedIds: string[] = [];
  let killed = false;
  const writes = Array.from({ length: 300 }, async (_, i) => {
    try {
      if (i % 3 === 0) {
        const id = `crash-event-${i}`;
        const { data } = await graphql(
          first,
          "mutation ($e: [EventInput!]!) { trackEvents(events: $e) { accepted } }",
          {
            e: [{ id, userId: "crash-user", name: "Charged" }],
          },
        );
        if (data?.trackEvents.accepted === 1) trackedIds.push(id);
      } else {
        const { data } = await graphql(first, CREATE, {
          input: { name: `crash_key_${i}`, type: "NUMBER", defaultValue: i },
        });
        if (data?.createKey.key) acknowledged.push(data.createKey.key);
      }
    } catch {
      // In flight when the server died: not acknowledged, so it may or may not be there.
    }
    if (!killed && acknowledged.length >= 60) {
      killed = true;
      first.child.kill("SIGKILL");
    }
  });
  await Promise.all(writes);
  expect(await first.exited).toMatchObject({ signal: "SIGKILL" });
  expect(acknowledged.length).toBeGreaterThanOrEqual(60);

  if (database.config.engine === "sqlite") {
    expect(await database.query("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
  }
  const second = await startServerProcess(env);
  const { data } = await graphql(second, "{ keys(first: 100) { totalCount } }", {});
  expect(data?.keys.totalCount).toBeGreaterThanOrEqual(acknowledged.length);
  for (const key of acknowledged) {
    const found = await graphql(
      second,
      "query ($id: ID) { key(id: $id) { name } auditLog(entityId: $id) { nodes { action } } }",
      { id: key.id },
    );
    expect(found.data).toEqual({ key: { name: key.name }, auditLog: { nodes: [{ action: "createKey" }] } });
  }
  const stored = await database.query<{ client_id: string }>("SELECT client_id FROM event");
  expect(stored.map((row) => row.client_id)).toEqual(expect.arrayContaining(trackedIds));
});
