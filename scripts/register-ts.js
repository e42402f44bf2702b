// Lets node run the TypeScript sources directly (`node -r ./scripts/register-ts.js
// src/main.ts`), compiled by swc with the same .swcrc as jest: tests start real server processes and
// the benchmark runs without a build step.
const { readFileSync } = require("node:fs");
const { transformSync } = require("@swc/core");

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, "utf8"), { filename, swcrc: true });
  module._compile(code, filename);
};
