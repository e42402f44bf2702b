import { execFileSync } from "node:child_process";
import path from "node:path";

/**
 * The house's boundaries are lint rules (eslint.config.mjs), so a change that crosses one fails
 * `npm test`. Each probe below adds such a change to a real file's path and checks that lint refuses
 * it. ESLint runs in a child process (its configuration is an ES module, which jest's sandbox cannot
 * load), once for all probes.
 */
const ROOT = path.join(__dirname, "..", "..");

const probes: Record<string, { file: string; text: string }> = {
  "a pure core importing TypeORM": {
    file: "src/evaluation/bucketing.ts",
    text: 'import { DataSource } from "typeorm";\nexport const source = DataSource;\n',
  },
  "a pure core importing type-graphql": {
    file: "src/segments/segment-matching.ts",
    text: 'import { Field } from "type-graphql";\nexport const field = Field;\n',
  },
  "a pure core importing graphql": {
    file: "src/results/statistics.ts",
    text: 'import { GraphQLError } from "graphql";\nexport const error = GraphQLError;\n',
  },
  "an enum registering itself with type-graphql": {
    file: "src/experiences/experience-kind.ts",
    text: 'import { registerEnumType } from "type-graphql";\nexport const register = registerEnumType;\n',
  },
  "a service importing the GraphQL layer": {
    file: "src/keys/key.service.ts",
    text: 'import { badUserInput } from "../graphql/errors";\nexport const refuse = badUserInput;\n',
  },
  "a floating promise": {
    file: "src/shared/result.ts",
    text: "export function forget(work: () => Promise<void>): void {\n  work();\n}\n",
  },
  // unit-of-work.ts imports shared/result.ts: importing it back closes a cycle, with no file written.
  "an import cycle": {
    file: "src/shared/result.ts",
    text: 'import { commitIfOk } from "../db/unit-of-work";\nexport const commit = commitIfOk;\n',
  },
};

let found: Record<string, string[]>;
beforeAll(() => {
  // Linted as text under a real file's path: nothing is written into the sources.
  const script = `
    import { ESLint } from "eslint";
    const probes = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: ${JSON.stringify(ROOT)} });
    const found = {};
    for (const [name, probe] of Object.entries(probes)) {
      const [result] = await eslint.lintText(probe.text, { filePath: ${JSON.stringify(ROOT)} + "/" + probe.file });
      found[name] = result.messages.map((m) => m.ruleId + ": " + m.message);
    }
    process.stdout.write(JSON.stringify(found));`;
  found = JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(probes)], {
      cwd: ROOT,
      encoding: "utf8",
    }),
  );
}, 120_000);

test.each([
  ["a pure core importing TypeORM", /^no-restricted-imports: .*Pure cores/],
  ["a pure core importing type-graphql", /^no-restricted-imports: .*Pure cores/],
  ["a pure core importing graphql", /^no-restricted-imports: .*Pure cores/],
  ["an enum registering itself with type-graphql", /^no-restricted-imports: .*Pure cores/],
  ["a service importing the GraphQL layer", /^no-restricted-imports: .*Services hold the rules/],
  ["a floating promise", /^@typescript-eslint\/no-floating-promises/],
  ["an import cycle", /^import-x\/no-cycle/],
])("%s fails lint", (name, rule) => {
  expect(found[name]).toContainEqual(expect.stringMatching(rule));
});
