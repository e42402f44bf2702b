import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  buildSchema,
  findBreakingChanges,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
} from "graphql";
import { buildAppSchema } from "../../src/graphql/schema";
import { printSortedSchema } from "../../src/graphql/print-schema";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

test("schema/schema.graphql is the schema the code emits (run `npm run schema` after changing types)", async () => {
  expect(read("schema/schema.graphql")).toBe(printSortedSchema(await buildAppSchema()));
});

test("the served schema holds the API contract: findBreakingChanges(contract, served) finds nothing", async () => {
  const contract = buildSchema(read("schema/contract.graphql"));
  const breaks = findBreakingChanges(contract, await buildAppSchema());
  expect(breaks.map((change) => change.description)).toEqual([]);
});

test("schema/contract.graphql is the product owner's contract, unchanged", () => {
  const shared = path.join(ROOT, "..", "shared", "contract.graphql");
  if (!existsSync(shared)) return; // a clean clone in CI has only our copy
  expect(read("schema/contract.graphql")).toBe(readFileSync(shared, "utf8"));
});

test("every type, field, argument and enum value has a description (GraphiQL's docs show them)", async () => {
  const schema = await buildAppSchema();
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || isSpecifiedScalarType(type)) continue;
    if (!type.description) missing.push(`type ${type.name}`);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const argument of "args" in field ? field.args : []) {
          if (!argument.description) missing.push(`${type.name}.${field.name}(${argument.name})`);
        }
      }
    }
    if (isEnumType(type))
      for (const value of type.getValues())
        if (!value.description) missing.push(`${type.name}.${value.name}`);
  }
  expect(missing).toEqual([]);
});
