import pino from "pino";
import { startHttpServer, type HttpTestServer } from "../helpers/servers";

/** A production server whose database fails under it: clients get an id, the log gets the cause. */
const SECRET = "px_errors_test_bootstrap_secret";
let server: HttpTestServer;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = await startHttpServer({
    env: { NODE_ENV: "production", BOOTSTRAP_ADMIN_TOKEN: SECRET },
    logger: pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line)) }),
  });
});
afterAll(() => server.close());

async function ask(query: string, authorization = `Bearer ${SECRET}`) {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text() };
}

test("an SQL failure reaches the client as 'Internal server error' and an id, and the log has the cause under that id", async () => {
  await server.database.query("DROP TABLE goal");
  const { text } = await ask("{ goals { totalCount } }");
  const body = JSON.parse(text);
  expect(body.errors).toEqual([
    {
      message: "Internal server error",
      path: ["goals"],
      locations: expect.any(Array),
      extensions: { code: "INTERNAL_SERVER_ERROR", errorId: expect.any(String) },
    },
  ]);
  expect(text).not.toMatch(/goal"|relation|SQLITE|QueryFailed|select|stack|\.ts:/i);

  const logged = logLines.find((line) => line.errorId === body.errors[0].extensions.errorId);
  expect(logged).toMatchObject({ level: 50, err: { message: expect.stringMatching(/goal/) } });
  expect(JSON.stringify(logLines)).not.toContain(SECRET);
});

test("the rest of the API keeps working", async () => {
  expect(JSON.parse((await ask("{ viewer { role } }")).text)).toEqual({
    data: { viewer: { role: "ADMIN" } },
  });
});

test("client errors in production carry their message and code but no stack trace", async () => {
  const unauthenticated = await ask("{ viewer { role } }", "Bearer nope");
  expect(unauthenticated.status).toBe(401);
  expect(unauthenticated.text).not.toMatch(/stacktrace|at .*\.(ts|js)/);
  const invalid = await ask("{ keys(first: 500) { totalCount } }");
  expect(JSON.parse(invalid.text).errors[0]).toEqual({
    message: "first must be from 1 to 100",
    // Refused before anything ran: it points at the field, and there is no result path yet.
    locations: [{ line: 1, column: 3 }],
    extensions: { code: "BAD_USER_INPUT" },
  });
});
