/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  setupFiles: ["reflect-metadata"],
  // .swcrc turns on decorator metadata: type-graphql and TypeORM read it at run time.
  transform: { "^.+\\.ts$": "@swc/jest" },
  globalSetup: "<rootDir>/test/helpers/global-setup.js",
  reporters: ["default", "<rootDir>/test/helpers/skip-reporter.js"],
  testTimeout: 90000,
  // One worker per core: jest's default leaves one core idle, and on a 2-core machine that halves
  // the run. Every suite has its own database and port, so they run side by side.
  maxWorkers: "100%",
};
