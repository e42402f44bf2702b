import {
  ArchiveExperienceDocument,
  ArchiveGoalDocument,
  ArchiveKeyDocument,
  ArchiveSegmentDocument,
  CloneSegmentDocument,
  CreateKeyDocument,
  CreateWebhookDocument,
  DeclareWinnerDocument,
  DeleteWebhookDocument,
  ImportSetupDocument,
  PauseExperienceDocument,
  RedeliverWebhookDocument,
  RevertExperienceDocument,
  RollOutVariantDocument,
  ScheduleExperienceDocument,
  SetTestUsersDocument,
  StartExperienceDocument,
  StopExperienceDocument,
  UnarchiveGoalDocument,
  UnarchiveKeyDocument,
  UnarchiveSegmentDocument,
  UpdateAbTestDocument,
  UpdateGoalDocument,
  UpdateKeyDocument,
  UpdateProductConfigDocument,
  UpdateSegmentDocument,
  UpdateSettingsDocument,
  UpdateWebhookDocument,
  WebhookDeliveriesDocument,
  WebhooksDocument,
} from "../../client/generated/graphql";
import { sql } from "../../src/db/sql";
import { MAX_WEBHOOKS_PER_PROJECT } from "../../src/webhooks/webhook.service";
import { TestClock } from "../helpers/clock";
import { fixtures, unique } from "../helpers/fixtures";
import { startTestApp, type TestApp } from "../helpers/servers";

/*
 * Webhooks' rules, in process (no dispatcher runs here, so every delivery stays PENDING and shows
 * exactly what a change stored in the outbox): which changes make which deliveries, what a webhook
 * may be, and the refusal of private addresses. Sending is test/api/webhooks-delivery.test.ts.
 */

/** A DNS of our own: names a test may use, and what they resolve to. */
const DNS: Record<string, string[]> = {
  "hooks.example.com": ["93.184.215.14"],
  "internal.example.com": ["10.1.2.3"],
  "sneaky.example.com": ["93.184.215.14", "127.0.0.1"],
};
const clock = new TestClock(Date.now());
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    clock,
    webhookPolicy: {
      allowPrivateNetworks: false,
      resolve: (host) =>
        DNS[host]
          ? Promise.resolve(DNS[host].map((address) => ({ address, family: address.includes(":") ? 6 : 4 })))
          : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" })),
    },
  });
});
afterAll(() => app.close());

const URL = "https://hooks.example.com/px";

async function webhook(token: string, events: string[], url = URL) {
  const { createWebhook } = await app.query(CreateWebhookDocument, { input: { url, events } }, token);
  expect(createWebhook.userErrors).toEqual([]);
  return createWebhook.webhook!.id;
}

async function deliveries(token: string, webhookId: string) {
  const { webhooks } = await app.query(WebhookDeliveriesDocument, { first: 100 }, token);
  // Oldest first, as the changes were made.
  return webhooks
    .find((hook) => hook.id === webhookId)!
    .deliveries.nodes.slice()
    .reverse();
}

const typesOf = async (token: string, webhookId: string) =>
  (await deliveries(token, webhookId)).map((delivery) => delivery.type);

