// `npm run setup -- export|plan|apply --url <server> --token <secret> [--file setup.json]`: setup as
// code for pipelines, through the API with the typed client (no database access). `export` writes
// the project's px-setup/1 document; `plan` compares a document with the project and exits 0 when
// nothing would change, 1 when something would, 2 on errors (so a CI job can gate on it); `apply`
// makes the project match the document, all or nothing (exit 0, or 2 on errors). --url and --token
// default to PX_URL and PX_TOKEN; without --file, export writes to stdout and plan/apply read stdin.
// Flags: --include-archived (export), --archive-missing (plan, apply).
import { readFileSync, writeFileSync } from "node:fs";
import { createClient, ExportSetupDocument, GraphQLRequestError, ImportSetupDocument } from "../client";

interface Options {
  command: string;
  url: string;
  token: string;
  file: string | null;
  includeArchived: boolean;
  archiveMissing: boolean;
}

const USAGE =
  "usage: npm run setup -- export|plan|apply --url <server, e.g. http://127.0.0.1:4000> --token <secret> [--file setup.json] [--include-archived] [--archive-missing]";

function options(args: string[]): Options {
  const value = (flag: string) => {
    const index = args.indexOf(flag);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const command = args[0];
  if (!["export", "plan", "apply"].includes(command)) throw new Error(USAGE);
  const url = value("--url") ?? process.env.PX_URL;
  const token = value("--token") ?? process.env.PX_TOKEN;
  if (!url || !token) throw new Error(`--url and --token (or PX_URL and PX_TOKEN) are needed\n${USAGE}`);
  return {
    command,
    url: url.replace(/\/+$/, "").replace(/\/graphql$/, ""),
    token,
    file: value("--file") ?? null,
    includeArchived: args.includes("--include-archived"),
    archiveMissing: args.includes("--archive-missing"),
  };
}

const SIGNS: Record<string, string> = {
  CREATE: "+",
  UPDATE: "~",
  ARCHIVE: "-",
  UNARCHIVE: "^",
  UNCHANGED: "=",
};

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const api = createClient({ url: `${opts.url}/graphql`, token: opts.token });
  if (opts.command === "export") {
    const { exportSetup } = await api.request(ExportSetupDocument, { includeArchived: opts.includeArchived });
    // Editors find the schema by the document's $schema (an import ignores it).
    const document = { $schema: `${opts.url}/schemas/px-setup-1.json`, ...(exportSetup.document as object) };
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (opts.file) writeFileSync(opts.file, text);
    else process.stdout.write(text);
    process.stderr.write(`exported (digest ${exportSetup.digest})\n`);
    return 0;
  }
  const source = readFileSync(opts.file ?? 0, "utf8");
  let document: unknown;
  try {
    document = JSON.parse(source);
  } catch {
    throw new Error(`${opts.file ?? "stdin"} is not JSON`);
  }
  const { importSetup } = await api.request(ImportSetupDocument, {
    document,
    dryRun: opts.command === "plan",
    archiveMissing: opts.archiveMissing,
  });
  const changed = importSetup.changes.filter((change) => change.action !== "UNCHANGED");
  for (const change of importSetup.changes) {
    const fields = change.fields.length ? `: ${change.fields.join(", ")}` : "";
    process.stdout.write(
      `${SIGNS[change.action]} ${change.kind} ${change.name} (${change.action})${fields}\n`,
    );
  }
  for (const error of importSetup.userErrors)
    process.stdout.write(`! ${error.code} at ${(error.field ?? []).join(".")}: ${error.message}\n`);
  if (importSetup.userErrors.length) {
    process.stdout.write(`${importSetup.userErrors.length} error(s): nothing was changed\n`);
    return 2;
  }
  if (opts.command === "apply") {
    process.stdout.write(`applied: ${changed.length} change(s)\n`);
    return 0;
  }
  process.stdout.write(changed.length ? `plan: ${changed.length} change(s)\n` : "plan: no changes\n");
  return changed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof GraphQLRequestError || error instanceof Error ? error.message : String(error);
    // fetch says only "fetch failed"; its cause says why (e.g. connect ECONNREFUSED 127.0.0.1:4000).
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    process.stderr.write(`${message}${cause}\n`);
    process.exit(2);
  },
);
