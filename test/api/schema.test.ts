import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, findBreakingChanges } from "graphql";
import { buildAppSchema } from "../../src/graphql/schema";
import { printSortedSchema } from "../../src/graphql/print-schema";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/**
 * Parts of the contract that later issues build (#3 experiences, #4 evaluation and tracking).
 * This list may only shrink: an entry that is no longer missing fails the test below.
 */
const NOT_BUILT_YET = new Set([
  "KeyValue was removed.",
  "KeyValueInput was removed.",
  "Experience was removed.",
  "ProductConfig was removed.",
  "FeatureFlag was removed.",
  "Standard scalar Float was removed because it is not referenced anymore.",
  "Variant was removed.",
  "ABTest was removed.",
  "GoalResult was removed.",
  "VariantResult was removed.",
  "ABTestResults was removed.",
  "ExperienceEdge was removed.",
  "ExperienceConnection was removed.",
  "ExperienceFilter was removed.",
  "CreateProductConfigInput was removed.",
  "CreateFeatureFlagInput was removed.",
  "VariantInput was removed.",
  "CreateABTestInput was removed.",
  "UpdateProductConfigInput was removed.",
  "UpdateFeatureFlagInput was removed.",
  "UpdateABTestInput was removed.",
  "ExperiencePayload was removed.",
  "UserContextInput was removed.",
  "ValueSource was removed.",
  "EvaluatedValue was removed.",
  "Assignment was removed.",
  "Evaluation was removed.",
  "EventInput was removed.",
  "TrackPayload was removed.",
  "Query.experiences was removed.",
  "Query.experience was removed.",
  "Query.evaluate was removed.",
  "Mutation.createProductConfig was removed.",
  "Mutation.createFeatureFlag was removed.",
  "Mutation.createABTest was removed.",
  "Mutation.updateProductConfig was removed.",
  "Mutation.updateFeatureFlag was removed.",
  "Mutation.updateABTest was removed.",
  "Mutation.startExperience was removed.",
  "Mutation.pauseExperience was removed.",
  "Mutation.stopExperience was removed.",
  "Mutation.archiveExperience was removed.",
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
