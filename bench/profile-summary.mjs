// Summarizes a V8 .cpuprofile (node --cpu-prof): where the time goes, by function and by package.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [top] [--last=<seconds>]
// --last: only the profile's last seconds, e.g. the load after `npm run bench -- --profile=…` (the
// process's whole life includes seeding and waiting, which shows as idle time).
import { readFileSync } from "node:fs";

const [file, ...options] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, "utf8"));
const top = Number(options.find((option) => !option.startsWith("--")) ?? 25);
const lastSeconds = Number(options.find((option) => option.startsWith("--last="))?.slice(7) ?? Infinity);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = profile.timeDeltas;
const from = profile.endTime - lastSeconds * 1e6;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += dt[i] ?? 0;
  if (at >= from) self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map();
const byPackage = new Map();
for (const [id, time] of self) {
  const { callFrame } = byId.get(id);
  const where =
    callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(src|bench)\//, "$1/") ||
    "(native)";
  const name = `${callFrame.functionName || "(anonymous)"}  ${where}:${callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + time);
  const pkg = where.startsWith("src/")
    ? "our code (src/)"
    : where.startsWith("@")
      ? where.split("/").slice(0, 2).join("/")
      : where.split("/")[0];
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
}
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
show("by package (self time)", byPackage, 15);
show("by function (self time)", byFunction, top);
