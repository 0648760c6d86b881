/** The V8 flags a server runs the service with: those of `npm run start:prod` ("node <flags> dist/main.js"). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../base/project-root.ts";

export const PROD_NODE_FLAGS: readonly string[] = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")).scripts["start:prod"] as string
)
  .split(" ")
  .filter((word) => word.startsWith("--"));
