const { existsSync, readdirSync, statSync } = require("node:fs");
const { execFileSync } = require("node:child_process");
const path = require("node:path");
const { Client } = require("pg");

/** Newest modification time of the files under `dir`. */
function newestUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const at = path.join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestUnder(at) : statSync(at).mtimeMs);
  }, 0);
}

/** The dashboard's build (public/app), made again when web/ or the typed client changed since. */
function buildDashboardIfStale(root) {
  const index = path.join(root, "public", "app", "index.html");
  const sources = Math.max(newestUnder(path.join(root, "web")), newestUnder(path.join(root, "client")));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const vite = path.join(root, "node_modules", "vite", "bin", "vite.js");
  execFileSync(
    process.execPath,
    [vite, "build", "--config", path.join(root, "web", "vite.config.mts"), "--logLevel", "warn"],
    {
      cwd: root,
      stdio: "inherit",
      // jest sets NODE_ENV=test, which Vite would honour with React's development build: the tests
      // drive what ships.
      env: { ...process.env, NODE_ENV: "production" },
    },
  );
}

/**
 * Before any suite: the playground's and the dashboard's bundles (built by `npm run build`; tests
 * that load the pages need them), and the database engine this run uses, proven by asking it and
 * printed so CI's log says which engine each pass ran on. A PostgreSQL pass whose server does not answer fails here.
 */
module.exports = async function globalSetup() {
  const root = path.join(__dirname, "..", "..");
  const bundle = path.join(root, "public", "graphiql", "graphiql.js");
  const source = path.join(root, "src", "http", "playground", "entry.jsx");
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < statSync(source).mtimeMs) {
    execFileSync(process.execPath, [path.join(root, "scripts", "build-graphiql.mjs")], { stdio: "inherit" });
  }
  buildDashboardIfStale(root);
  const engine = process.env.PX_TEST_ENGINE ?? (process.env.TEST_DATABASE_URL ? "postgres" : "sqlite");
  if (engine === "postgres") {
    if (!process.env.TEST_DATABASE_URL)
      throw new Error("PX_TEST_ENGINE=postgres but TEST_DATABASE_URL is empty: PostgreSQL did not start");
    const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    const { rows } = await client.query("SELECT version() AS version");
    await client.end();
    process.stdout.write(
      `\njest: every suite runs on ${rows[0].version.split(" on ")[0]} (${process.env.TEST_DATABASE_URL})\n`,
    );
  } else {
    process.stdout.write("\njest: every suite runs on SQLite (a temporary file per test database)\n");
  }
};
