import {
  CreateAbTestDocument,
  CreateApiTokenDocument,
  CreateFeatureFlagDocument,
  CreateGoalDocument,
  CreateKeyDocument,
  CreateProductConfigDocument,
  CreateSegmentDocument,
  StartExperienceDocument,
  type ValueType,
} from "../../client";
import { httpClient } from "./servers";

/**
 * A project whose keys cover every OFREP value type and reason, made through the API over HTTP: `theme` (JSON) from a config for Oslo (TARGETING_MATCH), `max_items` (NUMBER) from a
 * config for everyone (STATIC), `new_checkout` (BOOLEAN) from a flag at 50% (SPLIT), `banner_text`
 * (STRING) from an A/B test (SPLIT, variant names), `untouched` (STRING) only its default (DEFAULT).
 */
export async function ofrepProject(url: string, adminSecret: string) {
  const api = httpClient(url, adminSecret);
  const key = async (name: string, type: ValueType, defaultValue: unknown) =>
    (await api.query(CreateKeyDocument, { input: { name, type, defaultValue } })).createKey.key!.id;
  const start = (id: string) => api.query(StartExperienceDocument, { id });
  const theme = await key("theme", "JSON", { mode: "light" });
  const maxItems = await key("max_items", "NUMBER", 10);
  const newCheckout = await key("new_checkout", "BOOLEAN", false);
  const banner = await key("banner_text", "STRING", "Hello");
  await key("untouched", "STRING", "as shipped");
  const oslo = (
    await api.query(CreateSegmentDocument, {
      input: {
        name: "Oslo",
        rule: {
          match: "ALL",
          conditions: [{ property: { property: "city", operator: "EQUALS", values: ["Oslo"] } }],
        },
      },
    })
  ).createSegment.segment!.id;
  const themeConfig = (
    await api.query(CreateProductConfigDocument, {
      input: { name: "Dark in Oslo", segmentId: oslo, values: [{ keyId: theme, value: { mode: "dark" } }] },
    })
  ).createProductConfig.experience!.id;
  const itemsConfig = (
    await api.query(CreateProductConfigDocument, {
      input: { name: "More items", values: [{ keyId: maxItems, value: 20 }] },
    })
  ).createProductConfig.experience!.id;
  const flag = (
    await api.query(CreateFeatureFlagDocument, {
      input: { name: "New checkout", keyId: newCheckout, value: true, rolloutPercentage: 50 },
    })
  ).createFeatureFlag.experience!.id;
  const goal = (await api.query(CreateGoalDocument, { input: { name: "Purchase", events: ["Charged"] } }))
    .createGoal.goal!.id;
  const test = (
    await api.query(CreateAbTestDocument, {
      input: {
        name: "Banner copy",
        goalIds: [goal],
        primaryGoalId: goal,
        variants: [
          { name: "control", weight: 50, isControl: true },
          { name: "friendly", weight: 50, values: [{ keyId: banner, value: "Hi there" }] },
        ],
      },
    })
  ).createABTest.experience!.id;
  for (const id of [themeConfig, itemsConfig, flag, test]) await start(id);
  const sdkSecret = (await api.query(CreateApiTokenDocument, { input: { name: "web-app", role: "SDK" } }))
    .createApiToken.secret!;
  return { api, sdkSecret, ids: { themeConfig, itemsConfig, flag, test, oslo } };
}
