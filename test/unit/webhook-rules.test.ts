import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { refusedAddress } from "../../src/webhooks/webhook-address";
import { eventTypesOf, EVENT_TYPES, selectionProblem, selects } from "../../src/webhooks/webhook-events";
import { sendAttempt } from "../../src/webhooks/webhook-sender";
import { signatureOf } from "../../src/webhooks/webhook-signature";
import { Webhook as StandardWebhook } from "standardwebhooks";

describe("event types", () => {
  test("a selection is a type, a family's * or *; anything else names what to use", () => {
    for (const ok of ["*", "key.*", "ab_test.*", "settings.updated", "experience.scheduled"])
      expect(selectionProblem(ok)).toBeNull();
    for (const bad of ["key", "key.deleted", "flag.*", "*.created", "KEY.CREATED", " key.created", ""])
      expect(selectionProblem(bad)).toMatch(/is not an event type: use one of key\.\*/);
  });

  test("selects: `*` everything, a family its types, a type itself", () => {
    expect(selects(["*"], "ab_test.rolled_out")).toBe(true);
    expect(selects(["ab_test.*"], "ab_test.rolled_out")).toBe(true);
    expect(selects(["experience.*"], "ab_test.rolled_out")).toBe(false);
    expect(selects(["key.created"], "key.created")).toBe(true);
    expect(selects(["key.created"], "key.updated")).toBe(false);
  });

  const experience = (action: string, before: string | null, after: string) =>
    eventTypesOf({
      action,
      entityType: "Experience",
      before: before === null ? null : { status: before },
      after: { status: after },
    });

  test("an experience's change is its type, and also the move it made when it is another thing", () => {
    expect(experience("createABTest", null, "DRAFT")).toEqual(["experience.created"]);
    expect(experience("startExperience", "PAUSED", "RUNNING")).toEqual(["experience.started"]);
    expect(experience("rollOutExperience", "RUNNING", "STOPPED")).toEqual([
      "ab_test.rolled_out",
      "experience.stopped",
    ]);
    expect(experience("guardrailBreachExperience", "RUNNING", "PAUSED")).toEqual([
      "ab_test.guardrail_breached",
      "experience.paused",
    ]);
    expect(experience("guardrailBreachExperience", "RUNNING", "RUNNING")).toEqual([
      "ab_test.guardrail_breached",
    ]);
    expect(experience("dropScheduleExperience", "DRAFT", "DRAFT")).toEqual(["experience.scheduled"]);
  });

  test("setup items by their verb; tokens, projects, webhooks and notes are no event; every type is reachable", () => {
    const item = (action: string, entityType: string) =>
      eventTypesOf({ action, entityType, before: null, after: null });
    expect(item("cloneSegment", "Segment")).toEqual(["segment.created"]);
    expect(item("unarchiveGoal", "Goal")).toEqual(["goal.unarchived"]);
    expect(item("updateSettings", "Settings")).toEqual(["settings.updated"]);
    for (const [action, type] of [
      ["createApiToken", "ApiToken"],
      ["createProject", "Project"],
      ["createWebhook", "Webhook"],
      ["dropScheduledMove", "Experience"],
      ["archiveSegment", "Key"],
    ])
      expect(item(action, type)).toEqual([]);
    const reachable = new Set<string>();
    for (const family of ["Key", "Segment", "Goal"])
      for (const verb of ["create", "update", "archive", "unarchive"])
        item(`${verb}${family}`, family).forEach((type) => reachable.add(type));
    item("updateSettings", "Settings").forEach((type) => reachable.add(type));
    for (const action of [
      "createABTest",
      "updateABTest",
      "startExperience",
      "pauseExperience",
      "stopExperience",
      "archiveExperience",
      "revertExperience",
      "scheduleExperience",
      "declareWinnerExperience",
      "rollOutExperience",
      "guardrailBreachExperience",
    ])
      experience(action, "DRAFT", "DRAFT").forEach((type) => reachable.add(type));
    expect([...reachable].sort()).toEqual([...EVENT_TYPES].sort());
  });
});

describe("addresses a webhook may not reach", () => {
  test.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.0.1", "private"],
    ["100.64.0.1", "private"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["fd00::1", "unique-local"],
    ["fc00::1", "unique-local"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.251", "multicast or reserved"],
    ["255.255.255.255", "multicast or reserved"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:7f00:1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "link-local"],
  ])("%s is %s", (address, kind) => {
    expect(refusedAddress(address)).toContain(`${kind} address`);
  });

  test.each([
    "93.184.215.14",
    "172.32.0.1",
    "8.8.8.8",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "not an address",
  ])("%s is not refused", (address) => expect(refusedAddress(address)).toBeNull());
});

describe("one attempt", () => {
  test("the signature is what the Standard Webhooks library computes and verifies", () => {
    const secret = `whsec_${Buffer.alloc(32, 9).toString("base64")}`;
    const body = JSON.stringify({ type: "key.created", timestamp: "2026-12-07T00:00:00.000Z", data: {} });
    const timestamp = Math.floor(Date.now() / 1000);
    const library = new StandardWebhook(secret);
    expect(signatureOf(secret, "msg_1", timestamp, body)).toBe(
      library.sign("msg_1", new Date(timestamp * 1000), body),
    );
    expect(
      library.verify(body, {
        "webhook-id": "msg_1",
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signatureOf(secret, "msg_1", timestamp, body),
      }),
    ).toEqual(JSON.parse(body));
  });

  test("a name resolving to a private address at connection time is refused, though it was public before (DNS rebinding)", async () => {
    let requests = 0;
    const receiver = createServer((_request, response) => {
      requests++;
      response.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    const message = {
      url: `http://rebound.example.com:${port}/`,
      messageId: "msg_1",
      body: "{}",
      secret: "whsec_AAAA",
    };
    try {
      const outcome = await sendAttempt(message, {
        timeoutMs: 1000,
        allowPrivateNetworks: false,
        resolve: () => Promise.resolve([{ address: "127.0.0.1", family: 4 }]),
      });
      expect(outcome).toMatchObject({
        succeeded: false,
        status: null,
        error: "refused: 127.0.0.1 is a loopback address",
      });
      const literal = await sendAttempt(
        { ...message, url: `http://127.0.0.1:${port}/` },
        { timeoutMs: 1000, allowPrivateNetworks: false },
      );
      expect(literal.error).toBe("refused: 127.0.0.1 is a loopback address");
      expect(requests).toBe(0);
      // Allowed, the same receiver is reached.
      const allowed = await sendAttempt(
        { ...message, url: `http://127.0.0.1:${port}/` },
        { timeoutMs: 1000, allowPrivateNetworks: true },
      );
      expect(allowed).toMatchObject({ succeeded: true, status: 200 });
      expect(requests).toBe(1);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
