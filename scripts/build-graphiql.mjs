// Bundles the GraphiQL playground and Monaco's workers into public/graphiql, so that GET /graphql
// works on machines with no internet. Part of `npm run build` (about 5 s).
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "public", "graphiql");
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: "linked",
  define: { "process.env.NODE_ENV": '"production"' },
  loader: { ".ttf": "file", ".woff": "file", ".woff2": "file", ".svg": "dataurl" },
  logLevel: "warning",
};

await Promise.all([
  build({
    ...common,
    entryPoints: { graphiql: join(root, "src", "http", "playground", "entry.jsx") },
    format: "iife",
    jsx: "automatic",
    outdir,
  }),
  build({
    ...common,
    entryPoints: {
      "editor.worker": join(root, "node_modules", "monaco-editor", "esm", "vs", "editor", "editor.worker.js"),
      "json.worker": join(
        root,
        "node_modules",
        "monaco-editor",
        "esm",
        "vs",
        "language",
        "json",
        "json.worker.js",
      ),
      "graphql.worker": join(root, "node_modules", "monaco-graphql", "esm", "graphql.worker.js"),
    },
    format: "iife",
    outdir,
  }),
]);
console.log(`GraphiQL bundled into ${outdir}`);
