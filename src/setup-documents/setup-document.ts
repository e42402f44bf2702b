import { createHash } from "node:crypto";
import { Correction, GuardrailAction } from "../results/analysis";
import { Match, Occurrence, Operator } from "../segments/segment-rule";
import { at, UserErrors, type UserError } from "../shared/user-error";

/**
 * The setup-as-code document (RULES.md "Setup as code"): a project's keys, segments, goals,
 * settings and experiences as JSON, with names where the API takes ids and nothing that belongs to
 * one installation. Pure: its JSON Schema (published at SETUP_SCHEMA_PATH, and what imports are
 * checked against), its canonical form and digest. setup-document.service.ts exports and imports it.
 */

export const SETUP_FORMAT = "px-setup/1";
export const SETUP_SCHEMA_PATH = "/schemas/px-setup-1.json";

const nullable = (type: string) => ({ type: [type, "null"] });
const list = (items: object) => ({ type: "array", items });
const enumOf = (values: Record<string, string>) => ({ enum: Object.values(values) });

/** JSON Schema (2020-12) of the document: what editors validate and complete, and what an import checks first. */
export const SETUP_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: SETUP_SCHEMA_PATH,
  title: "Product Experiences setup (px-setup/1)",
  description:
    "A project's keys, segments, goals, settings and experiences, referenced by name. exportSetup writes it; importSetup plans or applies it.",
  type: "object",
  additionalProperties: false,
  required: ["format"],
  properties: {
    $schema: {
      type: "string",
      description:
        "Where editors find this schema, e.g. http://localhost:4000/schemas/px-setup-1.json. Ignored by an import; not exported.",
    },
    format: { const: SETUP_FORMAT, description: "Always px-setup/1." },
    keys: list({ $ref: "#/$defs/key" }),
    segments: list({ $ref: "#/$defs/segment" }),
    goals: list({ $ref: "#/$defs/goal" }),
    settings: { $ref: "#/$defs/settings" },
    experiences: list({ $ref: "#/$defs/experience" }),
  },
  $defs: {
    key: {
      type: "object",
      additionalProperties: false,
      required: ["name", "type", "defaultValue"],
      properties: {
        name: {
          type: "string",
          description: "1 to 64 characters: a letter, then letters, digits, _, . or -.",
        },
        type: { enum: ["STRING", "NUMBER", "BOOLEAN", "JSON"] },
        defaultValue: { description: "Of the key's type." },
        description: nullable("string"),
        archived: { type: "boolean" },
      },
    },
    propertyCondition: {
      type: "object",
      additionalProperties: false,
      required: ["property", "operator"],
      properties: {
        property: { type: "string" },
        operator: enumOf(Operator),
        values: list({ type: ["string", "number", "boolean"] }),
      },
    },
    eventCondition: {
      type: "object",
      additionalProperties: false,
      required: ["occurrence", "event"],
      properties: {
        occurrence: enumOf(Occurrence),
        event: { type: "string" },
        withinDays: nullable("integer"),
        minCount: nullable("integer"),
        where: list({ $ref: "#/$defs/propertyCondition" }),
      },
    },
    condition: {
      type: "object",
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        property: { $ref: "#/$defs/propertyCondition" },
        event: { $ref: "#/$defs/eventCondition" },
      },
    },
    rule: {
      type: "object",
      additionalProperties: false,
      required: ["match"],
      properties: {
        match: enumOf(Match),
        conditions: list({ $ref: "#/$defs/condition" }),
        groups: list({ $ref: "#/$defs/rule" }),
      },
    },
    segment: {
      type: "object",
      additionalProperties: false,
      required: ["name", "rule"],
      properties: {
        name: { type: "string" },
        description: nullable("string"),
        rule: { $ref: "#/$defs/rule" },
        archived: { type: "boolean" },
      },
    },
    goal: {
      type: "object",
      additionalProperties: false,
      required: ["name", "events"],
      properties: {
        name: { type: "string" },
        description: nullable("string"),
        events: list({ type: "string" }),
        where: list({ $ref: "#/$defs/propertyCondition" }),
        valueProperty: nullable("string"),
        higherIsBetter: { type: "boolean" },
        archived: { type: "boolean" },
      },
    },
    analysis: {
      type: "object",
      additionalProperties: false,
      properties: {
        confidenceLevel: { type: "number" },
        sequential: { type: "boolean" },
        sequentialTuning: { type: "integer" },
        cuped: { type: "boolean" },
        cupedPreDays: { type: "integer" },
        correction: enumOf(Correction),
      },
    },
    settings: {
      type: "object",
      additionalProperties: false,
      properties: {
        mutuallyExclusiveABTests: { type: "boolean" },
        defaultAnalysis: { $ref: "#/$defs/analysis" },
      },
    },
    value: {
      type: "object",
      additionalProperties: false,
      required: ["key", "value"],
      properties: { key: { type: "string", description: "A key's name." }, value: {} },
    },
    variant: {
      type: "object",
      additionalProperties: false,
      required: ["name", "weight"],
      properties: {
        name: { type: "string" },
        weight: { type: "number" },
        isControl: { type: "boolean" },
        values: list({ $ref: "#/$defs/value" }),
      },
    },
    experience: {
      description: "One of the three kinds, told apart by `kind`.",
      oneOf: [{ $ref: "#/$defs/productConfig" }, { $ref: "#/$defs/featureFlag" }, { $ref: "#/$defs/abTest" }],
    },
    productConfig: {
      type: "object",
      additionalProperties: false,
      required: ["kind", "name", "values"],
      properties: {
        kind: { const: "PRODUCT_CONFIG" },
        name: { type: "string" },
        description: nullable("string"),
        segment: { ...nullable("string"), description: "A segment's name; null: all users." },
        values: list({ $ref: "#/$defs/value" }),
        priority: { type: "integer" },
        archived: { type: "boolean" },
      },
    },
    featureFlag: {
      type: "object",
      additionalProperties: false,
      required: ["kind", "name", "key", "value"],
      properties: {
        kind: { const: "FEATURE_FLAG" },
        name: { type: "string" },
        description: nullable("string"),
        segment: nullable("string"),
        key: { type: "string", description: "A key's name." },
        value: {},
        rolloutPercentage: { type: "number" },
        archived: { type: "boolean" },
      },
    },
    abTest: {
      type: "object",
      additionalProperties: false,
      required: ["kind", "name", "variants", "goals", "primaryGoal"],
      properties: {
        kind: { const: "AB_TEST" },
        name: { type: "string" },
        description: nullable("string"),
        segment: nullable("string"),
        trafficPercentage: { type: "number" },
        variants: list({ $ref: "#/$defs/variant" }),
        goals: list({ type: "string" }),
        primaryGoal: { type: "string" },
        mutuallyExclusive: { type: "boolean" },
        priority: { type: "integer" },
        stickyTarget: { type: "boolean" },
        exposureEvent: nullable("string"),
        analysis: { $ref: "#/$defs/analysis" },
        guardrailGoals: list({ type: "string" }),
        guardrailAction: enumOf(GuardrailAction),
        archived: { type: "boolean" },
      },
    },
  },
} as const;

