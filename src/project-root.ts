import { existsSync } from "node:fs";
import path from "node:path";

/** The folder of package.json, whether we run from src/ (tests) or dist/src/ (npm start). */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
