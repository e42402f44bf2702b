import { GraphQLError } from "graphql";
import pino from "pino";
import { errorFormatter, MAX_CLIENT_MESSAGE_LENGTH } from "../../src/graphql/errors";

const logged: unknown[] = [];
const logger = pino({ level: "error" }, { write: (line: string) => logged.push(JSON.parse(line)) });

test("in production an unexpected error reaches the client as an id only; the log has the cause", () => {
  const cause = new Error("SQLITE_ERROR: no such column: secret_sauce");
  const formatted = errorFormatter(logger, true)(
    { message: cause.message, extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["at db.ts:1"] } },
    cause,
  );
  expect(formatted).toEqual({
    message: "Internal server error",
    extensions: { code: "INTERNAL_SERVER_ERROR", errorId: expect.any(String) },
  });
  expect(JSON.stringify(formatted)).not.toMatch(/SQLITE|secret_sauce|db\.ts/);
  expect(logged).toContainEqual(
    expect.objectContaining({
      errorId: formatted.extensions!.errorId,
      err: expect.objectContaining({ message: cause.message }),
    }),
  );
});

test("client errors keep their message and code but never a stack trace", () => {
  const error = new GraphQLError("first must be from 1 to 100", { extensions: { code: "BAD_USER_INPUT" } });
  const formatted = errorFormatter(logger, false)(
    { message: error.message, extensions: { code: "BAD_USER_INPUT", stacktrace: ["x"] } },
    error,
  );
  expect(formatted).toEqual({
    message: "first must be from 1 to 100",
    extensions: { code: "BAD_USER_INPUT" },
  });
});

test("a client error that echoes a huge input back is shortened to a bounded message", () => {
  const echo = `Variable "$input" got invalid value "${"x".repeat(900_000)}"; String cannot represent a non string value`;
  const formatted = errorFormatter(logger, true)(
    { message: echo, extensions: { code: "BAD_USER_INPUT" } },
    null,
  );
  expect(formatted.message.length).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_LENGTH + 20);
  expect(formatted.message.startsWith('Variable "$input" got invalid value "xxx')).toBe(true);
  expect(formatted.extensions).toEqual({ code: "BAD_USER_INPUT" });
});
