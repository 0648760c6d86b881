/**
 * A production start runs the compiled JavaScript in dist/, never a stale build: when any file under src/ is newer
 * than the compiled entry point, the start is refused with a one-line reason. A deployment that ships dist/
 * without src/ (a container image) has nothing to compare and starts.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Why the build at `builtEntry` (dist/main.js) is stale compared with `sourceDir`, or undefined when it is not. */
export function staleBuildReason(builtEntry: string, sourceDir: string): string | undefined {
  if (!existsSync(sourceDir)) return undefined;
  const builtAt = statSync(builtEntry).mtimeMs;
  const newer = newestFile(sourceDir);
  if (newer && newer.mtimeMs > builtAt) {
    return `the build in dist/ is older than ${newer.path}: run npm run build (or use npm start, which needs no build)`;
  }
  return undefined;
}

function newestFile(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestFile(path) : { path, mtimeMs: statSync(path).mtimeMs };
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate;
  }
  return newest;
}