describe("what is delivered", () => {
  test("keys, segments and goals: created, updated, archived, unarchived (a clone is created); settings updated", async () => {
    const token = await app.newProject();
    const hook = await webhook(token, ["key.*", "segment.*", "goal.*", "settings.updated"]);
    const make = fixtures(app, token);
    const key = await make.key();
    await app.query(UpdateKeyDocument, { input: { id: key, defaultValue: true } }, token);
    await app.query(ArchiveKeyDocument, { id: key }, token);
    await app.query(UnarchiveKeyDocument, { id: key }, token);
    const segment = await make.segment();
    await app.query(CloneSegmentDocument, { id: segment }, token);
    await app.query(UpdateSegmentDocument, { input: { id: segment, description: "changed" } }, token);
    await app.query(ArchiveSegmentDocument, { id: segment }, token);
    await app.query(UnarchiveSegmentDocument, { id: segment }, token);
    const goal = await make.goal();
    await app.query(UpdateGoalDocument, { input: { id: goal, description: "changed" } }, token);
    await app.query(ArchiveGoalDocument, { id: goal }, token);
    await app.query(UnarchiveGoalDocument, { id: goal }, token);
    await app.query(UpdateSettingsDocument, { input: { mutuallyExclusiveABTests: true } }, token);
    expect(await typesOf(token, hook)).toEqual([
      "key.created",
      "key.updated",
      "key.archived",
      "key.unarchived",
      "segment.created",
      "segment.created",
      "segment.updated",
      "segment.archived",
      "segment.unarchived",
      "goal.created",
      "goal.updated",
      "goal.archived",
      "goal.unarchived",
      "settings.updated",
    ]);
    const [created, updated] = await deliveries(token, hook);
    expect(created.payload).toMatchObject({
      type: "key.created",
      data: { entityType: "Key", entityId: key, version: 1, actor: "admin", before: null },
    });
    expect(updated.payload).toMatchObject({
      data: {
        version: 2,
        before: { defaultValue: false, version: 1 },
        after: { defaultValue: true, version: 2 },
      },
    });
  });

  test("experiences through their life, A/B operations, a roll-out (also its stop and its new config) and the scheduler", async () => {
    const token = await app.newProject();
    const hook = await webhook(token, ["experience.*", "ab_test.*"]);
    const make = fixtures(app, token);
    const color = await make.key("STRING", "blue");
    const purchase = await make.goal();
    const test = (await make.abTest({
      goalIds: [purchase],
      variants: [
        { name: "control", weight: 50, isControl: true },
        { name: "green", weight: 50, values: [{ keyId: color, value: "green" }] },
      ],
    })) as { id: string; variants: { id: string; name: string }[] };
    const green = test.variants.find((variant) => variant.name === "green")!.id;
    await app.query(UpdateAbTestDocument, { input: { id: test.id, trafficPercentage: 80 } }, token);
    await app.query(
      SetTestUsersDocument,
      { id: test.id, users: [{ userId: "qa", variantId: green }] },
      token,
    );
    const inAMinute = new Date(clock.now() + 60_000).toISOString();
    await app.query(ScheduleExperienceDocument, { id: test.id, stopAt: inAMinute }, token);
    await app.query(StartExperienceDocument, { id: test.id }, token);
    await app.query(PauseExperienceDocument, { id: test.id }, token);
    await app.query(StartExperienceDocument, { id: test.id }, token);
    await app.query(DeclareWinnerDocument, { id: test.id, variantId: green }, token);
    await app.query(RollOutVariantDocument, { id: test.id, variantId: green }, token);
    await app.query(ArchiveExperienceDocument, { id: test.id }, token);

    const config = await make.productConfig({ values: [{ keyId: color, value: "red" }] });
    await app.query(UpdateProductConfigDocument, { input: { id: config.id, priority: 3 } }, token);
    await app.query(RevertExperienceDocument, { id: config.id, toVersion: 1 }, token);
    const flag = await make.featureFlag({ keyId: await make.key(), value: true });
    await app.query(ScheduleExperienceDocument, { id: flag.id, startAt: inAMinute }, token);
    clock.advance(61_000);
    expect(await app.services.experienceLifecycle.runDue()).toBe(1);
    await app.query(StopExperienceDocument, { id: flag.id }, token);

    const all = await deliveries(token, hook);
    expect(all.map((delivery) => delivery.type)).toEqual([
      "experience.created",
      "experience.updated",
      "experience.updated",
      "experience.scheduled",
      "experience.started",
      "experience.paused",
      "experience.started",
      "ab_test.winner_declared",
      // The roll-out: a product config made and started with the winner's values, then the test stops.
      "experience.created",
      "experience.started",
      "ab_test.rolled_out",
      "experience.stopped",
      "experience.archived",
      "experience.created",
      "experience.updated",
      "experience.reverted",
      "experience.created",
      "experience.scheduled",
      "experience.started",
      "experience.stopped",
    ]);
    const byScheduler = all[18].payload as { data: { actor: string; entityId: string } };
    expect(byScheduler.data).toMatchObject({ actor: "scheduler", entityId: flag.id });
    const [rolledOut, stopped] = [all[10], all[11]];
    // One change, two messages: each its own id, the same data.
    expect(rolledOut.messageId).not.toBe(stopped.messageId);
    expect((rolledOut.payload as { data: unknown }).data).toEqual(
      (stopped.payload as { data: unknown }).data,
    );
  });

  test("`*` follows everything, a type only itself, and several webhooks each get their own delivery of one message", async () => {
    const token = await app.newProject();
    const everything = await webhook(token, ["*"]);
    const onlyArchives = await webhook(token, ["key.archived"]);
    const key = await fixtures(app, token).key();
    await app.query(ArchiveKeyDocument, { id: key }, token);
    expect(await typesOf(token, everything)).toEqual(["key.created", "key.archived"]);
    const [archived] = await deliveries(token, onlyArchives);
    expect(archived.type).toBe("key.archived");
    expect(archived.messageId).toBe((await deliveries(token, everything))[1].messageId);
  });

  test("a change that rolled back is never delivered: a refused mutation, a dry-run import; an applied import is", async () => {
    const token = await app.newProject();
    const hook = await webhook(token, ["*"]);
    const { createKey } = await app.query(
      CreateKeyDocument,
      { input: { name: "count", type: "NUMBER", defaultValue: "ten" } },
      token,
    );
    expect(createKey.userErrors).not.toEqual([]);
    const document = {
      format: "px-setup/1",
      keys: [{ name: "imported", type: "BOOLEAN", defaultValue: false }],
    };
    expect((await app.query(ImportSetupDocument, { document }, token)).importSetup.applied).toBe(false);
    expect(await deliveries(token, hook)).toEqual([]);
    await app.query(ImportSetupDocument, { document, dryRun: false }, token);
    const [delivery] = await deliveries(token, hook);
    expect(delivery.payload).toMatchObject({
      type: "key.created",
      data: { name: "imported", actor: "admin" },
    });
  });

  test("webhooks of another project hear nothing of this one", async () => {
    const mine = await app.newProject();
    const theirs = await app.newProject();
    const theirHook = await webhook(theirs, ["*"]);
    await fixtures(app, mine).key();
    expect(await deliveries(theirs, theirHook)).toEqual([]);
  });
});

