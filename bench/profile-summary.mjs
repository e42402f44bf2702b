// Summarizes a V8 .cpuprofile (node --cpu-prof): where the time goes, by function and by package.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [top]
import { readFileSync } from "node:fs";

const profile = JSON.parse(readFileSync(process.argv[2], "utf8"));
const top = Number(process.argv[3] ?? 25);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = profile.timeDeltas;
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0)));
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
