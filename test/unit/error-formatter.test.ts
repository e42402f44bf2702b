import { GraphQLError } from "graphql";
import pino from "pino";
import { errorFormatter } from "../../src/graphql/errors";

const logged: unknown[] = [];
const logger = pino({ level: "error" }, { write: (line: string) => logged.push(JSON.parse(line)) });

test("in production an unexpected error reaches the client as an id only; the log has the cause", () => {
  const cause = new Error("SQLITE_ERROR: no such column: secret_sauce");
  const formatted = errorFormatter(logger, true)(
    { message: cause.message, extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["at db.ts:1"] } },
    cause,
  );
  expect(formatted).toEqual({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR", errorId: expect.any(String) } });
  expect(JSON.stringify(formatted)).not.toMatch(/SQLITE|secret_sauce|db\.ts/);
  expect(logged).toContainEqual(expect.objectContaining({ errorId: formatted.extensions!.errorId, err: expect.objectContaining({ message: cause.message }) }));
});

test("client errors keep their message and code but never a stack trace", () => {
  const error = new GraphQLError("first must be from 1 to 100", { extensions: { code: "BAD_USER_INPUT" } });
  const formatted = errorFormatter(logger, false)({ message: error.message, extensions: { code: "BAD_USER_INPUT", stacktrace: ["x"] } }, error);
  expect(formatted).toEqual({ message: "first must be from 1 to 100", extensions: { code: "BAD_USER_INPUT" } });
});

test("class-validator's argument errors become one readable message without the input echoed back", () => {
  const formatted = errorFormatter(logger, true)(
    {
      message: "Argument Validation Error",
      extensions: {
        code: "BAD_USER_INPUT",
        validationErrors: [{ property: "first", target: { first: 500 }, constraints: { max: "first must be from 1 to 100" } }],
      },
    },
    null,
  );
  expect(formatted).toEqual({ message: "first must be from 1 to 100", extensions: { code: "BAD_USER_INPUT" } });
});