describe("what a webhook may be", () => {
  test("the secret is whsec_ and 32 random bytes, shown once; the webhook, its list and the audit log never show it", async () => {
    const token = await app.newProject();
    const { createWebhook } = await app.query(
      CreateWebhookDocument,
      { input: { url: URL, events: ["*"], description: "  chat  " } },
      token,
    );
    const secret = createWebhook.secret!;
    expect(Buffer.from(secret.replace(/^whsec_/, ""), "base64")).toHaveLength(32);
    expect(createWebhook.webhook).toMatchObject({
      url: URL,
      events: ["*"],
      active: true,
      description: "chat",
    });
    const updated = await app.query<{ updateWebhook: { secret: string | null } }, object>(
      'mutation ($id: ID!) { updateWebhook(input: { id: $id, events: ["key.*"] }) { secret } }',
      { id: createWebhook.webhook!.id },
      token,
    );
    expect(updated.updateWebhook.secret).toBeNull();
    const everything = JSON.stringify([
      await app.query(WebhooksDocument, {}, token),
      await app.query("{ auditLog { nodes { action before after } } }", {}, token),
    ]);
    expect(everything).toContain("createWebhook");
    expect(everything).not.toContain(secret.slice(6, 20));
  });

  test("event types are checked: unknown ones, an unknown family and an empty list are INVALID at their path", async () => {
    const token = await app.newProject();
    const attempt = (events: string[]) =>
      app
        .query(CreateWebhookDocument, { input: { url: URL, events } }, token)
        .then((r) => r.createWebhook.userErrors);
    expect(await attempt(["key.created", "key.deleted", "flag.*", "experience.*"])).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "events", "1"] }),
      expect.objectContaining({ code: "INVALID", field: ["input", "events", "2"] }),
    ]);
    expect(await attempt([])).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "events"] }),
    ]);
    // Each accepted form, and duplicates kept once.
    const id = await webhook(token, ["ab_test.*", "settings.updated", "*", "*"]);
    const { webhooks } = await app.query(WebhooksDocument, {}, token);
    expect(webhooks.find((hook) => hook.id === id)!.events).toEqual(["ab_test.*", "settings.updated", "*"]);
  });

  test("URLs: http or https, absolute, without credentials, at most 2,048 characters", async () => {
    const token = await app.newProject();
    const problems: Record<string, RegExp> = {
      "ftp://hooks.example.com/x": /http or https/,
      "hooks.example.com/x": /absolute/,
      "https://user:pass@hooks.example.com/x": /user name or password/,
      [`https://hooks.example.com/${"a".repeat(2048)}`]: /2,048/,
    };
    for (const [url, message] of Object.entries(problems)) {
      const { createWebhook } = await app.query(
        CreateWebhookDocument,
        { input: { url, events: ["*"] } },
        token,
      );
      expect(createWebhook.userErrors).toEqual([
        { code: "INVALID", field: ["input", "url"], message: expect.stringMatching(message), usages: [] },
      ]);
    }
    // A name that does not resolve now is accepted: every connection checks it again.
    await webhook(token, ["*"], "https://not-yet.example.com/hooks");
  });

  test(`a project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks: the next is LIMIT_REACHED; deleting one makes room`, async () => {
    const token = await app.newProject();
    const ids: string[] = [];
    for (let i = 0; i < MAX_WEBHOOKS_PER_PROJECT; i++) ids.push(await webhook(token, ["*"]));
    const { createWebhook } = await app.query(
      CreateWebhookDocument,
      { input: { url: URL, events: ["*"] } },
      token,
    );
    expect(createWebhook.userErrors).toEqual([expect.objectContaining({ code: "LIMIT_REACHED" })]);
    const { deleteWebhook } = await app.query(DeleteWebhookDocument, { id: ids[0] }, token);
    expect(deleteWebhook).toMatchObject({ webhook: { id: ids[0] }, userErrors: [] });
    await webhook(token, ["*"]);
  });

  test("deleting a webhook drops its deliveries; redelivering one of them, or one of another project, is NOT_FOUND", async () => {
    const token = await app.newProject();
    const hook = await webhook(token, ["*"]);
    await fixtures(app, token).key();
    const [pending] = await deliveries(token, hook);
    expect(pending.status).toBe("PENDING");
    const other = await app.newProject();
    const fromElsewhere = await app.query(RedeliverWebhookDocument, { deliveryId: pending.id }, other);
    expect(fromElsewhere.redeliverWebhook.userErrors).toEqual([
      expect.objectContaining({ code: "NOT_FOUND", field: ["deliveryId"] }),
    ]);
    await app.query(DeleteWebhookDocument, { id: hook }, token);
    const gone = await app.query(RedeliverWebhookDocument, { deliveryId: pending.id }, token);
    expect(gone.redeliverWebhook.userErrors).toEqual([expect.objectContaining({ code: "NOT_FOUND" })]);
    // Nothing of it is left for a process to send.
    const [left] = await sql<{ n: number | string }>(
      app.services.db.reader,
      "SELECT COUNT(*) AS n FROM webhook_delivery WHERE webhook_id = :hook",
      { hook },
    );
    expect(Number(left.n)).toBe(0);
  });

  test("redelivering for an inactive webhook is INVALID_STATE: make it active first", async () => {
    const token = await app.newProject();
    const hook = await webhook(token, ["*"]);
    await fixtures(app, token).key();
    const [delivery] = await deliveries(token, hook);
    await app.query(UpdateWebhookDocument, { input: { id: hook, active: false } }, token);
    const { redeliverWebhook } = await app.query(
      RedeliverWebhookDocument,
      { deliveryId: delivery.id },
      token,
    );
    expect(redeliverWebhook.userErrors).toEqual([expect.objectContaining({ code: "INVALID_STATE" })]);
  });
});

