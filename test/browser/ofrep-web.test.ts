import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { UpdateProductConfigDocument } from "../../client";
import { inBrowser, launchChromium, servePage } from "../helpers/browser";
import { startHttpServer, type HttpTestServer } from "../helpers/servers";
import { ofrepProject } from "../helpers/ofrep-project";

/**
 * OpenFeature's web SDK with the generic OFREP web provider, unchanged, in Chromium against the
 * running server: a static context, polling that costs 304s while nothing changes, and a change
 * picked up by the next poll or, with polling off, through the change stream alone. The app is served
 * from its own origin, so every call, the ETag and the stream cross origins (CORS).
 */
const ADMIN = "px_ofrep_web_test_admin";

inBrowser("OpenFeature web SDK in Chromium", () => {
  let server: HttpTestServer;
  let browser: Browser;
  let project: Awaited<ReturnType<typeof ofrepProject>>;
  /** The app's page, served from its own origin: the SDK's calls and stream are cross-origin. */
  let app: Awaited<ReturnType<typeof servePage>>;

  beforeAll(async () => {
    server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } });
    project = await ofrepProject(server.url, ADMIN);
    app = await servePage(path.join(__dirname, "pages", "ofrep-web-app.ts"));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    app?.close();
  });

  /** Change-stream requests each page made, recorded from before the app starts. */
  const streamsOf = new WeakMap<Page, string[]>();

  async function openApp(user: string, changeDetection: "sse" | "polling"): Promise<Page> {
    const page = await browser.newPage();
    const streams: string[] = [];
    streamsOf.set(page, streams);
    page.on("request", (request) => {
      if (request.url().includes("/ofrep/v1/events")) streams.push(request.url());
    });
    await page.goto(`${app.origin}/`);
    await page.evaluate(
      (options) =>
        (globalThis as never as { flags: { start(o: unknown): Promise<void> } }).flags.start(options),
      {
        baseUrl: server.url,
        token: project.sdkSecret,
        user,
        city: "Oslo",
        // Polling every 300 ms, or (with the stream) none at all: then only the stream can bring a change.
        pollInterval: changeDetection === "polling" ? 300 : 0,
        changeDetection,
      },
    );
    return page;
  }

  const details = (page: Page, key: string) =>
    page.evaluate(
      (k) => (globalThis as never as { flags: { details(k: string): unknown } }).flags.details(k),
      key,
    );
  const number = (page: Page, key: string) =>
    page.evaluate(
      (k) => (globalThis as never as { flags: { number(k: string): number } }).flags.number(k),
      key,
    );

  async function until(condition: () => Promise<boolean>, what: string) {
    const deadline = Date.now() + 15_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  test("flags for a static context; polls answered 304 while nothing changes; a change arrives with the next answer", async () => {
    const page = await openApp("web-user-1", "polling");
    const bulk: number[] = [];
    page.on("response", (response) => {
      if (response.url().endsWith("/ofrep/v1/evaluate/flags")) bulk.push(response.status());
    });
    expect(await details(page, "theme")).toEqual({
      value: { mode: "dark" },
      reason: "TARGETING_MATCH",
      variant: "PRODUCT_CONFIG",
    });
    expect(await number(page, "max_items")).toBe(20);
    await until(async () => bulk.filter((status) => status === 304).length >= 3, "three polls answered 304");
    await project.api.query(UpdateProductConfigDocument, {
      input: {
        id: project.ids.themeConfig,
        values: [{ keyId: await themeKey(), value: { mode: "midnight" } }],
      },
    });
    await until(
      async () => JSON.stringify(await details(page, "theme")).includes("midnight"),
      "the new theme",
    );
    expect(bulk).toContain(200);
    await page.close();
  });

  test("with polling off, a change comes through the change stream alone", async () => {
    const page = await openApp("web-user-2", "sse");
    await until(async () => streamsOf.get(page)!.length > 0, "the change stream");
    expect(await number(page, "max_items")).toBe(20);
    await project.api.query(UpdateProductConfigDocument, {
      input: { id: project.ids.itemsConfig, values: [{ keyId: await itemsKey(), value: 35 }] },
    });
    await until(async () => (await number(page, "max_items")) === 35, "the new max_items");
    expect(
      await page.evaluate(() => (globalThis as never as { flags: { changes(): number } }).flags.changes()),
    ).toBeGreaterThan(0);
    await page.close();
  });

  async function keyIdOf(name: string): Promise<string> {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({
        query: "query ($name: String!) { key(name: $name) { id } }",
        variables: { name },
      }),
    });
    return ((await response.json()) as { data: { key: { id: string } } }).data.key.id;
  }
  const themeKey = () => keyIdOf("theme");
  const itemsKey = () => keyIdOf("max_items");
});
