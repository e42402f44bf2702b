import { assertAbstractType, type GraphQLSchema } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { buildSchema, getMetadataStorage, type AuthChecker } from "type-graphql";
import { AccessResolver } from "../access/access.resolver";
import type { Role } from "../access/role";
import { AuditResolver } from "../audit/audit.resolver";
import { EvaluationResolver } from "../evaluation/evaluation.resolver";
import { ABTestOperationsResolver, TestUserResolver } from "../experiences/ab-test-operations.resolver";
import { ExperienceLifecycleResolver } from "../experiences/experience-lifecycle.resolver";
import {
  ABTestResolver,
  ExperienceResolver,
  FeatureFlagResolver,
  KeyValueResolver,
  ProductConfigResolver,
  VariantResolver,
} from "../experiences/experience.resolver";
import { ABTest, FeatureFlag, ProductConfig } from "../experiences/experience.types";
import { experienceTypeName } from "../experiences/experience.entity";
import { segmentConditionTypeName } from "../segments/segment-rule.types";
import { GoalResolver } from "../goals/goal.resolver";
import { KeyResolver } from "../keys/key.resolver";
import { SegmentResolver } from "../segments/segment.resolver";
import { DailyResultsResolver, ResultsResolver } from "../results/results.resolver";
import { SettingsResolver } from "../settings/settings.resolver";
import { SetupDocumentResolver } from "../setup-documents/setup-document.resolver";
import { TrackingResolver } from "../tracking/tracking.resolver";
import { WebhookDeliveryResolver, WebhookResolver } from "../webhooks/webhook.resolver";
import type { RequestContext } from "./context";
import { forbidden } from "./errors";

/** Every root field names the roles it allows (access/role.ts); anything else is FORBIDDEN. */
const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  if (roles.includes(context.caller.role)) return true;
  throw forbidden(`This needs the role ${roles.join(" or ")}; this token's role is ${context.caller.role}`);
};

export const resolvers = [
  ABTestOperationsResolver,
  TestUserResolver,
  AccessResolver,
  AuditResolver,
  KeyResolver,
  SegmentResolver,
  GoalResolver,
  SettingsResolver,
  SetupDocumentResolver,
  ExperienceResolver,
  ExperienceLifecycleResolver,
  ProductConfigResolver,
  FeatureFlagResolver,
  ABTestResolver,
  VariantResolver,
  KeyValueResolver,
  EvaluationResolver,
  TrackingResolver,
  ResultsResolver,
  DailyResultsResolver,
  WebhookResolver,
  WebhookDeliveryResolver,
] as const;

/**
 * Access is decided at the root fields (@Authorized) and no field has middleware, so the plain
 * fields of every object type can resolve by reading the property, as graphql-js does by itself,
 * instead of through type-graphql's middleware wrapper: measurably faster on long lists
 * (docs/PERFORMANCE.md). Field resolvers (usages, segment, ...) are unaffected.
 */
function resolvePlainFieldsDirectly(): void {
  for (const objectType of getMetadataStorage().objectTypes) objectType.simpleResolvers ??= true;
}

export async function buildAppSchema(): Promise<GraphQLSchema> {
  resolvePlainFieldsDirectly();
  const schema = await buildSchema({
    resolvers,
    // The contract names the instant scalar DateTime.
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    authChecker,
    // Page arguments are checked by the request limits before anything runs (graphql/connection.ts);
    // validating every object argument would also refuse JSON literals, which are data, not inputs.
    validate: false,
    // Reached only through the Experience interface, so named here to be in the schema.
    orphanedTypes: [ProductConfig, FeatureFlag, ABTest],
  });
  // type-graphql wraps every resolveType in an async function; the compiled executor
  // (compiled-execution.ts) needs the type at once, and ours know it at once.
  assertAbstractType(schema.getType("Experience")).resolveType = experienceTypeName;
  assertAbstractType(schema.getType("SegmentCondition")).resolveType = segmentConditionTypeName;
  // type-graphql has no option for the root types' descriptions; GraphiQL shows them first.
  schema.getQueryType()!.description =
    "Reads. Every field needs a bearer token; the roles each allows are in its description or in README.md.";
  schema.getMutationType()!.description =
    "Changes. Each answers a payload whose userErrors say why it was not done (and then nothing changed).";
  return schema;
}
