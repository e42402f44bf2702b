import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, findBreakingChanges } from "graphql";
import { buildAppSchema } from "../../src/graphql/schema";
import { printSortedSchema } from "../../src/graphql/print-schema";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");


test("schema/schema.graphql is the schema the code emits (run `npm run schema` after changing types)", async () => {
  expect(read("schema/schema.graphql")).toBe(printSortedSchema(await buildAppSchema()));
});

test("the served schema holds the API contract: findBreakingChanges(contract, served) finds nothing", async () => {
  const contract = buildSchema(read("schema/contract.graphql"));
  expect(findBreakingChanges(contract, await buildAppSchema()).map((change) => change.description)).toEqual([]);
});

test("schema/contract.graphql is the product owner's contract, unchanged", () => {
  const shared = path.join(ROOT, "..", "shared", "contract.graphql");
  if (!existsSync(shared)) return; // a clean clone in CI has only our copy
  expect(read("schema/contract.graphql")).toBe(readFileSync(shared, "utf8"));
});
