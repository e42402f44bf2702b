import { Role } from "../../src/access/role";

/**
 * Every root field with a minimal operation and the roles RULES.md allows. The ids name nothing,
 * so allowed mutations answer with userErrors (or create something harmless) — never FORBIDDEN.
 */
export interface RoleRow {
  field: string;
  document: string;
  roles: Role[];
}

const UNKNOWN = "01900000-0000-7000-8000-000000000000";
const { ADMIN, EDITOR, VIEWER, SDK } = Role;
const read = [ADMIN, EDITOR, VIEWER];
const edit = [ADMIN, EDITOR];
const admin = [ADMIN];
const everyone = [ADMIN, EDITOR, VIEWER, SDK];

const errors = "userErrors { code }";
const rule = `{ match: ALL, conditions: [{ property: { property: "city", operator: EXISTS } }] }`;

export const ROLE_MATRIX: RoleRow[] = [
  { field: "viewer", document: "{ viewer { role } }", roles: everyone },
  { field: "keys", document: "{ keys { totalCount } }", roles: read },
  { field: "key", document: `{ key(id: "${UNKNOWN}") { id } }`, roles: read },
  { field: "segments", document: "{ segments { totalCount } }", roles: read },
  { field: "segment", document: `{ segment(id: "${UNKNOWN}") { id } }`, roles: read },
  { field: "goals", document: "{ goals { totalCount } }", roles: read },
  { field: "goal", document: `{ goal(id: "${UNKNOWN}") { id } }`, roles: read },
  { field: "settings", document: "{ settings { mutuallyExclusiveABTests } }", roles: read },
  { field: "auditLog", document: "{ auditLog { totalCount } }", roles: read },
  { field: "exportSetup", document: "{ exportSetup { digest } }", roles: read },
  { field: "apiTokens", document: "{ apiTokens { id } }", roles: admin },
  { field: "projects", document: "{ projects { id } }", roles: admin },
  { field: "webhooks", document: "{ webhooks { id } }", roles: admin },
  {
    field: "evaluate",
    document: `{ evaluate(user: { id: "matrix-user" }) { segmentIds } }`,
    roles: everyone,
  },
  { field: "experiences", document: "{ experiences { totalCount } }", roles: read },
  { field: "experience", document: `{ experience(id: "${UNKNOWN}") { id } }`, roles: read },

  {
    field: "createKey",
    document: `mutation { createKey(input: { name: "matrix_key", type: BOOLEAN, defaultValue: true }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "updateKey",
    document: `mutation { updateKey(input: { id: "${UNKNOWN}", defaultValue: 1 }) { ${errors} } }`,
    roles: edit,
  },
  { field: "archiveKey", document: `mutation { archiveKey(id: "${UNKNOWN}") { ${errors} } }`, roles: edit },
  {
    field: "unarchiveKey",
    document: `mutation { unarchiveKey(id: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "createSegment",
    document: `mutation { createSegment(input: { name: "Matrix", rule: ${rule} }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "updateSegment",
    document: `mutation { updateSegment(input: { id: "${UNKNOWN}", name: "x" }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "cloneSegment",
    document: `mutation { cloneSegment(id: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "archiveSegment",
    document: `mutation { archiveSegment(id: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "unarchiveSegment",
    document: `mutation { unarchiveSegment(id: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "createGoal",
    document: `mutation { createGoal(input: { name: "Matrix", events: ["e"] }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "updateGoal",
    document: `mutation { updateGoal(input: { id: "${UNKNOWN}", name: "x" }) { ${errors} } }`,
    roles: edit,
  },
  { field: "archiveGoal", document: `mutation { archiveGoal(id: "${UNKNOWN}") { ${errors} } }`, roles: edit },
  {
    field: "unarchiveGoal",
    document: `mutation { unarchiveGoal(id: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "createProductConfig",
    document: `mutation { createProductConfig(input: { name: "m", values: [] }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "createFeatureFlag",
    document: `mutation { createFeatureFlag(input: { name: "m", keyId: "${UNKNOWN}", value: 1 }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "createABTest",
    document: `mutation { createABTest(input: { name: "m", variants: [], goalIds: [], primaryGoalId: "${UNKNOWN}" }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "updateProductConfig",
    document: `mutation { updateProductConfig(input: { id: "${UNKNOWN}" }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "updateFeatureFlag",
    document: `mutation { updateFeatureFlag(input: { id: "${UNKNOWN}" }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "updateABTest",
    document: `mutation { updateABTest(input: { id: "${UNKNOWN}" }) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "startExperience",
    document: `mutation { startExperience(id: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "pauseExperience",
    document: `mutation { pauseExperience(id: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "stopExperience",
    document: `mutation { stopExperience(id: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "archiveExperience",
    document: `mutation { archiveExperience(id: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "revertExperience",
    document: `mutation { revertExperience(id: "${UNKNOWN}", toVersion: 1) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "scheduleExperience",
    document: `mutation { scheduleExperience(id: "${UNKNOWN}", stopAt: "2099-01-01T00:00:00Z") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "setTestUsers",
    document: `mutation { setTestUsers(id: "${UNKNOWN}", users: []) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "declareWinner",
    document: `mutation { declareWinner(id: "${UNKNOWN}", variantId: null) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "rollOutVariant",
    document: `mutation { rollOutVariant(id: "${UNKNOWN}", variantId: "${UNKNOWN}") { ${errors} } }`,
    roles: edit,
  },
  {
    field: "archiveKeys",
    document: `mutation { archiveKeys(ids: ["${UNKNOWN}"]) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "archiveSegments",
    document: `mutation { archiveSegments(ids: ["${UNKNOWN}"]) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "archiveGoals",
    document: `mutation { archiveGoals(ids: ["${UNKNOWN}"]) { ${errors} } }`,
    roles: edit,
  },
  {
    field: "archiveExperiences",
    document: `mutation { archiveExperiences(ids: ["${UNKNOWN}"]) { ${errors} } }`,
    roles: edit,
  },
  { field: "updateSettings", document: `mutation { updateSettings(input: {}) { ${errors} } }`, roles: edit },
  {
    field: "trackEvents",
    document: `mutation { trackEvents(events: [{ userId: "u", name: "e" }]) { accepted } }`,
    roles: [ADMIN, SDK],
  },
  {
    field: "identify",
    document: `mutation { identify(userId: "u", properties: { a: 1 }) { accepted } }`,
    roles: [ADMIN, SDK],
  },
  {
    field: "importSetup",
    document: `mutation { importSetup(document: { format: "px-setup/1" }) { applied ${errors} } }`,
    roles: edit,
  },
  {
    field: "createProject",
    document: `mutation { createProject(name: "Matrix") { ${errors} } }`,
    roles: admin,
  },
  {
    field: "createApiToken",
    document: `mutation { createApiToken(input: { name: "matrix", role: SDK }) { ${errors} } }`,
    roles: admin,
  },
  {
    field: "revokeApiToken",
    document: `mutation { revokeApiToken(id: "${UNKNOWN}") { ${errors} } }`,
    roles: admin,
  },
  {
    field: "createWebhook",
    document: `mutation { createWebhook(input: { url: "ftp://matrix", events: ["*"] }) { ${errors} } }`,
    roles: admin,
  },
  {
    field: "updateWebhook",
    document: `mutation { updateWebhook(input: { id: "${UNKNOWN}" }) { ${errors} } }`,
    roles: admin,
  },
  {
    field: "deleteWebhook",
    document: `mutation { deleteWebhook(id: "${UNKNOWN}") { ${errors} } }`,
    roles: admin,
  },
  {
    field: "redeliverWebhook",
    document: `mutation { redeliverWebhook(deliveryId: "${UNKNOWN}") { ${errors} } }`,
    roles: admin,
  },
];
