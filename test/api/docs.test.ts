import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, validate } from "graphql";
import { buildAppSchema } from "../../src/graphql/schema";

/** Every ```graphql block in README.md and docs/ is an operation the server accepts: docs cannot drift. */
const ROOT = path.join(__dirname, "..", "..");
const files = ["README.md", ...readdirSync(path.join(ROOT, "docs")).map((file) => path.join("docs", file))].filter((file) => file.endsWith(".md"));

const blocks = files.flatMap((file) =>
  [...readFileSync(path.join(ROOT, file), "utf8").matchAll(/```graphql\n([\s\S]*?)```/g)].map((match, index) => [`${file} #${index + 1}`, match[1]] as const),
);

test("the docs have GraphQL examples", () => {
  expect(blocks.length).toBeGreaterThan(25);
});

test.each(blocks)("%s parses and validates against the schema", async (_where, source) => {
  const schema = await buildAppSchema();
  // A block may hold several operations: each starts at a line beginning with mutation, query or {.
  const documents: string[] = [];
  for (const line of source.split("\n")) {
    if (/^(mutation|query|\{)/.test(line) || documents.length === 0) documents.push(line);
    else documents[documents.length - 1] += `\n${line}`;
  }
  for (const document of documents) expect(validate(schema, parse(document)).map((error) => error.message)).toEqual([]);
});
