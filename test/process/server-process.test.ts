import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { databaseUrl, freshDatabase } from "../helpers/database";
import { startServerProcess, stopServerProcesses } from "../helpers/servers";

/*
 * The server as an operator runs it: `src/main.ts` in a process of its own, and `npm start` as a
 * newcomer types it, with the signals a terminal and a process manager send.
 */
const ROOT = path.join(__dirname, "..", "..");

describe("a server process", () => {
  afterEach(stopServerProcesses);

  test("a first start with no token creates an ADMIN token and prints it once; SIGTERM stops it cleanly", async () => {
    const fresh = await freshDatabase();
    // On SQLite, also that the database's folder is made.
    const env = {
      DATABASE_URL:
        fresh.config.engine === "sqlite"
          ? `sqlite:${path.join(path.dirname(fresh.config.file), "nested", "px.sqlite")}`
          : databaseUrl(fresh.config),
    };
    try {
      const first = await startServerProcess(env);
      const secret = /px_[A-Za-z0-9_-]{43}/.exec(await first.printed("/graphql#token="))?.[0];
      expect(secret).toBeDefined();
      // The dashboard's and the playground's addresses carry it in the #fragment: the browser never
      // sends that part.
      expect(first.output()).toContain(`${first.url}/app#token=${secret}`);
      expect(first.output()).toContain(`${first.url}/graphql#token=${secret}`);
      const viewer = await fetch(`${first.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: "{ viewer { role project { name } } }" }),
      });
      expect(await viewer.json()).toEqual({
        data: { viewer: { role: "ADMIN", project: { name: "Default project" } } },
      });
      first.child.kill("SIGTERM");
      expect(await first.exited).toEqual({ code: 0, signal: null });
      expect(first.output()).not.toMatch(/"level":50/);

      const second = await startServerProcess(env);
      expect(second.output()).not.toMatch(/px_[A-Za-z0-9_-]{43}/);
      second.child.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);
    } finally {
      await stopServerProcesses();
      await fresh.drop();
    }
  });

  test("a start with BOOTSTRAP_ADMIN_TOKEN says it installed it, without printing it back", async () => {
    const fresh = await freshDatabase();
    const secret = "px_operator_chosen_secret_1234";
    try {
      const started = await startServerProcess({
        DATABASE_URL: databaseUrl(fresh.config),
        BOOTSTRAP_ADMIN_TOKEN: secret,
      });
      const installed = 'Installed BOOTSTRAP_ADMIN_TOKEN as the ADMIN token "bootstrap"';
      expect(await started.printed(installed)).toContain(installed);
      expect(started.output()).not.toContain(secret);
      expect(started.output()).not.toMatch(/px_[A-Za-z0-9_-]{43}/);
    } finally {
      await stopServerProcesses();
      await fresh.drop();
    }
  });

  test.each([
    [
      { DATABASE_URL: "mysql://nope" },
      /Configuration error: DATABASE_URL must start with sqlite: or postgres:\/\//,
    ],
    [{ PORT: "abc" }, /Configuration error: PORT must be a whole number from 0 to 65535, got "abc"/],
    [
      { BOOTSTRAP_ADMIN_TOKEN: "short" },
      /Configuration error: BOOTSTRAP_ADMIN_TOKEN must be at least 16 characters/,
    ],
    [{ LOG_LEVEL: "loud" }, /Configuration error: LOG_LEVEL must be one of/],
  ])("%j stops the start with a message naming the variable, and no stack trace", async (env, message) => {
    const failure = await startServerProcess(env).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(message);
    expect(failure).not.toMatch(/\n\s+at /);
  });
  test("a second SIGINT while the close waits for a request in flight says so and forces the exit", async () => {
    const fresh = await freshDatabase();
    try {
      const server = await startServerProcess({ DATABASE_URL: databaseUrl(fresh.config) });
      // A request whose body never ends: the close waits for it (Apollo's drain).
      const { hostname, port } = new URL(server.url);
      const hanging = request({
        hostname,
        port,
        method: "POST",
        path: "/graphql",
        headers: { "content-type": "application/json", "content-length": "1000" },
      });
      hanging.on("error", () => undefined);
      hanging.write("{");
      await new Promise((resolve) => setTimeout(resolve, 200));
      server.child.kill("SIGINT");
      await server.printed("shutting down");
      await new Promise((resolve) => setTimeout(resolve, 1500));
      server.child.kill("SIGINT");
      expect(await server.exited).toEqual({ code: 130, signal: null });
      expect(server.output()).toContain("forcing the exit now");
      hanging.destroy();
    } finally {
      await fresh.drop();
    }
  });
});

describe("npm start", () => {
  /** A scratch copy of the project (node_modules linked), so that its builds touch nothing other suites read. */
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "px-npm-start-"));
    for (const entry of [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "ormconfig.ts",
      ".swcrc",
      "src",
      "schema",
      "scripts",
      "web",
      "client",
    ])
      cpSync(path.join(ROOT, entry), path.join(scratch, entry), { recursive: true });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(scratch, "node_modules"));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  // A test that failed before its Ctrl-C leaves no server behind.
  const npmProcesses: ChildProcess[] = [];
  afterEach(() => {
    for (const npm of npmProcesses.splice(0))
      if (npm.exitCode === null && npm.signalCode === null) process.kill(-npm.pid!, "SIGKILL");
  });

  /** `npm start` in a process group of its own, as a terminal runs a command in the foreground. */
  async function npmStart(dataDir: string) {
    const npm = spawn("npm", ["start"], {
      cwd: scratch,
      detached: true,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? scratch,
        PORT: "0",
        DATABASE_URL: `sqlite:${path.join(dataDir, "px.sqlite")}`,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    npmProcesses.push(npm);
    let output = "";
    npm.stdout.on("data", (chunk) => (output += chunk));
    npm.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm.once("exit", (code, signal) => resolve({ code, signal })),
    );
    const deadline = Date.now() + 85_000;
    let url: string | undefined;
    while (!(url = /"url":"(http:[^"]+)".*is listening/.exec(output)?.[1])) {
      if (Date.now() > deadline || npm.exitCode !== null)
        throw new Error(`npm start did not listen:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      url,
      output: () => output,
      exited,
      /** Ctrl-C in a terminal: SIGINT to every process of the foreground group, npm and the server. */
      interrupt: () => process.kill(-npm.pid!, "SIGINT"),
    };
  }

  test("Ctrl-C (SIGINT to the process group, npm forwarding it again): one clean shutdown, the database closed", async () => {
    const data = mkdtempSync(path.join(tmpdir(), "px-npm-start-data-"));
    try {
      const started = await npmStart(data);
      expect(started.output()).toContain("Building the server, the playground and the dashboard");
      expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
      started.interrupt();
      // npm ends by its own SIGINT, as any interrupted npm command does (a shell shows 130), after
      // the server, which stopped cleanly and exited 0 (its last word is "stopped").
      expect(await started.exited).toEqual({ code: null, signal: "SIGINT" });
      expect(started.output().match(/shutting down/g)).toHaveLength(1);
      expect(started.output()).toContain('"msg":"stopped"');
      expect(started.output()).not.toMatch(/"level":(40|50|60)/);
      // SQLite removes its -wal and -shm files when the last connection closes cleanly.
      expect(readdirSync(data).sort()).toEqual(["px.sqlite"]);
      await expect(fetch(`${started.url}/healthz`)).rejects.toThrow();
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  test("a start reuses the build while no source changed, and builds again once one did", async () => {
    const data = mkdtempSync(path.join(tmpdir(), "px-npm-start-data-"));
    try {
      const again = await npmStart(data);
      expect(again.output()).toContain("The build is current");
      expect(again.output()).not.toContain("Building");
      again.interrupt();
      await again.exited;
      // A source that changed (its content, not only its time): the next start builds.
      const source = path.join(scratch, "src", "emit-schema.ts");
      writeFileSync(source, `${execFileSync("cat", [source], { encoding: "utf8" })}\n`);
      utimesSync(source, new Date(), new Date());
      const rebuilt = await npmStart(data);
      expect(rebuilt.output()).toContain("Building the server, the playground and the dashboard");
      rebuilt.interrupt();
      await rebuilt.exited;
      expect(existsSync(path.join(scratch, "dist", ".build-inputs"))).toBe(true);
      expect(existsSync(path.join(scratch, "public", "app", "index.html"))).toBe(true);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
