/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  setupFiles: ["reflect-metadata"],
  // .swcrc turns on decorator metadata: type-graphql and TypeORM read it at run time.
  transform: { "^.+\\.ts$": "@swc/jest" },
  globalSetup: "<rootDir>/test/helpers/global-setup.js",
  testTimeout: 90000,
};
