/**
 * `npm run build`: the production build in dist/, run by `npm run start:prod`.
 *
 * - The service is bundled by esbuild into dist/main.js plus chunks for what is loaded only when needed (the
 *   metrics server). One file instead of some 1,000 modules under node_modules saves about a third of a second of
 *   start-up, which is spent resolving and reading modules. better-sqlite3 stays outside: it is a native module.
 * - The sandbox page is copied beside it, and every content YAML file is stored as JSON (compile-yaml.ts).
 *
 * Type-checking is `npm run typecheck`; esbuild only strips types.
 * Usage: tsx src/cli/build.ts [<output folder inside the repository>] (default dist; tests build elsewhere).
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";
import { PROJECT_ROOT } from "../base/project-root.ts";
import { loadContent } from "../content/load.ts";
import { useKeptQuestionModels } from "../knowledge/kept-models.ts";
import { compileYaml } from "./compile-yaml.ts";

const dist = process.argv[2] ? resolve(process.argv[2]) : join(PROJECT_ROOT, "dist");
rmSync(dist, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(PROJECT_ROOT, "src", "main.ts")],
  outdir: dist,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  external: ["better-sqlite3"],
  // Bundling renames clashing classes (AbortSignal → AbortSignal2); node-fetch, under grammY, checks a signal by its
  // class's name, so without this every Bot API call failed ("Expected signal to be an instanceof AbortSignal").
  keepNames: true,
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js:
      "import { createRequire as __spean_require } from 'node:module'; " +
      "const require = __spean_require(import.meta.url);",
  },
  logLevel: "warning",
  write: false,
});
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.path.endsWith(".js") ? asciiOnly(file.text) : file.contents);
}
/**
 * The bundle with every character beyond ASCII written as a \u escape. V8 keeps a script's source in memory for
 * its whole life, as one byte per character only if every character fits in one: a single emoji left in a
 * dependency's comment made the 4.8 MB bundle cost 9.6 MB of memory. esbuild escapes strings but not comments.
 * Escapes mean the same inside strings, templates, regular expressions and comments.
 */
function asciiOnly(code: string): string {
  return code.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

copyFileSync(join(PROJECT_ROOT, "src", "sandbox", "page.html"), join(dist, "page.html"));
const compiled = compileYaml(join(PROJECT_ROOT, "flows"), join(dist, "yaml"));
// The search's question model for the shipped content, trained here once instead of at every start.
useKeptQuestionModels(join(dist, "models"), { write: true });
const trainedIn = timed(() => loadContent(() => ({})).searchIndex.size);
console.log(
  `built ${join(dist, "main.js")}; ${compiled} content files stored as JSON; ` +
    `search model trained in ${trainedIn} ms and kept`,
);

/** How long `work` took, in whole milliseconds. */
function timed(work: () => unknown): number {
  const started = performance.now();
  work();
  return Math.round(performance.now() - started);
}
