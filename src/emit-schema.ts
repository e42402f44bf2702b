import "reflect-metadata";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildAppSchema } from "./graphql/schema";
import { printSortedSchema } from "./graphql/print-schema";
import { projectRoot } from "./project-root";

/** `npm run schema`: writes schema/schema.graphql from the resolver classes. */
async function main(): Promise<void> {
  const target = path.join(projectRoot(), "schema", "schema.graphql");
  writeFileSync(target, printSortedSchema(await buildAppSchema()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
