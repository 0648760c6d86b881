/**
 * Runs the built service (dist/service.cjs) from V8's code cache, so that a start does not parse the whole bundle.
 *
 * Node 20 keeps no compile cache of its own (module.enableCompileCache came in Node 22), and compiling the bundle
 * was about a quarter of a cold start. `npm run build` therefore compiles the bundle once, with the V8 flags of
 * `npm run start:prod`, and writes V8's cached data beside it, named by the SHA-256 of the bundle's bytes. At start,
 * V8 checks the cache against its own version and flags and the source, and ignores a cache that does not fit (for
 * example when node runs with other flags): the bundle is then compiled as usual, only slower. So a missing or
 * unfitting cache costs time, never the service.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import vm from "node:vm";

/** How the bundle was compiled: from a fitting cache, with a cache V8 refused, or without one. */
export type CodeCacheUse = "used" | "rejected" | "none";

/** The bundle compiled as a CommonJS module's body, and whether its code cache was used. */
interface CompiledBundle {
  script: vm.Script;
  cacheFile: string;
  cache: CodeCacheUse;
}

/** Where the code cache of the bundle with these bytes is kept: beside it, named by their SHA-256. */
export function codeCacheFile(bundle: string, bytes: Buffer): string {
  return `${bundle}.${createHash("sha256").update(bytes).digest("hex").slice(0, 32)}.cache`;
}

/** Compiles `bundle`, from its code cache when there is one. */
function compileBundle(bundle: string): CompiledBundle {
  const bytes = readFileSync(bundle);
  const cacheFile = codeCacheFile(bundle, bytes);
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  // The wrapper shares the first line with the bundle, so line numbers in stack traces stay the bundle's own.
  const source = `(function (exports, require, module, __filename, __dirname) { ${bytes.toString("utf8")}\n})`;
  const script = new vm.Script(source, { filename: bundle, cachedData });
  const cache = cachedData === undefined ? "none" : script.cachedDataRejected ? "rejected" : "used";
  return { script, cacheFile, cache };
}

/**
 * Runs `bundle` (a CommonJS file made by esbuild) as Node would run it with `require`, compiled from its code cache
 * when one fits. Returns how it was compiled.
 */
export function runBundle(bundle: string): CodeCacheUse {
  const { script, cache } = compileBundle(bundle);
  const body = script.runInThisContext() as (
    exports: object,
    require: NodeJS.Require,
    module: { exports: object },
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} };
  body.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return cache;
}

/** How `bundle` would be compiled in this process (its V8 flags), without running it. */
export function codeCacheUse(bundle: string): CodeCacheUse {
  return compileBundle(bundle).cache;
}

/** Compiles `bundle` and writes its code cache (the build does this, with start:prod's V8 flags). */
export function writeCodeCache(bundle: string): string {
  const { script, cacheFile } = compileBundle(bundle);
  writeFileSync(cacheFile, script.createCachedData());
  return cacheFile;
}
