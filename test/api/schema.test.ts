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

/**
 * Parts of the contract this server does not serve yet, each under the issue that serves it. The
 * list only shrinks: a part that is served must come off it (the test after this one says so).
 */
const NOT_YET_SERVED: Record<string, string[]> = {
  "#30 webhooks": [
    "Webhook",
    "DeliveryStatus",
    "WebhookDelivery",
    "WebhookDeliveryEdge",
    "WebhookDeliveryConnection",
    "CreateWebhookInput",
    "UpdateWebhookInput",
    "WebhookPayload",
    "WebhookDeliveryPayload",
    "Query.webhooks",
    "Mutation.createWebhook",
    "Mutation.updateWebhook",
    "Mutation.deleteWebhook",
    "Mutation.redeliverWebhook",
  ],
};
const notYetServed = new Set(Object.values(NOT_YET_SERVED).flat());

async function contractBreaks(): Promise<string[]> {
  const contract = buildSchema(read("schema/contract.graphql"));
  return findBreakingChanges(contract, await buildAppSchema()).map((change) => change.description);
}

test("the served schema holds the API contract: findBreakingChanges(contract, served) finds nothing but the parts not served yet", async () => {
  const breaks = await contractBreaks();
  expect(breaks.filter((description) => !notYetServed.has(description.split(" ")[0]))).toEqual([]);
});

test("the list of parts not served yet holds only parts that are not served", async () => {
  const missing = new Set((await contractBreaks()).map((description) => description.split(" ")[0]));
  expect([...notYetServed].filter((part) => !missing.has(part))).toEqual([]);
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
