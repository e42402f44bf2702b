import type { Browser } from "playwright-core";
import { inBrowser, launchChromium } from "../helpers/browser";
import { startHttpServer, type HttpTestServer } from "../helpers/servers";

/**
 * The playground in a real browser: Debian's Chromium, driven by playwright-core. It loads with no
 * request leaving the server, and runs a query with the token given in the address's #fragment.
 */

const SECRET = "px_browser_test_bootstrap_secret";

inBrowser("GraphiQL in Chromium", () => {
  let server: HttpTestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: SECRET } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test("loads with no request leaving 127.0.0.1, and runs { viewer { role } } with the token from the address's #fragment, which it then clears", async () => {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(`${server.url}/`) && !url.startsWith("data:") && !url.startsWith("blob:"))
        elsewhere.push(url);
    });
    await page.goto(`${server.url}/graphql#token=${SECRET}`);
    const editor = page.locator(".graphiql-query-editor .monaco-editor").first();
    await editor.waitFor({ timeout: 30_000 });
    // The secret left the address bar (and so the history entry) as soon as the page read it.
    expect(page.url()).toBe(`${server.url}/graphql`);

    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Backspace");
    await page.keyboard.insertText("{ viewer { role tokenName } }");
    await page.locator(".graphiql-execute-button").click();
    const response = page.locator(".graphiql-response");
    await response.getByText('"ADMIN"').waitFor({ timeout: 30_000 });
    // Monaco draws spaces as no-break spaces.
    const text = (await response.innerText()).replace(/\s+/g, " ");
    expect(text).toContain('"role": "ADMIN"');
    expect(text).toContain('"tokenName": "bootstrap"');
    expect(elsewhere).toEqual([]);
  });

  test("the schema docs are there: GraphiQL fetched the schema with the token", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/graphql#token=${SECRET}`);
    await page.locator(".graphiql-query-editor .monaco-editor").first().waitFor({ timeout: 30_000 });
    await page.locator('button[aria-label="Show Documentation Explorer"]').click();
    await page.getByText("Query", { exact: true }).click();
    await page.getByText("Reads. Every field needs a bearer token").waitFor({ timeout: 30_000 });
    // A field and its description, as a front-end developer browses them.
    await page.getByText("evaluate", { exact: true }).click();
    await page
      .getByText("What a user gets now: every active key's value")
      .first()
      .waitFor({ timeout: 30_000 });
  });
});
