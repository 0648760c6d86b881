/**
 * The built service's entry point, dist/main.js (`npm run start:prod`): runs the bundle dist/service.cjs from its
 * code cache (code-cache.ts). `node dist/main.js --write-code-cache` writes that cache instead (`npm run build`).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBundle, writeCodeCache } from "./code-cache.ts";

const bundle = join(dirname(fileURLToPath(import.meta.url)), "service.cjs");
if (process.argv[2] === "--write-code-cache") writeCodeCache(bundle);
else runBundle(bundle);
