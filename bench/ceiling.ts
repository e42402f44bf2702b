import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../src/project-root";

/**
 * The stack's ceiling: Apollo Server and Express from this project's dependencies, our schema,
 * and answers that cost nothing: the JSON our server gave for the same queries, captured once.
 * No database, no auth, no business logic. With `--lean`, Apollo's standalone server (node's HTTP
 * server, no Express): the leanest honest ceiling of the stack.
 * Usage: node -r ./scripts/register-ts.js bench/ceiling.ts <answers.json> [--lean]
 */
async function main(): Promise<void> {
  const answers = JSON.parse(readFileSync(process.argv[2], "utf8")) as Record<string, unknown>;
  const typeDefs = readFileSync(path.join(projectRoot(), "schema", "schema.graphql"), "utf8");
  const resolvers = {
    Query: Object.fromEntries(Object.entries(answers).map(([field, value]) => [field, () => value])),
  };
  // Tuned like ours (no cache-control field instrumentation): the ceiling is the best the stack does.
  const apollo = new ApolloServer({
    typeDefs,
    resolvers,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginCacheControlDisabled()],
  });
  if (process.argv.includes("--lean")) {
    const { url } = await startStandaloneServer(apollo, { listen: { port: 0, host: "127.0.0.1" } });
    process.stdout.write(`ceiling listening on ${new URL(url).port}\n`);
    process.once("SIGTERM", () => void apollo.stop().then(() => process.exit(0)));
    return;
  }
  await apollo.start();
  const app = express();
  app.use("/graphql", express.json({ limit: "1mb" }), expressMiddleware(apollo));
  const server = app.listen(0, "127.0.0.1", () => {
    const address = server.address() as { port: number };
    process.stdout.write(`ceiling listening on ${address.port}\n`);
  });
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
