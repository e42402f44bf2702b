// ESLint: the boundaries of the house as rules, not hope (CONTRIBUTING.md explains them).
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Pure cores: plain data in, plain data out; no storage, no API framework. */
const PURE_CORES = [
  "src/segments/segment-matching.ts",
  "src/segments/segment-rule.ts",
  "src/evaluation/bucketing.ts",
  "src/evaluation/evaluate-user.ts",
  "src/evaluation/ruleset.ts",
  "src/results/statistics.ts",
  "src/results/analysis.ts",
  "src/**/*-rules.ts",
  "src/shared/**/*.ts",
  "src/experiences/experience-kind.ts",
  "src/access/role.ts",
];

const FRAMEWORKS = [
  "typeorm",
  "type-graphql",
  "graphql",
  "graphql-scalars",
  "@apollo/*",
  "express",
  "pg",
  "sqlite3",
].map((name) => ({
  group: [name, `${name}/*`],
  message:
    "Pure cores take and return plain data: storage and the API framework stay outside (CONTRIBUTING.md).",
}));

export default tseslint.config(
  { ignores: ["dist/", "public/", "node_modules/", "coverage/", ".tmp/", "client/generated/", "data/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            "*.mjs",
            "*.js",
            "scripts/*.js",
            "scripts/*.mjs",
            "test/helpers/*.js",
            "web/vite.config.mts",
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "import-x": importX },
    settings: {
      // import-x must parse TypeScript files to follow their imports (its own TypeScript preset's parsers).
      "import-x/extensions": [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/resolver-next": [
        createNodeResolver({ extensions: [".ts", ".tsx", ".js", ".jsx", ".mjs", ".json"] }),
      ],
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // The JSON boundary (GraphQL JSON scalars, JSON.parse, driver rows) is typed as unknown or
      // narrowed where it is read; these rules would flag every such read, not mistakes.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      // Methods that implement async interfaces (Apollo plugins, service callbacks) need not await.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: PURE_CORES,
    rules: { "no-restricted-imports": ["error", { patterns: FRAMEWORKS }] },
  },
  {
    files: ["src/**/*.service.ts", "src/**/*-read-model.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/graphql/*", "type-graphql", "graphql", "@apollo/*"],
              message:
                "Services hold the rules, not the API: throw InvalidArgument or return userErrors (CONTRIBUTING.md).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs", "**/*.jsx"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    ignores: ["src/http/playground/**"],
    languageOptions: { globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["src/http/playground/**/*.jsx"],
    languageOptions: { globals: globals.browser, parserOptions: { ecmaFeatures: { jsx: true } } },
  },
  {
    files: ["web/src/**/*.tsx"],
    rules: {
      // A component's props are plain functions handed over as values, not methods of an object.
      "@typescript-eslint/unbound-method": "off",
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      // jest's matchers and spies take methods unbound on purpose.
      "@typescript-eslint/unbound-method": "off",
      // Parsed JSON responses are the JSON boundary (STYLE.md): tests read into them freely.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
