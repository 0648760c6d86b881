/**
 * The repository root (where package.json, flows/, locales/ and drizzle/ are), found by walking up from this module.
 * Walking up rather than counting "../.." keeps it right both from source (src/base/) and from the one-file build
 * in dist/, where every module shares the bundle's location.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return from; // no package.json above: the working layout is broken, paths will say so
  }
}

/** The repository root. */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
