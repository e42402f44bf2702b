import { GraphQLJSON } from "graphql-scalars";
import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { UserError } from "../graphql/user-error.type";
import { SetupAction, SetupObjectKind } from "./setup-document.service";

registerEnumType(SetupObjectKind, {
  name: "SetupObjectKind",
  description: "What an object of a setup document is.",
  valuesConfig: {
    KEY: { description: "A key." },
    SEGMENT: { description: "A segment." },
    GOAL: { description: "A goal." },
    SETTINGS: { description: "The project's settings (one per project)." },
    PRODUCT_CONFIG: { description: "A product config." },
    FEATURE_FLAG: { description: "A feature flag." },
    AB_TEST: { description: "An A/B test." },
  },
});

registerEnumType(SetupAction, {
  name: "SetupAction",
  description: "What an import does to one object.",
  valuesConfig: {
    CREATE: { description: "Makes it (experiences as DRAFTs)." },
    UPDATE: { description: "Changes the fields named." },
    ARCHIVE: { description: "Archives it (and changes the fields named, first)." },
    UNARCHIVE: { description: "Unarchives it (then changes the fields named)." },
    UNCHANGED: { description: "The project holds what the document says." },
  },
});

@ObjectType({
  description:
    "A project's setup as a document (format px-setup/1, RULES.md 'Setup as code'): objects referenced by name, no ids.",
})
export class SetupDocument {
  @Field(() => GraphQLJSON, { description: "The document: JSON Schema at /schemas/px-setup-1.json." })
  document!: unknown;

  @Field({ description: "SHA-256 (hex) of the document's canonical JSON: equal setups give equal digests." })
  digest!: string;
}

@ObjectType({ description: "What an import does, or would do, to one object." })
export class SetupChange {
  @Field(() => SetupObjectKind, { description: "What the object is." })
  kind!: SetupObjectKind;

  @Field({ description: "Its name (the settings: settings)." })
  name!: string;

  @Field(() => SetupAction, { description: "What happens to it." })
  action!: SetupAction;

  @Field(() => [String], {
    description: "The document's field names whose value changes (empty for CREATE and UNCHANGED).",
  })
  fields!: string[];
}

@ObjectType({ description: "What importSetup answers." })
export class ImportSetupPayload {
  @Field(() => [SetupChange], {
    description:
      "Every object of the document and, with archiveMissing, of the project: what the import does (dryRun) or did.",
  })
  changes!: SetupChange[];

  @Field({
    description: "true when the changes were made; false for a dry run or when userErrors is not empty.",
  })
  applied!: boolean;

  @Field(() => [UserError], {
    description: `${Describe.userErrors} Field paths start with "document", e.g. ["document", "keys", "3", "defaultValue"].`,
  })
  userErrors!: UserError[];
}
