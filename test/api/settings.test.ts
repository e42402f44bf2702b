import {
  AuditLogDocument,
  GetSettingsDocument,
  UpdateSettingsDocument,
} from "../../client/generated/graphql";
import { startTestApp, type TestApp } from "../helpers/servers";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

test("a project starts with mutually exclusive A/B tests off", async () => {
  expect((await app.query(GetSettingsDocument)).settings.mutuallyExclusiveABTests).toBe(false);
  const other = await app.newProject();
  expect((await app.query(GetSettingsDocument, {}, other)).settings.mutuallyExclusiveABTests).toBe(false);
});

test("turning mutually exclusive tests on is stored, audited, and touches no other project", async () => {
  const other = await app.newProject();
  const { updateSettings } = await app.query(UpdateSettingsDocument, {
    input: { mutuallyExclusiveABTests: true },
  });
  expect(updateSettings.userErrors).toEqual([]);
  expect(updateSettings.settings?.mutuallyExclusiveABTests).toBe(true);
  expect((await app.query(GetSettingsDocument)).settings.mutuallyExclusiveABTests).toBe(true);
  expect((await app.query(GetSettingsDocument, {}, other)).settings.mutuallyExclusiveABTests).toBe(false);

  const { auditLog } = await app.query(AuditLogDocument, { first: 1 });
  expect(auditLog.nodes[0]).toMatchObject({
    action: "updateSettings",
    entityType: "Settings",
    before: { mutuallyExclusiveABTests: false },
    after: { mutuallyExclusiveABTests: true },
  });
});

test("a null field keeps its value", async () => {
  const { updateSettings } = await app.query(UpdateSettingsDocument, { input: {} });
  expect(updateSettings.settings?.mutuallyExclusiveABTests).toBe(true);
});
