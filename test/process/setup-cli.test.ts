import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, startHttpServer, type HttpTestServer } from "../helpers/servers";

/**
 * `npm run setup` is what a CI job gates on: its exit code says "no changes" (0), "changes" (1) or
 * "errors, nothing changed" (2), and a document with errors changes nothing even on `apply`.
 */
const ADMIN = "px_setup_cli_test_admin_secret";
const ROOT = path.join(__dirname, "..", "..");
let server: HttpTestServer;
let directory: string;

beforeAll(async () => {
  server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } });
  directory = mkdtempSync(path.join(tmpdir(), "px-setup-cli-"));
});
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  await server.close();
});

function setup(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      ["-r", path.join(ROOT, "scripts", "register-ts.js"), path.join(ROOT, "scripts", "setup.ts"), ...args],
      { cwd: directory, env: { PATH: process.env.PATH, PX_URL: server.url, PX_TOKEN: ADMIN } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    ),
  );
}

function documentWith(keys: unknown[]): string {
  const file = path.join(directory, `setup-${keys.length}-${Date.now()}.json`);
  writeFileSync(
    file,
    JSON.stringify({ format: "px-setup/1", keys, segments: [], goals: [], experiences: [] }),
  );
  return file;
}

const KEY = { name: "banner_text", type: "STRING", defaultValue: "hello", description: "", archived: false };

test("plan exits 1 with changes, apply makes them, plan then exits 0; a document with errors exits 2 and changes nothing", async () => {
  const file = documentWith([KEY]);
  const planned = await setup("plan", "--file", file);
  expect(planned).toMatchObject({ code: 1 });
  expect(planned.stdout).toMatch(/^\+ KEY banner_text \(CREATE\)$/m);

  expect(await setup("apply", "--file", file)).toMatchObject({
    code: 0,
    stdout: expect.stringContaining("applied: 1"),
  });
  expect(await setup("plan", "--file", file)).toMatchObject({
    code: 0,
    stdout: expect.stringContaining("plan: no changes"),
  });

  const exportedFile = path.join(directory, "exported.json");
  expect(await setup("export", "--file", exportedFile)).toMatchObject({ code: 0 });
  const exported = JSON.parse(readFileSync(exportedFile, "utf8")) as { $schema: string };
  expect(exported.$schema).toBe(`${server.url}/schemas/px-setup-1.json`);
  expect((await fetch(exported.$schema)).status).toBe(200);
  expect(await setup("plan", "--file", exportedFile)).toMatchObject({ code: 0 });

  const broken = documentWith([
    { ...KEY, defaultValue: "changed" },
    { ...KEY, name: "count", type: "NUMBER", defaultValue: "ten" },
  ]);
  const refused = await setup("apply", "--file", broken);
  expect(refused.code).toBe(2);
  expect(refused.stdout).toMatch(/^! INVALID at document\.keys\.\d\.defaultValue: /m);
  expect(refused.stdout).toContain("nothing was changed");
  // The valid half of the broken document was not applied either.
  expect(await setup("plan", "--file", file)).toMatchObject({ code: 0 });
});

test("a wrong token, an unreachable server and a file that is not JSON exit 2 with the reason on stderr", async () => {
  const file = documentWith([KEY]);
  const wrongToken = await setup("plan", "--file", file, "--token", "px_not_a_token");
  expect(wrongToken.code).toBe(2);
  expect(wrongToken.stderr).toMatch(/UNAUTHENTICATED|token/i);

  const closed = await freePort();
  const unreachable = await setup("plan", "--file", file, "--url", `http://127.0.0.1:${closed}`);
  expect(unreachable.code).toBe(2);
  expect(unreachable.stderr).toContain(`ECONNREFUSED 127.0.0.1:${closed}`);

  const notJson = path.join(directory, "not.json");
  writeFileSync(notJson, "{ keys: ");
  expect(await setup("plan", "--file", notJson)).toMatchObject({
    code: 2,
    stderr: expect.stringContaining("is not JSON"),
  });

  expect(await setup("frobnicate")).toMatchObject({ code: 2, stderr: expect.stringContaining("usage:") });
});
