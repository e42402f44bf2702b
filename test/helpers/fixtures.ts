import {
  CreateAbTestDocument,
  CreateApiTokenDocument,
  type Role,
  CreateFeatureFlagDocument,
  CreateGoalDocument,
  CreateKeyDocument,
  CreateProductConfigDocument,
  CreateSegmentDocument,
  EvaluateDocument,
  StartExperienceDocument,
  type CreateAbTestInput,
  type CreateFeatureFlagInput,
  type CreateProductConfigInput,
  type SegmentRuleInput,
  type UserContextInput,
  type ValueType,
} from "../../client/generated/graphql";
import type { GraphqlClient } from "./servers";

let counter = 0;
/** A name no other fixture has used in this process. */
export function unique(prefix: string): string {
  return `${prefix}_${++counter}`;
}

const EVERYONE_WITH_A_CITY: SegmentRuleInput = {
  match: "ALL",
  conditions: [{ property: { property: "city", operator: "EXISTS" } }],
};

/** Setup objects made through the API, failing the test if the server refuses them. */
export function fixtures(app: GraphqlClient, token: string = app.adminToken) {
  const must = <T extends { userErrors: unknown[] }>(payload: T): T => {
    if (payload.userErrors.length) throw new Error(`fixture refused: ${JSON.stringify(payload.userErrors)}`);
    return payload;
  };
  return {
    async key(
      type: ValueType = "BOOLEAN",
      defaultValue: unknown = false,
      name = unique("key"),
    ): Promise<string> {
      const { createKey } = await app.query(
        CreateKeyDocument,
        { input: { name, type, defaultValue } },
        token,
      );
      return must(createKey).key!.id;
    },
    async segment(rule: SegmentRuleInput = EVERYONE_WITH_A_CITY, name = unique("segment")): Promise<string> {
      const { createSegment } = await app.query(CreateSegmentDocument, { input: { name, rule } }, token);
      return must(createSegment).segment!.id;
    },
    async goal(events: string[] = ["Purchase"], name = unique("goal")): Promise<string> {
      const { createGoal } = await app.query(CreateGoalDocument, { input: { name, events } }, token);
      return must(createGoal).goal!.id;
    },
    async productConfig(input: Partial<CreateProductConfigInput> & Pick<CreateProductConfigInput, "values">) {
      const { createProductConfig } = await app.query(
        CreateProductConfigDocument,
        { input: { name: unique("config"), ...input } },
        token,
      );
      return must(createProductConfig).experience!;
    },
    async featureFlag(
      input: Partial<CreateFeatureFlagInput> & Pick<CreateFeatureFlagInput, "keyId" | "value">,
    ) {
      const { createFeatureFlag } = await app.query(
        CreateFeatureFlagDocument,
        { input: { name: unique("flag"), ...input } },
        token,
      );
      return must(createFeatureFlag).experience!;
    },
    /** An A/B test with a control and a treatment of 50% each, unless variants are given. */
    async abTest(input: Partial<CreateAbTestInput> & { goalIds: string[] }) {
      const variants = input.variants ?? [
        { name: "control", weight: 50, isControl: true },
        { name: "treatment", weight: 50 },
      ];
      const { createABTest } = await app.query(
        CreateAbTestDocument,
        { input: { name: unique("test"), primaryGoalId: input.goalIds[0], ...input, variants } },
        token,
      );
      return must(createABTest).experience!;
    },
    /** A new API token of the client's project; answers its secret. */
    async token(role: `${Role}`, name = unique(role.toLowerCase())): Promise<string> {
      const { createApiToken } = await app.query(CreateApiTokenDocument, { input: { name, role } }, token);
      return must(createApiToken).secret!;
    },
    async start(id: string) {
      const { startExperience } = await app.query(StartExperienceDocument, { id }, token);
      return must(startExperience).experience!;
    },
  };
}

/** What an app asks as the token's holder: every value for a user, or one key's. */
export function evaluator(app: GraphqlClient, token: string) {
  const evaluate = async (user: UserContextInput) =>
    (await app.query(EvaluateDocument, { user }, token)).evaluate;
  const valueOf = async (user: UserContextInput, key: string) =>
    (await evaluate(user)).values.find((v) => v.key === key)!;
  return { evaluate, valueOf };
}
