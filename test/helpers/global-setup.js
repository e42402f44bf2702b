const { existsSync, statSync } = require("node:fs");
const { execFileSync } = require("node:child_process");
const path = require("node:path");
const { Client } = require("pg");

/**
 * Before any suite: the playground's bundle (built by `npm run build`; tests that load the page need
 * it), and the database engine this run uses, proven by asking it and printed so CI's log says which
 * engine each pass ran on. A PostgreSQL pass whose server does not answer fails here.
 */
module.exports = async function globalSetup() {
  const root = path.join(__dirname, "..", "..");
  const bundle = path.join(root, "public", "graphiql", "graphiql.js");
  const source = path.join(root, "src", "http", "playground", "entry.jsx");
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < statSync(source).mtimeMs) {
    execFileSync(process.execPath, [path.join(root, "scripts", "build-graphiql.mjs")], { stdio: "inherit" });
  }
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
