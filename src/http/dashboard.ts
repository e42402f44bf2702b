import express, { type Express } from "express";
import { existsSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../project-root";

/** Where `npm run build` puts the dashboard (web/, built by Vite). */
export const DASHBOARD_FILES = path.join(projectRoot(), "public", "app");

/**
 * The dashboard runs only its own scripts and calls only this server; it may be framed by nobody.
 * Inline styles are allowed for the dialog's scroll lock and the chart's sizing, which set them.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

/** The dashboard's address with a token for it to sign in with, in the #fragment (never sent to a server). */
export function dashboardAddress(baseUrl: string, token: string | null): string {
  return `${baseUrl}/app${token ? `#token=${encodeURIComponent(token)}` : ""}`;
}

/**
 * /app: hashed assets cached for a year (their names change with their content), and index.html,
 * never cached, for every other path under it, so that each page's address can be reloaded.
 */
export function serveDashboard(app: Express): void {
  const index = path.join(DASHBOARD_FILES, "index.html");
  app.use(
    "/app/assets",
    express.static(path.join(DASHBOARD_FILES, "assets"), {
      immutable: true,
      maxAge: "365d",
      fallthrough: false,
      index: false,
    }),
  );
  app.get("/app{/*page}", (_req, res) => {
    if (!existsSync(index)) {
      res
        .status(503)
        .type("text")
        .send("The dashboard is not built: `npm start` builds it, or run `npm run build`.\n");
      return;
    }
    res.set("Cache-Control", "no-cache").set("Content-Security-Policy", DASHBOARD_CSP).sendFile(index);
  });
}
