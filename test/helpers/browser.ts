import { build } from "esbuild";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { runIf } from "./skips";

/**
 * Debian's Chromium, driven by playwright-core. Without /usr/bin/chromium the browser suites are
 * skipped, unless PX_BROWSER_TESTS=required (as in CI).
 */
const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.PX_BROWSER_TESTS === "required") {
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
}

/** `describe`, or a skipped one that says why where there is no Chromium. */
export const inBrowser = runIf(
  available ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium)`,
).describe;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No background networking: the only requests are the page's own.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * A page of its own, served from its own origin (127.0.0.1 on another port than the API, as a front
 * end's dev server is): `entry` is bundled for the browser and inlined.
 */
export async function servePage(entry: string): Promise<{ origin: string; close(): void }> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "silent",
  });
  const html = `<!doctype html><html><body><script>${bundle.outputFiles[0].text}</script></body></html>`;
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}
