import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import pino from "pino";
import { chromium } from "playwright-core";
import { loadConfig } from "../src/config";
import { DASHBOARD_FILES } from "../src/http/dashboard";
import { ValueType } from "../src/keys/key-rules";
import { projectRoot } from "../src/project-root";
import { startServer } from "../src/server";
import { BENCH_RESULTS_SECRET, generate, setUp } from "./results";

/**
 * The dashboard (`npm run bench -- --only=web`): the first page's JavaScript gzipped, and in
 * Debian's Chromium against a real server on SQLite, the Keys list of a project with 500 keys
 * rendered and filtered, and the results page of an A/B test that has run for 90 days.
 */

/** What the callbacks that run in the page use of it (this file is typed for Node, not the DOM). */
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number } };
}

export interface DashboardFigures {
  firstPageGzipBytes: number;
  keysRenderMs: number[];
  keysFilterMs: number[];
  resultsPageMs: number[];
  days: number;
}

/** The JavaScript index.html loads before anything else (its module and the chunks it preloads). */
function firstPageGzipBytes(): number {
  const index = readFileSync(path.join(DASHBOARD_FILES, "index.html"), "utf8");
  const scripts = [...index.matchAll(/(?:src|href)="\/app\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]);
  return scripts.reduce(
    (sum, file) => sum + gzipSync(readFileSync(path.join(DASHBOARD_FILES, file))).length,
    0,
  );
}

export async function dashboardFigures(smoke: boolean): Promise<DashboardFigures> {
  // Built now, as it ships (whatever NODE_ENV the bench was started with), so the figures are of it.
  execFileSync("npm", ["run", "--silent", "build:web"], {
    cwd: projectRoot(),
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  const days = 90;
  const setup = await setUp(days);
  await generate(setup, smoke ? 2_000 : 40_000);
  for (let index = 0; index < 500; index++) {
    const created = await setup.services.keys.create(setup.caller, {
      name: `key_${String(index).padStart(4, "0")}`,
      type: ValueType.NUMBER,
      defaultValue: index,
    });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
  }
  await setup.db.close();
  const server = await startServer(
    loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${setup.file}` }),
    pino({ level: "silent" }),
  );
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${server.url}/app/settings#token=${BENCH_RESULTS_SECRET}`);
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    // A callback, not a string: the page's Content-Security-Policy forbids evaluating strings in it.
    const rows = (count: number) =>
      page.waitForFunction(
        (n) => (globalThis as unknown as PageGlobals).document.querySelectorAll("main tbody tr").length === n,
        count,
        { polling: "raf" },
      );
    const keysRenderMs: number[] = [];
    const keysFilterMs: number[] = [];
    for (let run = 0; run < (smoke ? 1 : 5); run++) {
      // From the click on Keys to a page of 100 of the 500 keys on screen (the API's largest page).
      await page.getByRole("link", { name: "Settings" }).click();
      await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
      let began = Date.now();
      await page.getByRole("link", { name: "Keys", exact: true }).click();
      await rows(100);
      keysRenderMs.push(Date.now() - began);
      // From typing a name to the one key that has it, alone in the table (a server round trip).
      began = Date.now();
      await page.getByRole("searchbox", { name: "Search" }).fill(`key_04${run}7`);
      await rows(1);
      keysFilterMs.push(Date.now() - began);
    }
    // The test's first read builds its rollups: done once before the timed loads.
    const resultsPage = `${server.url}/app/experiences/${setup.testId}`;
    const loaded = async () => {
      await page.goto(resultsPage);
      await page.locator("figure canvas").waitFor();
      await page.getByRole("table", { name: /Big purchase/ }).waitFor();
      // Milliseconds since the navigation began, by the page's own clock.
      return Math.round(await page.evaluate(() => performance.now()));
    };
    await loaded();
    const resultsPageMs: number[] = [];
    for (let run = 0; run < (smoke ? 1 : 5); run++) resultsPageMs.push(await loaded());
    return { firstPageGzipBytes: firstPageGzipBytes(), keysRenderMs, keysFilterMs, resultsPageMs, days };
  } finally {
    await browser.close();
    await server.close();
    rmSync(path.dirname(setup.file), { recursive: true, force: true });
  }
}
