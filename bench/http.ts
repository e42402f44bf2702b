import autocannon from "autocannon";
import { Client } from "pg";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { projectRoot } from "../src/project-root";
import type { Dataset } from "./dataset";

const ROOT = projectRoot();
export const BENCH_SECRET = "px_benchmark_bootstrap_secret";
const SECRET = BENCH_SECRET;

export interface Target {
  url: string;
  stop(): Promise<void>;
}

function launch(
  args: string[],
  env: Record<string, string>,
  ready: (output: string) => string | null,
  nodeFlags: string[] = [],
): Promise<Target> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeFlags, "-r", path.join(ROOT, "scripts", "register-ts.js"), ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const url = ready(output);
      if (url) {
        clearInterval(poll);
        resolve({ url, stop });
      }
    }, 50);
    child.once("exit", () => {
      clearInterval(poll);
      reject(new Error(`exited before it was ready:\n${output}`));
    });
  });
}

/**
 * Our server as production runs it, on a fresh SQLite file, or on a fresh database of the
 * PostgreSQL server at `postgresAdminUrl`; `nodeFlags` e.g. --cpu-prof.
 */
export async function startOurServer(
  nodeFlags: string[] = [],
  postgresAdminUrl?: string,
): Promise<Target & { dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "px-bench-"));
  let databaseUrl = `sqlite:${path.join(dir, "px.sqlite")}`;
  let dropDatabase = async () => {};
  if (postgresAdminUrl) {
    const name = `px_bench_${process.pid}`;
    const admin = async (statement: string) => {
      const client = new Client({ connectionString: postgresAdminUrl });
      await client.connect();
      await client.query(statement).finally(() => client.end());
    };
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(postgresAdminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  const target = await launch(
    [path.join(ROOT, "src", "main.ts")],
    { PORT: "0", NODE_ENV: "production", DATABASE_URL: databaseUrl, BOOTSTRAP_ADMIN_TOKEN: SECRET },
    (output) => /"url":"(http:[^"]+)"/.exec(output)?.[1] ?? null,
    nodeFlags,
  );
  return {
    ...target,
    dir,
    stop: async () => {
      await target.stop();
      await dropDatabase();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The bare Apollo Server answering the captured JSON (bench/ceiling.ts); `lean`: without Express. */
export async function startCeiling(
  answers: Record<string, unknown>,
  dir: string,
  lean = false,
): Promise<Target> {
  const file = path.join(dir, "answers.json");
  writeFileSync(file, JSON.stringify(answers));
  const args = [path.join(ROOT, "bench", "ceiling.ts"), file, ...(lean ? ["--lean"] : [])];
  return launch(args, { NODE_ENV: "production" }, (output) => {
    const port = /ceiling listening on (\d+)/.exec(output)?.[1];
    return port ? `http://127.0.0.1:${port}` : null;
  });
}

export async function graphql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: unknown = {},
): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

/** Creates and starts the data set through the API, as a dashboard would. */
export async function seed(url: string, data: Dataset): Promise<void> {
  const one = async (mutation: string, input: unknown, field: string): Promise<string> => {
    const result = await graphql(
      url,
      `mutation ($input: ${mutation}) { result: ${field}(input: $input) { node: ${nodeOf(field)} { id } userErrors { message } } }`,
      { input },
    );
    if (result.result.userErrors.length)
      throw new Error(`${field}: ${JSON.stringify(result.result.userErrors)}`);
    return result.result.node.id;
  };
  const keyIds: string[] = [];
  for (const key of data.keys) keyIds.push(await one("CreateKeyInput!", key, "createKey"));
  const segmentIds: string[] = [];
  for (const segment of data.segments) {
    segmentIds.push(
      await one(
        "CreateSegmentInput!",
        {
          name: segment.name,
          rule: {
            match: "ALL",
            conditions: segment.conditions.map((c) => ({
              property: { property: c.property, operator: "EQUALS", values: [c.value] },
            })),
          },
        },
        "createSegment",
      ),
    );
  }
  const goalId = await one("CreateGoalInput!", { name: "Purchase", events: ["Charged"] }, "createGoal");
  const start = (id: string) =>
    graphql(url, "mutation ($id: ID!) { startExperience(id: $id) { userErrors { message } } }", { id });
  const values = (list: { key: number; value: unknown }[]) =>
    list.map((v) => ({ keyId: keyIds[v.key], value: v.value }));
  for (const config of data.configs) {
    await start(
      await one(
        "CreateProductConfigInput!",
        {
          name: config.name,
          segmentId: segmentIds[config.segment],
          priority: config.priority,
          values: values(config.values),
        },
        "createProductConfig",
      ),
    );
  }
  for (const flag of data.flags) {
    const segmentId = flag.segment === null ? null : segmentIds[flag.segment];
    await start(
      await one(
        "CreateFeatureFlagInput!",
        {
          name: flag.name,
          segmentId,
          keyId: keyIds[flag.key],
          value: flag.value,
          rolloutPercentage: flag.rolloutPercentage,
        },
        "createFeatureFlag",
      ),
    );
  }
  for (const test of data.tests) {
    await start(
      await one(
        "CreateABTestInput!",
        {
          name: test.name,
          segmentId: test.segment === null ? null : segmentIds[test.segment],
          trafficPercentage: test.trafficPercentage,
          mutuallyExclusive: test.mutuallyExclusive,
          goalIds: [goalId],
          primaryGoalId: goalId,
          variants: test.variants.map((variant) => ({ ...variant, values: values(variant.values) })),
        },
        "createABTest",
      ),
    );
  }
}

function nodeOf(field: string): string {
  if (field === "createKey") return "key";
  if (field === "createSegment") return "segment";
  if (field === "createGoal") return "goal";
  return "experience";
}

export interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

/** One request of a load: its body, and for other endpoints than /graphql its path and headers. */
export interface LoadRequest {
  body: string;
  path?: string;
  headers?: Record<string, string>;
}

/**
 * autocannon, 10 connections, `seconds` long, after a warm-up; each request may differ. A response
 * with GraphQL errors counts as failed like a transport error or a status other than `status`
 * (200 unless told: the OFREP 304 load expects 304).
 */
export async function load(
  url: string,
  request: () => LoadRequest | string,
  seconds: number,
  status = 200,
): Promise<Load> {
  let failed = 0;
  const run = (duration: number) =>
    autocannon({
      url: `${url}/graphql`,
      connections: 10,
      duration,
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
      requests: [
        {
          setupRequest: (base) => {
            const next = request();
            const { body, path: requestPath, headers } = typeof next === "string" ? { body: next } : next;
            return {
              ...base,
              body,
              ...(requestPath ? { path: requestPath } : {}),
              ...(headers ? { headers: { ...base.headers, ...headers } } : {}),
            };
          },
          onResponse: (responseStatus: number, responseBody: string) => {
            if (responseStatus !== status || responseBody.startsWith('{"errors"')) failed++;
          },
        },
      ],
    });
  await run(Math.max(1, Math.round(seconds / 5)));
  failed = 0;
  const result = await run(seconds);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.errors + result.timeouts + failed,
  };
}
