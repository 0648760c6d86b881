/**
 * How a server runs the service: the environment variables and V8 flags of `npm run start:prod`
 * ("NAME=value node <flags> dist/main.js"). The systemd unit and the Dockerfile in docs/deploy carry the same, and a
 * test keeps them equal.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../base/project-root.ts";

const words = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")).scripts["start:prod"] as string
).split(" ");

/** The V8 flags ("--max-semi-space-size=2", ...). */
export const PROD_NODE_FLAGS: readonly string[] = words.filter((word) => word.startsWith("--"));

/**
 * The environment set before `node` (MALLOC_ARENA_MAX=2: glibc keeps fewer malloc arenas, about 6 MB less memory
 * once settled; see bench/README.md, "Cold start and memory").
 */
export const PROD_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  words
    .slice(0, Math.max(0, words.indexOf("node")))
    .map((word) => word.split("="))
    .map(([name, value]) => [name as string, value ?? ""]),
);
