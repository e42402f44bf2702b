import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { AbTestResultsDocument, GetKeyDocument, TrackEventsDocument, UpdateKeyDocument } from "../../client";
import { inBrowser, launchChromium } from "../helpers/browser";
import { openDashboard, seriousViolations, type DashboardTab } from "../helpers/dashboard";
import { evaluator, fixtures, unique } from "../helpers/fixtures";
import { httpClient, startHttpServer, type GraphqlClient, type HttpTestServer } from "../helpers/servers";

/**
 * The dashboard at /app in Debian's Chromium, found as a person with a screen reader finds it: by
 * role and accessible name (../shared/UI.md), against a real server on the test database.
 */
const ADMIN = "px_dashboard_admin_secret_0123456789";
const SCREENSHOT = path.join(__dirname, "..", "..", "docs", "images", "dashboard.png");

inBrowser("the dashboard", () => {
  let server: HttpTestServer;
  let api: GraphqlClient;
  let browser: Browser;
  const tabs: DashboardTab[] = [];

  beforeAll(async () => {
    server = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } });
    api = httpClient(server.url, ADMIN);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    // No font, icon or script came from anywhere but the server.
    for (const tab of tabs.splice(0)) {
      expect(tab.elsewhere).toEqual([]);
      await tab.close();
    }
  });

  async function open(
    pathAndQuery = "",
    token = ADMIN,
    viewport?: { width: number; height: number },
  ): Promise<Page> {
    const tab = await openDashboard(browser, server.url, token, pathAndQuery, viewport);
    tabs.push(tab);
    return tab.page;
  }

  const h1 = (page: Page, name: string) => page.getByRole("heading", { level: 1, name, exact: true });

  async function createKeyInForm(page: Page, name: string, type: string, value: string) {
    await page.getByRole("button", { name: "New key" }).click();
    const dialog = page.getByRole("dialog", { name: "New key" });
    await dialog.getByLabel("Name", { exact: true }).fill(name);
    await dialog.getByRole("combobox", { name: "Type" }).selectOption(type);
    if (type === "BOOLEAN") await dialog.getByRole("combobox", { name: "Default value" }).selectOption(value);
    else await dialog.getByLabel("Default value").fill(value);
    await dialog.getByRole("button", { name: "Create" }).click();
    await h1(page, name).waitFor();
  }

  describe("signing in", () => {
    test("a wrong token is refused with an alert; the first start's link signs in, leaves the address bar, and shows the project and role", async () => {
      const tab = await openDashboard(browser, server.url, "px_not_a_token", "", undefined, false);
      tabs.push(tab);
      const { page } = tab;
      await expectAlert(page, "does not know that token");
      await page.getByLabel("API token").fill(ADMIN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("banner").textContent()).resolves.toMatch(/Default project.*ADMIN/);
      await page.waitForURL(`${server.url}/app/keys`);
      // sessionStorage only: nothing in localStorage or cookies.
      // (Strings, not callbacks: what runs in the page is typed by the browser, not by this file.)
      expect(await page.evaluate("[localStorage.length, document.cookie]")).toEqual([0, ""]);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByLabel("API token").waitFor();
      expect(await page.evaluate("sessionStorage.length")).toBe(0);
    });

    test("an SDK token is refused: it is for apps", async () => {
      const sdk = await fixtures(api).token("SDK");
      const page = await open("", ADMIN);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByLabel("API token").fill(sdk);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expectAlert(page, "for apps");
    });

    test("a VIEWER is not offered what it may not do", async () => {
      const viewer = await fixtures(api).token("VIEWER");
      const page = await open("/keys", viewer);
      await h1(page, "Keys").waitFor();
      await expect(page.getByRole("banner").textContent()).resolves.toContain("VIEWER");
      expect(await page.getByRole("button", { name: "New key" }).count()).toBe(0);
      expect(await page.getByRole("button", { name: "Archive selected" }).count()).toBe(0);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tokens" }).click();
      await page.getByText("Only an ADMIN token").waitFor();
    });
  });

  test("the README's setup walk, in the browser: keys, a segment with conditions, a goal, settings, and each kind of experience started", async () => {
    const page = await open("/keys");
    await createKeyInForm(page, "dark_mode", "NUMBER", "3");
    await page.getByLabel("Default value").fill("4");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(/· version 2$/).waitFor();
    for (const [name, type, value] of [
      ["new_checkout", "BOOLEAN", "false"],
      ["button_color", "STRING", "blue"],
      ["banner_text", "STRING", "Summer sale"],
    ]) {
      await page.getByRole("link", { name: "Keys" }).click();
      await createKeyInForm(page, name, type, value);
    }
    await page.getByRole("button", { name: "Archive" }).click();
    await page.getByRole("button", { name: "Unarchive" }).waitFor();

    // The list, its filters in the address: reload keeps them.
    await page.getByRole("link", { name: "Keys" }).click();
    expect(await page.getByRole("link", { name: "banner_text" }).count()).toBe(0);
    await page.getByRole("checkbox", { name: "Show archived" }).check();
    await page.getByRole("searchbox", { name: "Search" }).fill("banner");
    await page.getByRole("link", { name: "banner_text" }).waitFor();
    await page.reload();
    await page.getByRole("link", { name: "banner_text" }).waitFor();
    expect(await page.getByRole("searchbox", { name: "Search" }).inputValue()).toBe("banner");
    expect(await page.getByRole("checkbox", { name: "Show archived" }).isChecked()).toBe(true);

    // A segment: two property conditions, an event condition in a group.
    await page.getByRole("link", { name: "Segments" }).click();
    await page.getByRole("button", { name: "New segment" }).click();
    const segmentForm = page.getByRole("dialog", { name: "New segment" });
    await segmentForm.getByLabel("Name", { exact: true }).fill("iPhone users in New York");
    for (const [index, property, value] of [
      [1, "device", "iPhone"],
      [2, "city", "New York"],
    ] as const) {
      await segmentForm.getByRole("button", { name: "Add property condition" }).first().click();
      const condition = segmentForm.getByRole("group", { name: `Condition ${index}` }).first();
      await condition.getByLabel("Property").fill(property);
      await condition.getByLabel("Values").fill(value);
    }
    await segmentForm.getByRole("button", { name: "Add group" }).click();
    const group = segmentForm.getByRole("group", { name: "Group 1" });
    await group.getByRole("combobox", { name: "Match" }).selectOption("ANY");
    await group.getByRole("button", { name: "Add event condition" }).click();
    await group.getByLabel("Event").fill("Charged");
    await group.getByLabel("At least").fill("2");
    await group.getByLabel("Within days").fill("30");
    await segmentForm.getByRole("button", { name: "Create" }).click();
    await h1(page, "iPhone users in New York").waitFor();
    await page.getByRole("button", { name: "Clone" }).click();
    await h1(page, "iPhone users in New York (copy)").waitFor();

    // A goal and the settings.
    await page.getByRole("link", { name: "Goals" }).click();
    await page.getByRole("button", { name: "New goal" }).click();
    const goalForm = page.getByRole("dialog", { name: "New goal" });
    await goalForm.getByLabel("Name", { exact: true }).fill("Purchase");
    await goalForm.getByLabel("Events").fill("Charged\nPurchase Completed");
    await goalForm.getByRole("button", { name: "Create" }).click();
    await h1(page, "Purchase").waitFor();
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("checkbox", { name: "Mutually exclusive A/B tests by default" }).check();
    await page.getByLabel("CUPED pre-period days").fill("28");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();

    // A product config, a feature flag and an A/B test, each started.
    await page.getByRole("link", { name: "Experiences" }).click();
    await page.getByRole("button", { name: "New product config" }).click();
    const config = page.getByRole("dialog", { name: "New product config" });
    await config.getByLabel("Name", { exact: true }).fill("Dark mode in New York");
    await config
      .getByRole("combobox", { name: "Segment" })
      .selectOption({ label: "iPhone users in New York" });
    await config.getByLabel("Priority").fill("10");
    await config.getByRole("button", { name: "Add value" }).click();
    await config.getByRole("combobox", { name: "Key" }).selectOption({ label: "dark_mode (NUMBER)" });
    await config.getByLabel("Value", { exact: true }).fill("4");
    await config.getByRole("button", { name: "Create" }).click();
    await h1(page, "Dark mode in New York").waitFor();
    await page.getByRole("button", { name: "Start" }).click();
    await page.getByRole("button", { name: "Pause" }).waitFor();

    await page.getByRole("link", { name: "Experiences" }).click();
    await page.getByRole("button", { name: "New feature flag" }).click();
    const flag = page.getByRole("dialog", { name: "New feature flag" });
    await flag.getByLabel("Name", { exact: true }).fill("New checkout");
    await flag.getByRole("combobox", { name: "Key" }).selectOption({ label: "new_checkout (BOOLEAN)" });
    await flag.getByRole("combobox", { name: "Value" }).selectOption("true");
    await flag.getByLabel("Rollout percentage").fill("20");
    await flag.getByRole("button", { name: "Create" }).click();
    await h1(page, "New checkout").waitFor();
    await page.getByRole("button", { name: "Start" }).click();
    await page.getByRole("button", { name: "Pause" }).waitFor();

    await page.getByRole("link", { name: "Experiences" }).click();
    await page.getByRole("button", { name: "New A/B test" }).click();
    const test = page.getByRole("dialog", { name: "New A/B test" });
    await test.getByLabel("Name", { exact: true }).first().fill("Checkout button colour");
    await test.getByLabel("Traffic percentage").fill("50");
    await test
      .getByRole("group", { name: "Goals", exact: true })
      .getByRole("checkbox", { name: "Purchase" })
      .check();
    const green = test.getByRole("group", { name: "Variant 2" });
    await green.getByLabel("Name", { exact: true }).fill("green");
    await green.getByRole("button", { name: "Add value of variant 2" }).click();
    await green.getByRole("combobox", { name: "Key" }).selectOption({ label: "button_color (STRING)" });
    await green.getByLabel("Value", { exact: true }).fill("green");
    await test.getByRole("button", { name: "Create" }).click();
    await h1(page, "Checkout button colour").waitFor();
    await page.getByRole("button", { name: "Start" }).click();
    await page.getByRole("button", { name: "Pause" }).waitFor();
    await page.getByRole("region", { name: "Results" }).waitFor();

    // The list filtered by kind and status, kept by a reload and by back.
    await page.getByRole("link", { name: "Experiences" }).click();
    await page.getByRole("combobox", { name: "Kind" }).selectOption({ label: "A/B test" });
    await page.getByRole("combobox", { name: "Status" }).selectOption({ label: "Running" });
    await page.getByRole("link", { name: "Checkout button colour" }).waitFor();
    expect(await page.getByRole("link", { name: "New checkout" }).count()).toBe(0);
    await page.getByRole("link", { name: "Checkout button colour" }).click();
    await page.goBack();
    await page.getByRole("link", { name: "Checkout button colour" }).waitFor();
    expect(await page.getByRole("combobox", { name: "Kind" }).inputValue()).toBe("AB_TEST");
    const table = page.getByRole("table", { name: /Experiences/ });
    for (const header of ["Name", "Kind", "Status"])
      await table.getByRole("columnheader", { name: header }).waitFor();
  });

  test("archiving a key in use is refused with an alert naming each experience that uses it, as a link", async () => {
    const setup = fixtures(api);
    const keyName = unique("in_use");
    const keyId = await setup.key("BOOLEAN", false, keyName);
    const flag = await setup.featureFlag({ keyId, value: true, name: unique("Flag using it") });
    await setup.start(flag.id);
    const page = await open(`/keys/${keyId}`);
    await h1(page, keyName).waitFor();
    await page.getByRole("button", { name: "Archive" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    await alert.getByRole("link", { name: flag.name }).click();
    await h1(page, flag.name).waitFor();
    expect(page.url()).toBe(`${server.url}/app/experiences/${flag.id}`);
  });

  test("a save over someone else's change says so, keeps what was typed, and Reload shows theirs", async () => {
    const keyName = unique("contended");
    const keyId = await fixtures(api).key("STRING", "blue", keyName);
    const page = await open(`/keys/${keyId}`);
    await h1(page, keyName).waitFor();
    const { updateKey } = await api.query(UpdateKeyDocument, { input: { id: keyId, description: "theirs" } });
    expect(updateKey.userErrors).toEqual([]);
    await page.getByLabel("Description").fill("mine");
    await page.getByRole("button", { name: "Save" }).click();
    await expectAlert(page, "changed by someone else");
    expect(await page.getByLabel("Description").inputValue()).toBe("mine");
    await page.getByRole("button", { name: "Reload" }).click();
    await page.getByText(/· version 2$/).waitFor();
    expect(await page.getByLabel("Description").inputValue()).toBe("theirs");
    const { key } = await api.query(GetKeyDocument, { id: keyId });
    expect(key?.description).toBe("theirs");
  });

  test("a field's userError is shown beside it: invalid, and described by the message", async () => {
    const page = await open("/keys");
    await page.getByRole("button", { name: "New key" }).click();
    const dialog = page.getByRole("dialog", { name: "New key" });
    await dialog.getByLabel("Name", { exact: true }).fill("9 not a name");
    await dialog.getByRole("button", { name: "Create" }).click();
    const name = dialog.getByLabel("Name", { exact: true });
    await dialog.locator('input[aria-invalid="true"]').waitFor();
    await expect(name.getAttribute("aria-invalid")).resolves.toBe("true");
    const describedBy = await name.getAttribute("aria-describedby");
    const description = await page.locator(`[id="${describedBy}"]`).textContent();
    expect(description).toMatch(/letter/i);
  });

  test("an A/B test's results: a table per goal, the window in the address, the daily chart with its numbers as a table, and a winner declared after a confirmation", async () => {
    const setup = fixtures(api);
    const goalId = await setup.goal(["Charged"], unique("Purchase"));
    const test = await setup.abTest({ goalIds: [goalId], name: unique("Results test") });
    await setup.start(test.id);
    const sdk = await setup.token("SDK");
    const { evaluate } = evaluator(api, sdk);
    const users = Array.from({ length: 24 }, (_, index) => `results_user_${index}`);
    for (const userId of users) await evaluate({ id: userId });
    const { trackEvents } = await api.query(
      TrackEventsDocument,
      { events: users.slice(0, 10).map((userId) => ({ userId, name: "Charged" })) },
      sdk,
    );
    expect(trackEvents.userErrors).toEqual([]);

    const page = await open(`/experiences/${test.id}`);
    const results = page.getByRole("region", { name: "Results" });
    const table = results.getByRole("table").first();
    await table.waitFor();
    for (const header of [
      "Variant",
      "Users",
      "Conversions",
      "Rate",
      "Uplift",
      "Interval",
      "p-value",
      "Chance to beat control",
    ])
      await table.getByRole("columnheader", { name: header, exact: true }).waitFor();
    // The table says what the API says, variant by variant.
    const shown = await table
      .locator("tbody tr")
      .evaluateAll((rows) =>
        rows.map((row) =>
          Array.from(row.querySelectorAll("th, td"), (cell: { textContent: string | null }) =>
            cell.textContent!.replace(/,/g, ""),
          ).slice(0, 3),
        ),
      );
    const { experience } = await api.query(AbTestResultsDocument, { id: test.id });
    if (experience?.__typename !== "ABTest") throw new Error("not an A/B test");
    expect(shown).toEqual(
      experience.results.variants.map((variant) => [
        `${variant.variant.name}${variant.variant.isControl ? " (control)" : ""}`,
        String(variant.users),
        String(variant.goals[0].conversions),
      ]),
    );
    expect(
      experience.results.variants.reduce((sum, variant) => sum + variant.goals[0].conversions, 0),
    ).toBeGreaterThan(0);

    await results.getByRole("combobox", { name: "Window" }).selectOption({ label: "Last 7 days" });
    await page.waitForURL(/window=7/);
    await page.reload();
    expect(await page.getByRole("combobox", { name: "Window" }).inputValue()).toBe("7");
    const figure = page.getByRole("figure", { name: "Daily results" });
    await figure.waitFor();
    // The README's picture of the dashboard, made here where a test has results to show.
    if (!existsSync(SCREENSHOT) || process.env.PX_UPDATE_SCREENSHOTS === "1") {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await figure.locator("canvas").waitFor();
      await page.setViewportSize({ width: 1280, height: 1100 });
      await page.screenshot({ path: SCREENSHOT });
    }
    await figure.getByRole("button", { name: "Show the numbers as a table" }).click();
    await figure
      .getByRole("table", { name: /Daily results/ })
      .getByRole("rowheader")
      .first()
      .waitFor();

    const control = page.getByRole("region", { name: "Variants" }).getByRole("row", { name: /^treatment/ });
    await control.getByRole("button", { name: "Declare winner" }).click();
    const confirm = page.getByRole("dialog", { name: "Declare winner" });
    await confirm.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("region", { name: "Variants" }).getByText("winner", { exact: true }).waitFor();
  });

  test("archiving several keys at once archives the free ones and names each that could not be, and why", async () => {
    const setup = fixtures(api);
    const free = unique("bulk_free");
    const used = unique("bulk_used");
    await setup.key("BOOLEAN", false, free);
    const usedId = await setup.key("BOOLEAN", false, used);
    const flag = await setup.featureFlag({ keyId: usedId, value: true, name: unique("Bulk flag") });
    const page = await open("/keys?q=bulk_");
    await page.getByRole("checkbox", { name: `Select ${free}` }).check();
    await page.getByRole("checkbox", { name: `Select ${used}` }).check();
    await page.getByRole("button", { name: "Archive selected" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Archived ${free}.` })
      .waitFor();
    const refused = page.getByRole("alert").filter({ hasText: `${used}:` });
    await refused.getByRole("link", { name: flag.name }).waitFor();
  });

  test("an experience's history reverts to an earlier version; a schedule is set; a QA user is pinned to a variant", async () => {
    const setup = fixtures(api);
    const goalId = await setup.goal(["Charged"], unique("QA goal"));
    const test = await setup.abTest({ goalIds: [goalId], name: unique("History test") });
    const page = await open(`/experiences/${test.id}`);
    await h1(page, test.name).waitFor();
    const editor = page.getByRole("group", { name: "Edit" });
    await editor.getByLabel("Description").fill("second words");
    await editor.getByRole("button", { name: "Save" }).click();
    await page.getByText(/· version 2$/).waitFor();
    const history = page.getByRole("region", { name: "History" });
    await history.getByRole("button", { name: "Revert to version 1" }).click();
    await page.getByText(/· version 3$/).waitFor();
    await history.getByText(/Version 3/).waitFor();
    expect(await editor.getByLabel("Description").inputValue()).toBe("");

    await page.getByRole("button", { name: "Schedule" }).click();
    const schedule = page.getByRole("dialog", { name: "Schedule" });
    // Too far ahead first: refused beside the field (a schedule reaches at most a year ahead).
    await schedule.getByLabel("Stop at (UTC)").fill("2099-05-04T03:02");
    await schedule.getByRole("button", { name: "Save schedule" }).click();
    await schedule.locator('input[aria-invalid="true"]').waitFor();
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 16);
    await schedule.getByLabel("Stop at (UTC)").fill(inAMonth);
    await schedule.getByRole("button", { name: "Save schedule" }).click();
    await page.getByText("Stops at").waitFor();

    const testUsers = page.getByRole("region", { name: "Test users" });
    await testUsers.getByLabel("User id").fill("qa-anna");
    await testUsers.getByRole("combobox", { name: "Variant" }).selectOption({ label: "treatment" });
    await testUsers.getByRole("button", { name: "Pin user" }).click();
    await testUsers.getByText("qa-anna sees treatment").waitFor();
  });

  test("a new token's and a new webhook's secret is shown once, read-only, with Copy; a private address is refused beside its field", async () => {
    const page = await open("/tokens");
    await page.getByRole("button", { name: "New token" }).click();
    const tokenForm = page.getByRole("dialog", { name: "New token" });
    const tokenName = unique("ios-app");
    await tokenForm.getByLabel("Name", { exact: true }).fill(tokenName);
    await tokenForm.getByRole("combobox", { name: "Role" }).selectOption("SDK");
    await tokenForm.getByRole("button", { name: "Create" }).click();
    const secret = tokenForm.getByLabel("Secret");
    await expect(secret.inputValue()).resolves.toMatch(/^px_/);
    expect(await secret.getAttribute("readonly")).not.toBeNull();
    await tokenForm.getByRole("button", { name: "Copy" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("rowheader", { name: tokenName }).waitFor();
    await page.getByRole("button", { name: "New token" }).click();
    expect(await page.getByRole("dialog", { name: "New token" }).getByLabel("Secret").count()).toBe(0);
    await page.keyboard.press("Escape");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("button", { name: "New webhook" }).click();
    const hookForm = page.getByRole("dialog", { name: "New webhook" });
    await hookForm.getByLabel("URL").fill("http://127.0.0.1:9/hook");
    await hookForm.getByRole("button", { name: "Create" }).click();
    await hookForm.locator('input[aria-invalid="true"]').waitFor();
    await hookForm.getByLabel("URL").fill("https://hooks.example.com/px");
    await hookForm.getByRole("button", { name: "Create" }).click();
    await expect(hookForm.getByLabel("Secret").inputValue()).resolves.toMatch(/^whsec_/);
    await page.keyboard.press("Escape");
    await page.getByRole("rowheader", { name: /hooks\.example\.com/ }).waitFor();
  });

  test("every page has no critical or serious axe-core violation, forms and dialogs included", async () => {
    const setup = fixtures(api);
    const keyId = await setup.key("JSON", { mode: "dark" }, unique("axe_key"));
    const segmentId = await setup.segment(undefined, unique("axe segment"));
    const goalId = await setup.goal(["Charged"], unique("axe goal"));
    const test = await setup.abTest({ goalIds: [goalId], name: unique("axe test") });
    await setup.start(test.id);
    const page = await open("/keys");
    const pages = [
      "/keys",
      "/segments",
      "/goals",
      "/settings",
      "/experiences",
      "/tokens",
      "/audit-log",
      "/webhooks",
      `/keys/${keyId}`,
      `/segments/${segmentId}`,
      `/goals/${goalId}`,
      `/experiences/${test.id}`,
    ];
    const found: Record<string, string[]> = {};
    for (const address of pages) {
      await page.goto(`${server.url}/app${address}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.waitForLoadState("networkidle");
      found[address] = await seriousViolations(page);
    }
    for (const [address, button] of [
      ["/keys", "New key"],
      ["/segments", "New segment"],
      ["/experiences", "New A/B test"],
      ["/webhooks", "New webhook"],
    ]) {
      await page.goto(`${server.url}/app${address}`);
      await page.getByRole("button", { name: button }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Create" }).waitFor();
      found[`${address} ${button}`] = await seriousViolations(page);
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((address) => [address, []])));
  });

  test("keyboard only: a key made from the list, a dialog that traps focus, closes on Escape and gives focus back", async () => {
    const page = await open("/keys");
    await h1(page, "Keys").waitFor();
    const newKey = page.getByRole("button", { name: "New key" });
    await newKey.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "New key" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await newKey.evaluate((button) => button === button.ownerDocument.activeElement)).toBe(true);

    await page.keyboard.press("Enter");
    await dialog.waitFor();
    // Focus stays inside the dialog however far one tabs.
    for (let step = 0; step < 12; step += 1) {
      await page.keyboard.press("Tab");
      expect(await dialog.evaluate((element) => element.contains(element.ownerDocument.activeElement))).toBe(
        true,
      );
    }
    const name = unique("typed_key");
    await dialog.getByLabel("Name", { exact: true }).focus();
    await page.keyboard.type(name);
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowDown"); // Type: STRING → NUMBER
    await page.keyboard.press("Tab");
    await page.keyboard.type("42");
    await page.keyboard.press("Enter");
    await h1(page, name).waitFor();
    await page.getByText("NUMBER key").waitFor();
  });

  test("keyboard only: a segment with a condition made in the rule builder, and the goal form sent with Enter", async () => {
    const page = await open("/segments");
    await h1(page, "Segments").waitFor();
    await page.getByRole("button", { name: "New segment" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "New segment" });
    const name = unique("Keyboard segment");
    await dialog.getByLabel("Name", { exact: true }).focus();
    await page.keyboard.type(name);
    await dialog.getByRole("button", { name: "Add property condition" }).focus();
    await page.keyboard.press("Enter");
    // The new condition's first field is the next stop after its group's legend.
    const property = dialog.getByRole("group", { name: "Condition 1" }).getByLabel("Property");
    await property.focus();
    await page.keyboard.type("plan");
    await page.keyboard.press("Tab"); // Operator
    await page.keyboard.press("Tab"); // Values
    await page.keyboard.type("pro");
    await dialog.getByRole("button", { name: "Create" }).focus();
    await page.keyboard.press("Enter");
    await h1(page, name).waitFor();
    expect(await page.getByLabel("Values").inputValue()).toBe("pro");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Goals" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "New goal" }).focus();
    await page.keyboard.press("Enter");
    const goalName = unique("Keyboard goal");
    await page.keyboard.type(goalName); // the dialog focuses its first field, Name
    await page.keyboard.press("Tab");
    await page.keyboard.type("Purchase Completed");
    await page.getByRole("dialog", { name: "New goal" }).getByRole("button", { name: "Create" }).focus();
    await page.keyboard.press("Enter");
    await h1(page, goalName).waitFor();
  });

  test("at 375 px wide the navigation folds behind Menu and no page scrolls sideways", async () => {
    const page = await open("/experiences", ADMIN, { width: 375, height: 800 });
    await h1(page, "Experiences").waitFor();
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.isVisible()).toBe(false);
    await page.getByRole("button", { name: "Menu" }).click();
    await nav.getByRole("link", { name: "Keys" }).click();
    await h1(page, "Keys").waitFor();
    expect(await nav.isVisible()).toBe(false);
    for (const address of ["/keys", "/experiences", "/settings", "/segments"]) {
      await page.goto(`${server.url}/app${address}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.waitForLoadState("networkidle");
      const width = await page.evaluate("document.documentElement.scrollWidth");
      expect({ address, width }).toEqual({ address, width: 375 });
    }
  });
});

async function expectAlert(page: Page, text: string): Promise<void> {
  await page.getByRole("alert").filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
}
