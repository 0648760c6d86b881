/**
 * `npm run build`: the production build in dist/, run by `npm run start:prod`.
 *
 * - The service is bundled by esbuild into dist/service.cjs. One file instead of some 1,000 modules under
 *   node_modules saves about a third of a second of start-up, which is spent resolving and reading modules.
 *   better-sqlite3 stays outside: it is a native module.
 * - dist/main.js (src/boot/start-built.ts) runs it from V8's code cache, which the build writes beside it: parsing
 *   the bundle was about a quarter of a cold start (src/boot/code-cache.ts).
 * - The sandbox page is copied beside it. Every content file, parsed and validated, the search's question model
 *   and the danger lexicon are kept in dist/models/ (base/kept-files.ts), so the service does not compute them at
 *   every start.
 *
 * Type-checking is `npm run typecheck`; esbuild only strips types.
 * Usage: tsx src/cli/build.ts [<output folder inside the repository>] (default dist; tests build elsewhere).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";
import { PROJECT_ROOT } from "../base/project-root.ts";
import { PROD_NODE_FLAGS } from "../boot/prod-flags.ts";
import { loadContent } from "../content/load.ts";
import { useKeptFiles } from "../base/kept-files.ts";

const dist = process.argv[2] ? resolve(process.argv[2]) : join(PROJECT_ROOT, "dist");
rmSync(dist, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: true,
  // Bundling renames clashing classes (AbortSignal → AbortSignal2); node-fetch, under grammY, checks a signal by its
  // class's name, so without this every Bot API call failed ("Expected signal to be an instanceof AbortSignal").
  keepNames: true,
  logLevel: "warning",
  write: false,
} as const;
const bundles = await Promise.all([
  // The service, as CommonJS: Node 20 can run a script from V8's code cache (vm.Script), not an ES module.
  build({
    ...common,
    entryPoints: [join(PROJECT_ROOT, "src", "main.ts")],
    outfile: join(dist, "service.cjs"),
    format: "cjs",
    // V8 keeps the bundle's source in memory for as long as the service runs: minified, it is 2.7 MB instead of
    // 5.6 MB, and settled memory about 6 MB lower. keepNames above keeps function and class names in stack traces.
    minify: true,
    external: ["better-sqlite3"],
    // The code's few uses of import.meta.url (where the bundle is) get the bundle's own URL.
    define: { "import.meta.url": "__spean_bundle_url" },
    banner: { js: "const __spean_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  }),
  // The entry point that runs it (src/boot/start-built.ts).
  build({
    ...common,
    entryPoints: [join(PROJECT_ROOT, "src", "boot", "start-built.ts")],
    outfile: join(dist, "main.js"),
    format: "esm",
  }),
]);
for (const file of bundles.flatMap((result) => result.outputFiles)) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, /\.c?js$/.test(file.path) ? asciiOnly(file.text) : file.contents);
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
// V8's code cache must be made by the node and flags that will use it: start:prod's (src/boot/code-cache.ts).
const cached = spawnSync(process.execPath, [...PROD_NODE_FLAGS, join(dist, "main.js"), "--write-code-cache"], {
  encoding: "utf8",
});
if (cached.status !== 0) throw new Error(`writing the code cache failed: ${cached.stderr}`);

copyFileSync(join(PROJECT_ROOT, "src", "sandbox", "page.html"), join(dist, "page.html"));
// The shipped content, validated, with the search's question model and the danger lexicon computed from it: done
// here once instead of at every start (base/kept-files.ts).
useKeptFiles(join(dist, "models"), { write: true });
const computedIn = timed(() => loadContent(() => ({})).searchIndex.size);
console.log(
  `built ${join(dist, "main.js")} with its code cache; content validated, search model and danger lexicon ` +
    `computed in ${computedIn} ms and kept`,
);

/** How long `work` took, in whole milliseconds. */
function timed(work: () => unknown): number {
  const started = performance.now();
  work();
  return Math.round(performance.now() - started);
}
