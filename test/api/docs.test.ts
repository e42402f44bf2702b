import { Kind, parse, print, validate, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { buildAppSchema } from "../../src/graphql/schema";
import { freePort, startHttpServer, type HttpTestServer } from "../helpers/servers";
import { eventually } from "../helpers/webhook-receiver";

/**
 * The docs are run, not just parsed: every ```graphql block of README.md and docs/*.md is sent, as
 * written (inline literals and all), in order, to a running server with a fresh database per file,
 * the way a reader pastes them into the playground. The conventions that make that possible:
 *
 * - A block is one document, pasted whole: several operations in it are named, and run in order.
 * - A ```json block right after a ```graphql block holds its variables (GraphiQL's Variables pane).
 * - An id is written "<id of KIND NAME>" (KIND: key, segment, goal, product config, feature flag,
 *   A/B test, token), a variant's "<id of variant NAME of A/B test TEST>"; it is looked up through
 *   the API just before the operation runs. A time is
 *   written "<time in N days>" (or hours, minutes, seconds): examples must not expire.
 * - A block that shows a refusal says so with a comment `# → CODE`; every other operation must
 *   answer without errors and with every userErrors list empty.
 */
const ROOT = path.join(__dirname, "..", "..");
const SECRET = "px_docs_walk_bootstrap_secret";

interface Block {
  where: string;
  source: string;
  variables: string | null;
}

function blocksOf(file: string): Block[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const blocks: Block[] = [];
  const fence = /```(\w*)\n([\s\S]*?)```/g;
  let match: RegExpExecArray | null;
  let previousEnd = -1;
  while ((match = fence.exec(text))) {
    const [whole, language, body] = match;
    if (language === "graphql") {
      blocks.push({
        where: `${file} #${blocks.length + 1} (line ${text.slice(0, match.index).split("\n").length})`,
        source: body,
        variables: null,
      });
    } else if (
      language === "json" &&
      blocks.length &&
      text.slice(previousEnd, match.index).trim() === "" &&
      blocks[blocks.length - 1].variables === null
    ) {
      blocks[blocks.length - 1].variables = body;
    }
    previousEnd = match.index + whole.length;
  }
  return blocks;
}

const files = ["README.md", ...readdirSync(path.join(ROOT, "docs")).map((file) => path.join("docs", file))]
  .filter((file) => file.endsWith(".md"))
  .filter((file) => blocksOf(file).length > 0);

test("the docs have GraphQL walks to run", () => {
  expect(files).toEqual(expect.arrayContaining(["README.md", path.join("docs", "GUIDE.md")]));
  expect(files.flatMap(blocksOf).length).toBeGreaterThan(30);
});

const KINDS: Record<string, string> = {
  key: "key",
  segment: "segment",
  goal: "goal",
  "product config": "PRODUCT_CONFIG",
  "feature flag": "FEATURE_FLAG",
  "A/B test": "AB_TEST",
  token: "token",
};
const TIME = /<time in (\d+) (days?|hours?|minutes?|seconds?)>/g;
const UNITS: Record<string, number> = { day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };
const PLACEHOLDER = /<id of (key|segment|goal|product config|feature flag|A\/B test|token) ([^>]+)>/g;
/** "<id of variant NAME of A/B test TEST>": matched first, so PLACEHOLDER never sees it. */
const VARIANT = /<id of variant ([^>]+?) of A\/B test ([^>]+)>/g;

describe.each(files)("%s, run in order", (file) => {
  let server: HttpTestServer;
  /** The secrets of the tokens the walk made, by name: later examples use them, as a reader would. */
  const secrets = new Map<string, string>();
  beforeAll(async () => {
    server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: SECRET } });
  });
  afterAll(() => server.close());

  async function graphql(query: string, variables: unknown = {}, operationName?: string) {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ query, variables, operationName }),
    });
    return (await response.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  }

  /** The id of the object of that kind and name, created by an earlier block. */
  async function idOf(kind: string, name: string): Promise<string> {
    const one = (nodes: { id: string; name: string }[]) => {
      const found = nodes.filter((node) => node.name === name);
      if (!found.length)
        throw new Error(`${file}: no ${kind} named "${name}" exists at this point of the walk`);
      return found[found.length - 1].id;
    };
    const list = async (query: string, variables: object) => {
      const { data, errors } = await graphql(query, variables);
      if (errors) throw new Error(JSON.stringify(errors));
      return one(
        (Object.values(data!)[0] as { nodes: { id: string; name: string }[] }).nodes ??
          (Object.values(data!)[0] as never),
      );
    };
    const search = { search: name, archived: null };
    switch (KINDS[kind]) {
      case "key":
        return list("query ($f: KeyFilter) { keys(filter: $f, first: 100) { nodes { id name } } }", {
          f: search,
        });
      case "segment":
        return list("query ($f: SegmentFilter) { segments(filter: $f, first: 100) { nodes { id name } } }", {
          f: search,
        });
      case "goal":
        return list("query ($f: GoalFilter) { goals(filter: $f, first: 100) { nodes { id name } } }", {
          f: search,
        });
      case "token":
        return list("{ apiTokens { id name } }", {});
      default:
        return list(
          "query ($f: ExperienceFilter) { experiences(filter: $f, first: 100) { nodes { id name } } }",
          { f: { ...search, kind: KINDS[kind] } },
        );
    }
  }

  async function variantIdOf(variant: string, test: string): Promise<string> {
    const testId = await idOf("A/B test", test);
    const { data } = await graphql(
      "query ($id: ID!) { experience(id: $id) { ... on ABTest { variants { id name } } } }",
      {
        id: testId,
      },
    );
    const found = (data!.experience as { variants: { id: string; name: string }[] }).variants.find(
      (candidate) => candidate.name === variant,
    );
    if (!found) throw new Error(`${file}: the A/B test "${test}" has no variant "${variant}" at this point`);
    return found.id;
  }

  async function resolve(text: string): Promise<string> {
    let resolved = withTimes(text);
    for (const [placeholder, variant, test] of text.matchAll(VARIANT))
      resolved = resolved.split(placeholder).join(await variantIdOf(variant, test));
    for (const [placeholder, kind, name] of resolved.matchAll(PLACEHOLDER))
      resolved = resolved.split(placeholder).join(await idOf(kind, name));
    return resolved;
  }

  test.each(blocksOf(file).map((block) => [block.where, block] as const))(
    "%s runs as written",
    async (_where, block) => {
      const schema = await buildAppSchema();
      const source = withTimes(block.source);
      const document: DocumentNode = parse(source);
      expect(validate(schema, document).map((error) => error.message)).toEqual([]);
      const operations = document.definitions.filter(
        (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
      );
      if (operations.length > 1) expect(operations.filter((operation) => !operation.name)).toEqual([]);
      const expectedCode = /# → ([A-Z_]+)/.exec(block.source)?.[1] ?? null;
      const codesSeen: string[] = [];
      const fragments = document.definitions
        .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((fragment) => sourceOf(source, fragment));
      for (const operation of operations) {
        // Each operation's ids are looked up just before it runs: an earlier one may have made them.
        const variables = block.variables === null ? {} : JSON.parse(await resolve(block.variables));
        const text = [sourceOf(source, operation), ...fragments].join("\n");
        const answer = await graphql(await resolve(text), variables, operation.name?.value);
        for (const { name, secret } of collectSecrets(answer.data)) secrets.set(name, secret);
        const userErrors = collectUserErrors(answer.data);
        codesSeen.push(
          ...(answer.errors ?? []).map((error) => error.extensions?.code ?? "?"),
          ...userErrors.map((error) => error.code),
        );
        if (expectedCode === null) {
          expect({
            operation: print(operation).split("\n")[0],
            errors: answer.errors ?? [],
            userErrors,
          }).toEqual({
            operation: print(operation).split("\n")[0],
            errors: [],
            userErrors: [],
          });
        }
      }
      if (expectedCode !== null) expect(codesSeen).toContain(expectedCode);
    },
  );
  if (file === "README.md") {
    test("after the walk, the app of *From an app* runs as written with the web-app token and prints what the README says", async () => {
      const section = readFileSync(path.join(ROOT, "README.md"), "utf8").split("## From an app")[1];
      const app = /```js\n([\s\S]*?)```/.exec(section)![1];
      const printed = /After the walk it prints[\s\S]*?\n\n```\n([\s\S]*?)```/.exec(section)![1];
      // Inside the repository, where the SDK packages are found, as the reader's own folder has them.
      const directory = mkdtempSync(path.join(ROOT, ".readme-app-"));
      try {
        writeFileSync(path.join(directory, "app.mjs"), app);
        const { stdout } = await promisify(execFile)(process.execPath, ["app.mjs"], {
          cwd: directory,
          env: { PATH: process.env.PATH, PX_URL: server.url, PX_SDK_TOKEN: secrets.get("web-app") },
        });
        expect(stdout.split("\n").map((line) => line.trimEnd())).toEqual(printed.split("\n"));
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });

    test("after the walk, *Promoting setup between projects* runs as written: Web shop ends up with the walk's setup", async () => {
      const section = readFileSync(path.join(ROOT, "README.md"), "utf8").split(
        "## Promoting setup between projects",
      )[1];
      const script = /```bash\n([\s\S]*?)```/
        .exec(section)![1]
        .replaceAll("http://localhost:4000", server.url);
      const file = path.join(ROOT, "setup.json");
      try {
        const { stdout } = await promisify(execFile)("bash", ["-c", `set -e\n${script}`], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            STAGING_TOKEN: SECRET,
            PRODUCTION_TOKEN: secrets.get("project Web shop"),
          },
        });
        expect(stdout).toMatch(/^\+ KEY dark_mode \(CREATE\)$/m);
        expect(stdout).toMatch(/plan: no changes\n$/);
      } finally {
        rmSync(file, { force: true });
      }
      const digest = async (token: string) => {
        const response = await fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: "{ exportSetup { digest } }" }),
        });
        return ((await response.json()) as { data: { exportSetup: { digest: string } } }).data.exportSetup
          .digest;
      };
      expect(await digest(secrets.get("project Web shop")!)).toBe(await digest(SECRET));
    });

    test("the receiver of *Webhooks* runs as written: it prints what the README says, and refuses what is not signed", async () => {
      const section = readFileSync(path.join(ROOT, "README.md"), "utf8").split("## Webhooks")[1];
      const receiver = /```js\n([\s\S]*?)```/.exec(section)![1];
      const printed = /makes it print[\s\S]*?\n\n```\n([\s\S]*?)```/.exec(section)![1];
      // A first start without a bootstrap token, as the README's reader has: its ADMIN token is "admin".
      const local = await startHttpServer({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true" } });
      const admin = local.server.bootstrapped!.secret;
      const call = async (query: string, variables: object) => {
        const response = await fetch(`${local.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
          body: JSON.stringify({ query, variables }),
        });
        return ((await response.json()) as { data: Record<string, any> }).data;
      };
      const directory = mkdtempSync(path.join(ROOT, ".readme-receiver-"));
      const port = await freePort();
      let child: ChildProcess | null = null;
      try {
        const { createWebhook } = await call(
          'mutation ($url: String!) { createWebhook(input: { url: $url, events: ["key.*"] }) { secret } }',
          { url: `http://127.0.0.1:${port}/` },
        );
        writeFileSync(path.join(directory, "receiver.mjs"), receiver);
        const started = spawn(process.execPath, ["receiver.mjs"], {
          cwd: directory,
          env: { PATH: process.env.PATH, PORT: String(port), WEBHOOK_SECRET: createWebhook.secret },
        });
        child = started;
        let output = "";
        started.stdout.on("data", (chunk) => (output += chunk));
        await eventually(
          () =>
            fetch(`http://127.0.0.1:${port}/`).then(
              () => true,
              () => false,
            ),
          "the receiver",
        );
        const unsigned = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "{}" });
        expect(unsigned.status).toBe(401);
        await call(
          'mutation { createKey(input: { name: "checkout_flow", type: STRING, defaultValue: "v1" }) { key { id } } }',
          {},
        );
        await eventually(async () => output.includes("\n"), "the receiver to print");
        expect(output).toBe(printed);
      } finally {
        child?.kill();
        rmSync(directory, { recursive: true, force: true });
        await local.close();
      }
    });

    test("after the walk, the curl lines of *From an app* answer the flags with the web-app token", async () => {
      const section = readFileSync(path.join(ROOT, "README.md"), "utf8").split("## From an app")[1];
      const script = /```bash\n([\s\S]*?)```/
        .exec(section)![1]
        .replaceAll("http://localhost:4000", server.url);
      const { stdout } = await promisify(execFile)("bash", ["-c", `set -e\n${script}`], {
        env: { PATH: process.env.PATH, PX_SDK_TOKEN: secrets.get("web-app") },
      });
      const [one, ...rest] = stdout.split("\n");
      expect(JSON.parse(one)).toMatchObject({ key: "button_color", value: "green", reason: "STATIC" });
      const all = rest.join("\n");
      expect(all).toMatch(/^HTTP\/1\.1 200/);
      expect(all).toMatch(/\netag: "/i);
      expect(JSON.parse(all.slice(all.indexOf("\r\n\r\n") + 4)).flags.length).toBeGreaterThan(0);
    });
  }
});

