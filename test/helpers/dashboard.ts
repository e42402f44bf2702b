import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";

/**
 * The dashboard in Chromium as a person reaches it: a fresh context (its own sessionStorage), the
 * first start's link `/app…#token=…`, and every request it makes noted, so a test can say none
 * left the server.
 */
export interface DashboardTab {
  page: Page;
  context: BrowserContext;
  /** Requests to anywhere but the server (none are allowed). */
  elsewhere: string[];
  close(): Promise<void>;
}

export async function openDashboard(
  browser: Browser,
  serverUrl: string,
  token: string,
  path = "",
  viewport = { width: 1280, height: 900 },
  signedIn = true,
): Promise<DashboardTab> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const elsewhere: string[] = [];
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(`${serverUrl}/`) && !url.startsWith("data:") && !url.startsWith("blob:"))
      elsewhere.push(url);
  });
  await page.goto(`${serverUrl}/app${path}#token=${encodeURIComponent(token)}`);
  if (signedIn) await page.getByRole("banner").waitFor();
  return { page, context, elsewhere, close: () => context.close() };
}

const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's critical and serious violations on the page as it stands. It is evaluated through the
 * DevTools protocol, which the page's Content-Security-Policy (scripts from the server only) allows.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate('"axe" in window'))) await page.evaluate(AXE);
  const violations = await page.evaluate<{ id: string; impact: string; nodes: { target: string[] }[] }[]>(
    "axe.run().then((result) => result.violations)",
  );
  return violations
    .filter((violation) => violation.impact === "critical" || violation.impact === "serious")
    .map(
      (violation) => `${violation.id} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
}
