import { databaseUrl, freshDatabase, type TestDatabase } from "../helpers/database";
import { startServerProcess, stopServerProcesses, type ServerProcess } from "../helpers/servers";

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

test("every first-visit placement answered before kill -9 is there after a restart (group commit)", async () => {
  const fresh = await freshDatabase();
  try {
    const env = { DATABASE_URL: databaseUrl(fresh.config), BOOTSTRAP_ADMIN_TOKEN: SECRET };
    const first = await startServerProcess(env);
    const { data: setup } = await graphql(
      first,
      `
        mutation {
          key: createKey(input: { name: "banner", type: STRING, defaultValue: "a" }) {
            key {
              id
            }
          }
          goal: createGoal(input: { name: "Purchase", events: ["Charged"] }) {
            goal {
              id
            }
          }
        }
      `,
      {},
    );
    const { data: created } = await graphql(
      first,
      "mutation ($input: CreateABTestInput!) { createABTest(input: $input) { experience { id } } }",
      {
        input: {
          name: "Banner",
          goalIds: [setup!.goal.goal.id],
          primaryGoalId: setup!.goal.goal.id,
          variants: [
            { name: "control", weight: 50, isControl: true },
            { name: "treatment", weight: 50, values: [{ keyId: setup!.key.key.id, value: "b" }] },
          ],
        },
      },
    );
    const testId = created!.createABTest.experience.id as string;
    await graphql(first, "mutation ($id: ID!) { startExperience(id: $id) { experience { id } } }", {
      id: testId,
    });
    const answered = new Map<string, string>();
    let killed = false;
    await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        try {
          const { data } = await graphql(
            first,
            "query ($user: UserContextInput!) { evaluate(user: $user) { assignments { variant } } }",
            { user: { id: `visitor-${i}` } },
          );
          const variant = data?.evaluate.assignments[0]?.variant;
          if (variant) answered.set(`visitor-${i}`, variant);
        } catch {
          // In flight when the server died: not answered, so it may or may not be stored.
        }
        if (!killed && answered.size >= 60) {
          killed = true;
          first.child.kill("SIGKILL");
        }
      }),
    );
    expect(await first.exited).toMatchObject({ signal: "SIGKILL" });
    expect(answered.size).toBeGreaterThanOrEqual(60);
    if (fresh.config.engine === "sqlite") {
      expect(await fresh.query("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
    }
    const stored = await fresh.query<{ user_id: string; name: string }>(
      "SELECT assignment.user_id, variant.name FROM assignment JOIN variant ON variant.id = assignment.variant_id",
    );
    const storedVariant = new Map(stored.map((row) => [row.user_id, row.name]));
    for (const [user, variant] of answered) expect(storedVariant.get(user)).toBe(variant);
  } finally {
    await stopServerProcesses();
    await fresh.drop();
  }
});
