import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, findBreakingChanges } from "graphql";
import { buildAppSchema } from "../../src/graphql/schema";
import { printSortedSchema } from "../../src/graphql/print-schema";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/**
 * Parts of the contract that a later issue builds (#4: evaluation, tracking and results).
 * This list may only shrink: an entry that is no longer missing fails the test below.
 */
const NOT_BUILT_YET = new Set([
  "GoalResult was removed.",
  "VariantResult was removed.",
  "ABTestResults was removed.",
  "UserContextInput was removed.",
  "ValueSource was removed.",
  "EvaluatedValue was removed.",
  "Assignment was removed.",
  "Evaluation was removed.",
  "EventInput was removed.",
  "TrackPayload was removed.",
  "ABTest.results was removed.",
  "Query.evaluate was removed.",
  "Mutation.trackEvents was removed.",
  "Mutation.identify was removed.",
]);

test("schema/schema.graphql is the schema the code emits (run `npm run schema` after changing types)", async () => {
  expect(read("schema/schema.graphql")).toBe(printSortedSchema(await buildAppSchema()));
});

test("the served schema holds the API contract, but for the parts not built yet", async () => {
  const contract = buildSchema(read("schema/contract.graphql"));
  const breaking = findBreakingChanges(contract, await buildAppSchema()).map((change) => change.description);
  expect(breaking.filter((description) => !NOT_BUILT_YET.has(description))).toEqual([]);
  expect([...NOT_BUILT_YET].filter((description) => !breaking.includes(description))).toEqual([]);
});

test("schema/contract.graphql is the product owner's contract, unchanged", () => {
  const shared = path.join(ROOT, "..", "shared", "contract.graphql");
  if (!existsSync(shared)) return; // a clean clone in CI has only our copy
  expect(read("schema/contract.graphql")).toBe(readFileSync(shared, "utf8"));
});
