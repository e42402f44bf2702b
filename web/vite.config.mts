import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The dashboard, built into public/app, which the server serves at /app. PX_API_URL (at build time)
// points it at an API elsewhere; by default it calls the server that serves it.
const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/app/",
  define: { __PX_API_URL__: JSON.stringify(process.env.PX_API_URL ?? "/graphql") },
  // `npx vite --config web/vite.config.mts`: the dashboard with hot reload, calling the server that
  // `npm start` runs (PX_SERVER_URL for another one).
  server: { proxy: { "/graphql": process.env.PX_SERVER_URL ?? "http://127.0.0.1:4000" } },
  build: {
    outDir: fileURLToPath(new URL("../public/app", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // The test measures the gzipped size; this warning would only repeat it.
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      // Radix marks its modules "use client" for React Server Components; in a browser bundle that
      // means nothing, and the warning would repeat for every one of them.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
});
