import {
  ArchiveKeyDocument,
  AuditLogDocument,
  CreateKeyDocument,
  GetKeyDocument,
  ListKeysDocument,
  UnarchiveKeyDocument,
  UpdateKeyDocument,
  type CreateKeyInput,
} from "../../client/generated/graphql";
import { startTestApp, type TestApp } from "../helpers/servers";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function createKey(input: CreateKeyInput) {
  return (await app.query(CreateKeyDocument, { input })).createKey;
}

async function activeKeyNames(): Promise<string[]> {
  const names: string[] = [];
  let after: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listKeys>> = await listKeys(after);
    names.push(...page.nodes.map((key) => key.name));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor! : null;
  } while (after);
  return names;
}

async function listKeys(after: string | null) {
  return (await app.query(ListKeysDocument, { first: 100, after })).keys;
}

async function keyById(id: string) {
  return (await app.query(GetKeyDocument, { id })).key;
}

describe("creating keys", () => {
  test("a new key has the given name, type and default, and is active and unused", async () => {
    const { key, userErrors } = await createKey({
      name: "dark_mode",
      type: "NUMBER",
      defaultValue: 3,
      description: "Dark mode switch",
    });
    expect(userErrors).toEqual([]);
    expect(key).toMatchObject({
      name: "dark_mode",
      type: "NUMBER",
      defaultValue: 3,
      archived: false,
      archivedAt: null,
      usages: [],
    });
    expect(await keyById(key!.id)).toEqual(key);
  });

  test("a key name is trimmed", async () => {
    const { key } = await createKey({ name: "  trimmed_name  ", type: "BOOLEAN", defaultValue: true });
    expect(key?.name).toBe("trimmed_name");
  });

  test.each([
    ["", "empty"],
    ["   ", "blank"],
    ["1st_key", "starting with a digit"],
    ["_hidden", "starting with an underscore"],
    ["has space", "containing a space"],
    ["emoji😀", "containing an emoji"],
    ["a".repeat(65), "longer than 64 characters"],
  ])("a key name %j (%s) is INVALID and nothing is created", async (name) => {
    const before = await activeKeyNames();
    const { key, userErrors } = await createKey({ name, type: "STRING", defaultValue: "x" });
    expect(key).toBeNull();
    expect(userErrors).toEqual([expect.objectContaining({ code: "INVALID", field: ["input", "name"] })]);
    expect(await activeKeyNames()).toEqual(before);
  });

  test("a key name of 64 characters with letters, digits, '_', '.' and '-' is accepted", async () => {
    const name = "a1_.-" + "b".repeat(59);
    const { key, userErrors } = await createKey({ name, type: "STRING", defaultValue: "x" });
    expect(userErrors).toEqual([]);
    expect(key?.name).toBe(name);
  });

  test("names are unique ignoring case: Dark_Mode clashes with dark_mode (NAME_TAKEN, naming the key that holds it)", async () => {
    const { key, userErrors } = await createKey({ name: "Dark_Mode", type: "NUMBER", defaultValue: 1 });
    expect(key).toBeNull();
    expect(userErrors).toEqual([
      {
        code: "NAME_TAKEN",
        field: ["input", "name"],
        message: 'A key named "dark_mode" already exists (names are compared ignoring case)',
        usages: [],
      },
    ]);
    expect((await activeKeyNames()).filter((name) => name.toLowerCase() === "dark_mode")).toEqual([
      "dark_mode",
    ]);
  });

  test("an archived key still holds its name, and the refusal says it is archived", async () => {
    const { key } = await createKey({ name: "retired_flag", type: "BOOLEAN", defaultValue: false });
    await app.query(ArchiveKeyDocument, { id: key!.id });
    const again = await createKey({ name: "RETIRED_FLAG", type: "BOOLEAN", defaultValue: false });
    expect(again.userErrors.map((e) => [e.code, e.message])).toEqual([
      [
        "NAME_TAKEN",
        'An archived key is named "retired_flag": unarchive it, or choose another name (names are compared ignoring case)',
      ],
    ]);
  });

  test.each([
    ["STRING", 3],
    ["STRING", true],
    ["STRING", { a: 1 }],
    ["NUMBER", "3"],
    ["NUMBER", true],
    ["NUMBER", [3]],
    ["BOOLEAN", "true"],
    ["BOOLEAN", 1],
  ] as const)(
    "a %s key refuses the default value %j as INVALID at input.defaultValue",
    async (type, defaultValue) => {
      const { key, userErrors } = await createKey({
        name: `typed_${type}_${Math.random().toString(36).slice(2)}`,
        type,
        defaultValue,
      });
      expect(key).toBeNull();
      expect(userErrors).toEqual([
        expect.objectContaining({ code: "INVALID", field: ["input", "defaultValue"] }),
      ]);
    },
  );

  test("each type accepts its own kind of value, JSON any JSON value", async () => {
    const cases: CreateKeyInput[] = [
      { name: "welcome_text", type: "STRING", defaultValue: "Hello" },
      { name: "retry_count", type: "NUMBER", defaultValue: -2.5 },
      { name: "beta", type: "BOOLEAN", defaultValue: false },
      { name: "layout", type: "JSON", defaultValue: { columns: [1, 2], title: null } },
      { name: "json_string", type: "JSON", defaultValue: "just a string" },
    ];
    for (const input of cases) {
      const { key, userErrors } = await createKey(input);
      expect(userErrors).toEqual([]);
      expect(key?.defaultValue).toEqual(input.defaultValue);
    }
  });

  test("a STRING default of more than 10,000 characters is INVALID; 10,000 is fine", async () => {
    const tooLong = await createKey({ name: "long_text", type: "STRING", defaultValue: "x".repeat(10_001) });
    expect(tooLong.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "defaultValue"] }),
    ]);
    const fits = await createKey({ name: "long_text", type: "STRING", defaultValue: "x".repeat(10_000) });
    expect(fits.userErrors).toEqual([]);
  });

  test("a JSON default over 64 KiB serialized is INVALID", async () => {
    const { key, userErrors } = await createKey({
      name: "big_json",
      type: "JSON",
      defaultValue: { blob: "x".repeat(64 * 1024) },
    });
    expect(key).toBeNull();
    expect(userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "defaultValue"] }),
    ]);
  });

  test("a description over 1,000 characters is INVALID", async () => {
    const { key, userErrors } = await createKey({
      name: "described",
      type: "BOOLEAN",
      defaultValue: true,
      description: "d".repeat(1001),
    });
    expect(key).toBeNull();
    expect(userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "description"] }),
    ]);
  });

  test("every bad field is reported at once", async () => {
    const { userErrors } = await createKey({
      name: "9bad",
      type: "NUMBER",
      defaultValue: "nope",
      description: "d".repeat(1001),
    });
    expect(userErrors.map((e) => e.field)).toEqual(
      expect.arrayContaining([
        ["input", "name"],
        ["input", "defaultValue"],
        ["input", "description"],
      ]),
    );
  });

  test("a null default value is refused by GraphQL itself", async () => {
    const response = await app.execute(CreateKeyDocument, {
      input: { name: "nullish", type: "JSON", defaultValue: null },
    });
    expect(response.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("editing keys", () => {
  test("a key's default value (3 to 4) and description can change", async () => {
    const { key } = await createKey({ name: "dark_mode_edit", type: "NUMBER", defaultValue: 3 });
    const { updateKey } = await app.query(UpdateKeyDocument, {
      input: { id: key!.id, defaultValue: 4, description: "4 turns it off" },
    });
    expect(updateKey.userErrors).toEqual([]);
    expect(updateKey.key).toMatchObject({
      name: "dark_mode_edit",
      type: "NUMBER",
      defaultValue: 4,
      description: "4 turns it off",
    });
    expect((await keyById(key!.id))?.defaultValue).toBe(4);
  });

  test("fields left null keep their value; an empty description clears it", async () => {
    const { key } = await createKey({
      name: "keeps_fields",
      type: "STRING",
      defaultValue: "a",
      description: "kept",
    });
    const kept = (await app.query(UpdateKeyDocument, { input: { id: key!.id, defaultValue: "b" } })).updateKey
      .key;
    expect(kept).toMatchObject({ defaultValue: "b", description: "kept" });
    const cleared = (await app.query(UpdateKeyDocument, { input: { id: key!.id, description: "" } }))
      .updateKey.key;
    expect(cleared).toMatchObject({ defaultValue: "b", description: null });
  });

  test("a default of the wrong type is INVALID and nothing changes", async () => {
    const { key } = await createKey({ name: "typed_edit", type: "NUMBER", defaultValue: 3 });
    const { updateKey } = await app.query(UpdateKeyDocument, {
      input: { id: key!.id, defaultValue: "4", description: "changed" },
    });
    expect(updateKey.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "defaultValue"] }),
    ]);
    expect(await keyById(key!.id)).toEqual(key);
  });

  test("the name and type cannot change: the input has no such fields", async () => {
    const { key } = await createKey({ name: "fixed_name", type: "NUMBER", defaultValue: 3 });
    const response = await app.execute(
      `mutation { updateKey(input: { id: "${key!.id}", name: "other" }) { key { name } } }`,
    );
    expect(response.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(await keyById(key!.id)).toEqual(key);
  });

  test("editing an unknown key is NOT_FOUND", async () => {
    const { updateKey } = await app.query(UpdateKeyDocument, {
      input: { id: "01900000-0000-7000-8000-000000000000", defaultValue: 1 },
    });
    expect(updateKey.userErrors).toEqual([
      expect.objectContaining({ code: "NOT_FOUND", field: ["input", "id"] }),
    ]);
  });

  test("an archived key is read-only: editing it is ARCHIVED and nothing changes", async () => {
    const { key } = await createKey({ name: "archived_edit", type: "NUMBER", defaultValue: 3 });
    const archived = (await app.query(ArchiveKeyDocument, { id: key!.id })).archiveKey.key;
    const { updateKey } = await app.query(UpdateKeyDocument, { input: { id: key!.id, defaultValue: 4 } });
    expect(updateKey.userErrors).toEqual([expect.objectContaining({ code: "ARCHIVED" })]);
    expect(await keyById(key!.id)).toEqual(archived);
  });
});

