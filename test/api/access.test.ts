import { createHash } from "node:crypto";
import { ApiToken } from "../../src/access/api-token.entity";
import { Role } from "../../src/access/role";
import { buildAppSchema } from "../../src/graphql/schema";
import {
  ApiTokensDocument,
  AuditLogDocument,
  CreateApiTokenDocument,
  CreateKeyDocument,
  CreateProjectDocument,
  ListKeysDocument,
  RevokeApiTokenDocument,
  ViewerDocument,
} from "../../client/generated/graphql";
import { CONCURRENT_WRITES } from "../helpers/database";
import { ADMIN_SECRET, startTestApp, type TestApp } from "../helpers/servers";
import { ROLE_MATRIX } from "../helpers/role-matrix";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("tokens", () => {
  test("viewer tells each token its project, role and name", async () => {
    for (const role of Object.values(Role)) {
      const token = await app.tokenFor(role);
      const { viewer } = await app.query(ViewerDocument, {}, token);
      expect(viewer).toMatchObject({
        role,
        tokenName: `${role.toLowerCase()}-token`,
        project: { name: "Default project" },
      });
    }
  });

  test("a new token's secret is returned once and stored only as its SHA-256 hash", async () => {
    const { createApiToken } = await app.query(CreateApiTokenDocument, {
      input: { name: "ci", role: "EDITOR" },
    });
    expect(createApiToken.secret).toMatch(/^px_[A-Za-z0-9_-]{43}$/);
    const stored = await app.services.db.reader.findOneByOrFail(ApiToken, { id: createApiToken.token!.id });
    expect(stored.secretHash).toBe(createHash("sha256").update(createApiToken.secret!).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(createApiToken.secret!);
    const listed = JSON.stringify((await app.query(ApiTokensDocument)).apiTokens);
    expect(listed).toContain("ci");
    expect(listed).not.toContain(createApiToken.secret!);
  });

  test("a token name is trimmed and must not be empty", async () => {
    const { createApiToken } = await app.query(CreateApiTokenDocument, {
      input: { name: "  ", role: "SDK" },
    });
    expect(createApiToken).toMatchObject({ token: null, secret: null });
    expect(createApiToken.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "name"] }),
    ]);
  });

  test("a revoked token is refused from the next request on", async () => {
    const { createApiToken } = await app.query(CreateApiTokenDocument, {
      input: { name: "leaked", role: "VIEWER" },
    });
    await app.query(ViewerDocument, {}, createApiToken.secret!);
    const { revokeApiToken } = await app.query(RevokeApiTokenDocument, { id: createApiToken.token!.id });
    expect(revokeApiToken.token?.revoked).toBe(true);
    await expect(app.execute(ViewerDocument, {}, createApiToken.secret!)).rejects.toMatchObject({
      extensions: { code: "UNAUTHENTICATED" },
    });
  });

  test("on SQLite a token is read once while nothing is committed; a revocation or a setup change is seen at the next request", async () => {
    const { createApiToken } = await app.query(CreateApiTokenDocument, {
      input: { name: "remembered", role: "VIEWER" },
    });
    const secret = createApiToken.secret!;
    const tokenReads = async () => {
      // The first use writes lastUsedAt, a commit: wait for it, so the next use is the one counted.
      while (app.services.db.pendingWrites > 0) await new Promise((resolve) => setImmediate(resolve));
      return app.countStatements(/FROM api_token/, () => app.query(ViewerDocument, {}, secret));
    };
    await app.query(ViewerDocument, {}, secret);
    expect(await tokenReads()).toBe(app.services.db.engine === "sqlite" ? 0 : 1);
    // A setup change commits: the project's config version is read again with the token.
    await app.query(CreateKeyDocument, {
      input: { name: "remembered_key", type: "BOOLEAN", defaultValue: true },
    });
    expect(await tokenReads()).toBe(1);
    expect(await tokenReads()).toBe(app.services.db.engine === "sqlite" ? 0 : 1);
    const { keys } = await app.query(ListKeysDocument, { first: 100 }, secret);
    expect(keys.nodes.map((key) => key.name)).toContain("remembered_key");
    await app.query(RevokeApiTokenDocument, { id: createApiToken.token!.id });
    await expect(app.execute(ViewerDocument, {}, secret)).rejects.toMatchObject({
      extensions: { code: "UNAUTHENTICATED" },
    });
  });

  test("revoking twice is INVALID_STATE; an unknown token is NOT_FOUND", async () => {
    const { createApiToken } = await app.query(CreateApiTokenDocument, {
      input: { name: "temp", role: "SDK" },
    });
    await app.query(RevokeApiTokenDocument, { id: createApiToken.token!.id });
    expect(
      (await app.query(RevokeApiTokenDocument, { id: createApiToken.token!.id })).revokeApiToken.userErrors[0]
        .code,
    ).toBe("INVALID_STATE");
    expect((await app.query(RevokeApiTokenDocument, { id: "nope" })).revokeApiToken.userErrors[0].code).toBe(
      "NOT_FOUND",
    );
  });

  test("the project's last active ADMIN token cannot be revoked (INVALID_STATE)", async () => {
    const soleAdmin = await app.newProject("Lonely project");
    const { apiTokens } = await app.query(ApiTokensDocument, {}, soleAdmin);
    const { revokeApiToken } = await app.query(RevokeApiTokenDocument, { id: apiTokens[0].id }, soleAdmin);
    expect(revokeApiToken.userErrors).toEqual([expect.objectContaining({ code: "INVALID_STATE" })]);
    expect((await app.query(ViewerDocument, {}, soleAdmin)).viewer.role).toBe("ADMIN");
  });

  test("a token's last use is recorded, but not written again on every request", async () => {
    const { createApiToken } = await app.query(CreateApiTokenDocument, {
      input: { name: "last-use", role: "VIEWER" },
    });
    const lastUsed = async () =>
      (await app.query(ApiTokensDocument)).apiTokens.find((t) => t.id === createApiToken.token!.id)!
        .lastUsedAt;
    // The write happens off the request's path: wait until no write of this process is pending.
    const settled = async () => {
      while (app.services.db.pendingWrites > 0) await new Promise((resolve) => setImmediate(resolve));
      return lastUsed();
    };
    expect(await settled()).toBeNull();
    await app.query(ViewerDocument, {}, createApiToken.secret!);
    const first = await settled();
    expect(first).not.toBeNull();
    for (let i = 0; i < 5; i++) await app.query(ViewerDocument, {}, createApiToken.secret!);
    expect(await settled()).toBe(first);
  });

  test("token changes are audited with the acting token's name, without secrets", async () => {
    const { createApiToken } = await app.query(CreateApiTokenDocument, {
      input: { name: "audited-token", role: "SDK" },
    });
    const { auditLog } = await app.query(AuditLogDocument, { entityId: createApiToken.token!.id });
    expect(auditLog.nodes).toEqual([
      expect.objectContaining({ action: "createApiToken", actor: "bootstrap", entityType: "ApiToken" }),
    ]);
    expect(JSON.stringify(auditLog)).not.toMatch(/px_|secret/i);
  });
});