describe("private networks", () => {
  test.each([
    ["http://127.0.0.1:8080/hooks", "127.0.0.1 is a loopback address"],
    ["http://localhost:8080/hooks", "localhost, a loopback name"],
    ["http://[::1]/hooks", "::1 is a loopback address"],
    ["http://2130706433/hooks", "127.0.0.1 is a loopback address"],
    ["http://10.0.0.5/hooks", "10.0.0.5 is a private address"],
    ["http://192.168.1.20/hooks", "192.168.1.20 is a private address"],
    ["http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"],
    ["http://0.0.0.0/hooks", "0.0.0.0 is an unspecified address"],
    ["http://[fd00::1]/hooks", "fd00::1 is a unique-local address"],
    ["http://[::ffff:127.0.0.1]/hooks", "is a loopback address (it carries 127.0.0.1)"],
    ["https://internal.example.com/hooks", "internal.example.com resolves to 10.1.2.3 is a private address"],
    ["https://sneaky.example.com/hooks", "resolves to 127.0.0.1 is a loopback address"],
  ])("%s is refused at creation", async (url, reason) => {
    const token = await app.newProject();
    const { createWebhook } = await app.query(
      CreateWebhookDocument,
      { input: { url, events: ["*"] } },
      token,
    );
    expect(createWebhook.webhook).toBeNull();
    expect(createWebhook.userErrors).toEqual([
      expect.objectContaining({
        code: "INVALID",
        field: ["input", "url"],
        message: expect.stringContaining(reason),
      }),
    ]);
    expect(createWebhook.userErrors[0].message).toContain("WEBHOOK_ALLOW_PRIVATE_NETWORKS=true");
  });

  test("and refused when a webhook's URL is changed to one", async () => {
    const token = await app.newProject();
    const hook = await webhook(token, ["*"]);
    const { updateWebhook } = await app.query(
      UpdateWebhookDocument,
      { input: { id: hook, url: "http://10.0.0.5/" } },
      token,
    );
    expect(updateWebhook.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "url"] }),
    ]);
  });

  test("public addresses and names are accepted", async () => {
    const token = await app.newProject();
    await webhook(token, ["*"], "http://93.184.215.14/hooks");
    await webhook(token, ["*"], "https://[2606:4700::1111]/hooks");
    await webhook(token, ["*"], unique("https://hooks.example.com/px"));
  });
});