describe("archiving keys", () => {
  test("an archived key leaves the default list and is listed with archived: true", async () => {
    const { key } = await createKey({ name: "old_banner", type: "BOOLEAN", defaultValue: true });
    const { archiveKey } = await app.query(ArchiveKeyDocument, { id: key!.id });
    expect(archiveKey.userErrors).toEqual([]);
    expect(archiveKey.key).toMatchObject({ archived: true, archivedAt: expect.any(String) });

    const active = (await app.query(ListKeysDocument, { first: 100 })).keys.nodes.map((k) => k.name);
    const archived = (
      await app.query(ListKeysDocument, { filter: { archived: true }, first: 100 })
    ).keys.nodes.map((k) => k.name);
    const both = (
      await app.query(ListKeysDocument, { filter: { archived: null }, first: 100 })
    ).keys.nodes.map((k) => k.name);
    expect(active).not.toContain("old_banner");
    expect(archived).toContain("old_banner");
    expect(archived).not.toContain("dark_mode");
    expect(both).toEqual(expect.arrayContaining(["old_banner", "dark_mode"]));
  });

  test("a filter without `archived` lists active keys only", async () => {
    const names = (await app.query(ListKeysDocument, { filter: { search: "old_banner" } })).keys.nodes.map(
      (k) => k.name,
    );
    expect(names).toEqual([]);
  });

  test("archiving twice is INVALID_STATE", async () => {
    const { key } = await createKey({ name: "twice", type: "BOOLEAN", defaultValue: true });
    await app.query(ArchiveKeyDocument, { id: key!.id });
    const { archiveKey } = await app.query(ArchiveKeyDocument, { id: key!.id });
    expect(archiveKey.userErrors).toEqual([expect.objectContaining({ code: "INVALID_STATE" })]);
  });

  test("unarchiving an active key is INVALID_STATE; unarchiving an archived one restores it", async () => {
    const { key } = await createKey({ name: "comes_back", type: "BOOLEAN", defaultValue: true });
    expect((await app.query(UnarchiveKeyDocument, { id: key!.id })).unarchiveKey.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID_STATE" }),
    ]);
    await app.query(ArchiveKeyDocument, { id: key!.id });
    const { unarchiveKey } = await app.query(UnarchiveKeyDocument, { id: key!.id });
    expect(unarchiveKey.key).toMatchObject({ archived: false, archivedAt: null });
    expect(await activeKeyNames()).toContain("comes_back");
  });

  test("archiving or unarchiving an unknown key is NOT_FOUND", async () => {
    const id = "01900000-0000-7000-8000-000000000000";
    expect((await app.query(ArchiveKeyDocument, { id })).archiveKey.userErrors[0].code).toBe("NOT_FOUND");
    expect((await app.query(UnarchiveKeyDocument, { id: "not-an-id" })).unarchiveKey.userErrors[0].code).toBe(
      "NOT_FOUND",
    );
  });
});