/** "<time in N days>" (or hours, minutes, seconds) as an ISO-8601 time that far from now. */
function withTimes(text: string): string {
  return text.replace(TIME, (_whole, count: string, unit: string) =>
    new Date(Date.now() + Number(count) * UNITS[unit.replace(/s$/, "")]).toISOString(),
  );
}

/** A definition's text as the block has it (comments and all). */
function sourceOf(source: string, definition: { loc?: { start: number; end: number } }): string {
  return source.slice(definition.loc!.start, definition.loc!.end);
}

/**
 * Every secret a response's data holds, by what it opens: a created token's by its name
 * (createApiToken), a new project's ADMIN secret as "project <name>" (createProject).
 */
function collectSecrets(value: unknown): { name: string; secret: string }[] {
  if (Array.isArray(value)) return value.flatMap(collectSecrets);
  if (value === null || typeof value !== "object") return [];
  const { secret, token, adminSecret, project } = value as {
    secret?: unknown;
    token?: { name?: unknown } | null;
    adminSecret?: unknown;
    project?: { name?: unknown } | null;
  };
  if (typeof secret === "string" && typeof token?.name === "string") return [{ name: token.name, secret }];
  if (typeof adminSecret === "string" && typeof project?.name === "string")
    return [{ name: `project ${project.name}`, secret: adminSecret }];
  return Object.values(value).flatMap(collectSecrets);
}

/** Every entry of every userErrors list anywhere in a response's data. */
function collectUserErrors(value: unknown): { code: string; message: string }[] {
  if (Array.isArray(value)) return value.flatMap(collectUserErrors);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([name, inner]) =>
    name === "userErrors" && Array.isArray(inner)
      ? (inner as { code: string; message: string }[])
      : collectUserErrors(inner),
  );
}