describe("roles", () => {
  test("the role matrix covers every root field of the schema", async () => {
    const schema = await buildAppSchema();
    const fields = [
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.keys(schema.getMutationType()!.getFields()),
    ].sort();
    expect(ROLE_MATRIX.map((row) => row.field).sort()).toEqual(fields);
  });

  describe.each(Object.values(Role))("as %s", (role) => {
    let token: string;
    beforeAll(async () => {
      token = role === Role.ADMIN ? ADMIN_SECRET : await app.tokenFor(role);
    });

    test.each(ROLE_MATRIX.map((row) => [row.field, row] as const))("%s", async (_field, row) => {
      const response = await app.execute(row.document, {}, token);
      const forbidden = response.errors?.some((error) => error.extensions?.code === "FORBIDDEN") ?? false;
      expect({ field: row.field, forbidden }).toEqual({
        field: row.field,
        forbidden: !row.roles.includes(role),
      });
      if (forbidden)
        expect((response.data as Record<string, unknown> | null)?.[row.field] ?? null).toBeNull();
    });
  });

  test("a FORBIDDEN mutation changes nothing", async () => {
    const viewer = await app.tokenFor(Role.VIEWER);
    const before = (await app.query(ListKeysDocument, { first: 1 })).keys.totalCount;
    const response = await app.execute(
      CreateKeyDocument,
      { input: { name: "sneaky", type: "BOOLEAN", defaultValue: true } },
      viewer,
    );
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    expect((await app.query(ListKeysDocument, { first: 1 })).keys.totalCount).toBe(before);
  });
});

describe("projects", () => {
  test("createProject makes an empty project reachable only with the secret it returns", async () => {
    const { createProject } = await app.query(CreateProjectDocument, { name: " Mobile app " });
    expect(createProject.project?.name).toBe("Mobile app");
    const secret = createProject.adminSecret!;
    const { viewer } = await app.query(ViewerDocument, {}, secret);
    expect(viewer).toMatchObject({
      role: "ADMIN",
      tokenName: "admin",
      project: { id: createProject.project!.id },
    });
    expect((await app.query(ListKeysDocument, { filter: { archived: null } }, secret)).keys.totalCount).toBe(
      0,
    );
  });

  test("a project name must not be empty", async () => {
    const { createProject } = await app.query(CreateProjectDocument, { name: "" });
    expect(createProject).toMatchObject({ project: null, adminSecret: null });
    expect(createProject.userErrors).toEqual([expect.objectContaining({ code: "INVALID", field: ["name"] })]);
  });

  test(`project names are unique ignoring case (NAME_TAKEN naming the holder), also when sent at once (${CONCURRENT_WRITES})`, async () => {
    const answers = await Promise.all(
      ["Ünique shop", "ünique SHOP", "ÜNIQUE shop "].map((name) =>
        app.query(CreateProjectDocument, { name }),
      ),
    );
    const made = answers.filter((answer) => answer.createProject.project !== null);
    expect(made).toHaveLength(1);
    const holder = made[0].createProject.project!.name;
    expect(answers.flatMap((answer) => answer.createProject.userErrors)).toEqual(
      Array(2).fill({
        code: "NAME_TAKEN",
        field: ["name"],
        message: `A project named "${holder}" already exists (names are compared ignoring case)`,
        usages: [],
      }),
    );
  });
});
