const { existsSync } = require("node:fs");
const { execFileSync } = require("node:child_process");
const path = require("node:path");

/** The playground's bundle is built by `npm run build`; tests that load the page need it too. */
module.exports = async function globalSetup() {
  const root = path.join(__dirname, "..", "..");
  if (!existsSync(path.join(root, "public", "graphiql", "graphiql.js"))) {
    execFileSync(process.execPath, [path.join(root, "scripts", "build-graphiql.mjs")], { stdio: "inherit" });
  }
};
