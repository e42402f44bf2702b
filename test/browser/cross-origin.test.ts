import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { inBrowser, launchChromium, servePage } from "../helpers/browser";
import { startHttpServer, type HttpTestServer } from "../helpers/servers";

/**
 * A dashboard on its own origin (as a dev server on another port, or its own domain, would be) calls
 * the API with the typed client in Chromium, which enforces CORS: preflights, the bearer header,
 * a query and a mutation. A server that lists other origins only refuses it.
 */
const ADMIN = "px_cross_origin_admin_secret";

inBrowser("a dashboard on another origin", () => {
  let open: HttpTestServer;
  let elsewhere: HttpTestServer;
  let browser: Browser;
  let dashboard: Awaited<ReturnType<typeof servePage>>;
  let dashboardOrigin: string;

  beforeAll(async () => {
    dashboard = await servePage(path.join(__dirname, "pages", "dashboard-app.ts"));
    dashboardOrigin = dashboard.origin;
    open = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN, CORS_ORIGINS: dashboardOrigin } });
    elsewhere = await startHttpServer({
      env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN, CORS_ORIGINS: "https://admin.example.com" },
    });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await open?.close();
    await elsewhere?.close();
    dashboard?.close();
  });

  async function openDashboard(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${dashboardOrigin}/`);
    return page;
  }

  const addAndList = (page: Page, url: string, name: string) =>
    page.evaluate(
      ([apiUrl, token, keyName]) =>
        (
          globalThis as never as {
            dashboard: { addAndList(url: string, token: string, name: string): Promise<string[]> };
          }
        ).dashboard
          .addAndList(apiUrl, token, keyName)
          .then(
            (names) => ({ names, error: null }),
            (error: Error) => ({ names: null, error: error.message }),
          ),
      [`${url}/graphql`, ADMIN, name] as const,
    );

  // The Authorization header and the JSON body make every call preflighted: Chromium sends the
  // OPTIONS request itself and only then the POST.
  test("runs a mutation and a query with the typed client", async () => {
    const page = await openDashboard();
    const answer = await addAndList(page, open.url, "zebra_banner");
    expect(answer).toEqual({ names: ["zebra_banner"], error: null });
    expect(await page.evaluate(() => (globalThis as never as { origin: string }).origin)).toBe(
      dashboardOrigin,
    );
    await page.close();
  });

  test("a server that does not list the dashboard's origin is refused by the browser", async () => {
    const page = await openDashboard();
    const answer = await addAndList(page, elsewhere.url, "never_made");
    expect(answer.names).toBeNull();
    expect(answer.error).toMatch(/fetch/i);
    await page.close();
  });
});