describe("finding keys", () => {
  test("key(name:) finds a key ignoring case; key needs exactly one of id and name", async () => {
    expect((await app.query(GetKeyDocument, { name: "DARK_MODE" })).key?.name).toBe("dark_mode");
    expect((await app.query(GetKeyDocument, { name: "no_such_key" })).key).toBeNull();
    const neither = await app.execute(GetKeyDocument, {});
    expect(neither.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });

  test("search matches a case-insensitive substring of the name or the description, wildcards taken literally", async () => {
    await createKey({
      name: "checkout_color",
      type: "STRING",
      defaultValue: "red",
      description: "Colour of the 100% BUY button",
    });
    const search = async (text: string) =>
      (await app.query(ListKeysDocument, { filter: { search: text }, first: 100 })).keys.nodes.map(
        (k) => k.name,
      );
    expect(await search("CHECKOUT")).toEqual(["checkout_color"]);
    expect(await search("buy button")).toEqual(["checkout_color"]);
    expect(await search("100%")).toEqual(["checkout_color"]);
    expect(await search("1_0")).toEqual([]);
  });
});

describe("paging through keys", () => {
  test("pages follow creation order without gaps or repeats, and totalCount counts all pages", async () => {
    const all = (await app.query(ListKeysDocument, { first: 100 })).keys;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: typeof all = (await app.query(ListKeysDocument, { first: 3, after })).keys;
      expect(page.totalCount).toBe(all.totalCount);
      seen.push(...page.nodes.map((k) => k.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual(all.nodes.map((k) => k.id));
    expect([...seen].sort()).toEqual(seen);
  });

  test.each([0, 101, -1])("first: %d is refused with BAD_USER_INPUT", async (first) => {
    const response = await app.execute(ListKeysDocument, { first });
    expect(response.errors?.[0]).toMatchObject({
      message: "first must be from 1 to 100",
      extensions: { code: "BAD_USER_INPUT" },
    });
  });

  test("a cursor we did not make is refused with BAD_USER_INPUT", async () => {
    const response = await app.execute(ListKeysDocument, { after: "bm9wZQ" });
    expect(response.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("the audit log of keys", () => {
  test("create, update and archive each leave an audit event with the token's name, before and after", async () => {
    const { key } = await createKey({ name: "audited", type: "NUMBER", defaultValue: 1 });
    await app.query(UpdateKeyDocument, { input: { id: key!.id, defaultValue: 2 } });
    await app.query(ArchiveKeyDocument, { id: key!.id });
    const { auditLog } = await app.query(AuditLogDocument, { entityId: key!.id });
    expect(auditLog.nodes.map((event) => event.action)).toEqual(["archiveKey", "updateKey", "createKey"]);
    expect(auditLog.nodes.every((event) => event.actor === "bootstrap" && event.entityType === "Key")).toBe(
      true,
    );
    const [archived, updated, created] = auditLog.nodes;
    expect(created.before).toBeNull();
    expect(created.after).toMatchObject({ name: "audited", defaultValue: 1 });
    expect(updated.before).toMatchObject({ defaultValue: 1 });
    expect(updated.after).toMatchObject({ defaultValue: 2 });
    expect(archived.after).toMatchObject({ archived: true });
    expect(JSON.stringify(auditLog)).not.toMatch(/nameKey|projectId|searchText/);
  });

  test("a refused mutation leaves no audit event", async () => {
    const before = (await app.query(AuditLogDocument, { first: 1 })).auditLog.totalCount;
    await createKey({ name: "dark_mode", type: "NUMBER", defaultValue: 1 });
    expect((await app.query(AuditLogDocument, { first: 1 })).auditLog.totalCount).toBe(before);
  });
});