type Schema = Record<string, unknown>;

/**
 * Why `value` does not fit the schema, each at its path under ["document"]. A walk of the schema
 * subset the document uses: type, const, enum, properties, required, additionalProperties: false,
 * min/maxProperties, items, $ref, and a oneOf told apart by `kind`.
 */
export function schemaErrors(
  value: unknown,
  schema: Schema = SETUP_SCHEMA,
  path: string[] = ["document"],
): UserError[] {
  const resolved = resolve(schema);
  if (resolved.oneOf) return oneOfErrors(value, resolved.oneOf as Schema[], path);
  if ("const" in resolved && value !== resolved.const)
    return [UserErrors.invalid(path, `must be ${JSON.stringify(resolved.const)}`)];
  if (resolved.enum && !(resolved.enum as unknown[]).includes(value))
    return [UserErrors.invalid(path, `must be one of ${(resolved.enum as string[]).join(", ")}`)];
  const types = resolved.type === undefined ? null : [resolved.type as string | string[]].flat();
  if (types && !typeMatches(value, types)) return [UserErrors.invalid(path, `must be ${types.join(" or ")}`)];
  if (Array.isArray(value) && resolved.items)
    return value.flatMap((item, index) => schemaErrors(item, resolved.items as Schema, at(path, index)));
  if (value === null || typeof value !== "object" || Array.isArray(value) || !resolved.properties) return [];
  const object = value as Record<string, unknown>;
  const properties = resolved.properties as Record<string, Schema>;
  const errors: UserError[] = [];
  for (const name of Object.keys(object))
    if (!(name in properties))
      errors.push(
        UserErrors.invalid(
          at(path, name),
          `is not a field here (the fields are ${Object.keys(properties).join(", ")})`,
        ),
      );
  for (const name of (resolved.required as string[] | undefined) ?? [])
    if (!(name in object)) errors.push(UserErrors.invalid(at(path, name), "is required"));
  const count = Object.keys(object).length;
  if (
    (resolved.minProperties !== undefined && count < (resolved.minProperties as number)) ||
    (resolved.maxProperties !== undefined && count > (resolved.maxProperties as number))
  )
    errors.push(UserErrors.invalid(path, `must set exactly one of ${Object.keys(properties).join(", ")}`));
  for (const [name, field] of Object.entries(object))
    if (name in properties) errors.push(...schemaErrors(field, properties[name], at(path, name)));
  return errors;
}

function resolve(schema: Schema): Schema {
  const ref = schema.$ref as string | undefined;
  if (!ref) return schema;
  return resolve((SETUP_SCHEMA.$defs as Record<string, Schema>)[ref.replace("#/$defs/", "")]);
}

function oneOfErrors(value: unknown, branches: Schema[], path: string[]): UserError[] {
  const kinds = branches.map(
    (branch) => (resolve(branch).properties as { kind: { const: string } }).kind.const,
  );
  const kind = value !== null && typeof value === "object" ? (value as { kind?: unknown }).kind : undefined;
  const branch = branches[kinds.indexOf(kind as string)];
  if (!branch) return [UserErrors.invalid(at(path, "kind"), `must be one of ${kinds.join(", ")}`)];
  return schemaErrors(value, branch, path);
}

function typeMatches(value: unknown, types: string[]): boolean {
  return types.some((one) => {
    switch (one) {
      case "null":
        return value === null;
      case "array":
        return Array.isArray(value);
      case "object":
        return value !== null && typeof value === "object" && !Array.isArray(value);
      case "integer":
        return Number.isInteger(value);
      default:
        return typeof value === one;
    }
  });
}

/** JSON with every object's fields sorted by name and no spaces: equal setups, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, field]) => `${JSON.stringify(name)}:${canonicalJson(field)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The document with its fields sorted (what exportSetup answers) and the SHA-256 of its canonical JSON. */
export function sealed(document: object): { document: unknown; digest: string } {
  const text = canonicalJson(document);
  return { document: JSON.parse(text), digest: createHash("sha256").update(text).digest("hex") };
}
