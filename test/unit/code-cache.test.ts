/** The built service's code cache (src/boot/code-cache.ts). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/base/project-root.ts";
import { codeCacheFile, runBundle } from "../../src/boot/code-cache.ts";

const dir = mkdtempSync(join(tmpdir(), "spean-code-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Calls `exported` of code-cache.ts on `bundle` in a new node process (with `flags`) and returns what it printed. */
function inChild(exported: "writeCodeCache" | "codeCacheUse", bundle: string, flags: string[] = []): string {
  const module = join(PROJECT_ROOT, "src", "boot", "code-cache.ts");
  const call = `${exported}(${JSON.stringify(bundle)})`;
  const script = `import { ${exported} } from ${JSON.stringify(module)}; console.log(${call});`;
  const child = spawnSync(process.execPath, ["--import", "tsx", ...flags, "--input-type=module", "-e", script], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  });
  expect(child.status, child.stderr).toBe(0);
  return child.stdout.trim();
}

/** What a bundle saw when it ran, keyed by the bundle's name. */
const seen = globalThis as unknown as Record<string, unknown>;

/** A CommonJS bundle that records its module variables (and throws on line 3 when asked). */
function writeBundle(name: string, extra = ""): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      `globalThis[${JSON.stringify(name)}] = { filename: __filename, dirname: __dirname, self: this === exports,`,
      `  join: typeof require("node:path").join, exportsIsModules: module.exports === exports };`,
      `if (globalThis.throwFrom === ${JSON.stringify(name)}) throw new Error("from line 3");`,
      extra,
    ].join("\n"),
  );
  return file;
}

describe("the code cache", () => {
  it("runs a bundle as Node runs a CommonJS module, with or without a cache", () => {
    const bundle = writeBundle("plain.cjs");
    expect(runBundle(bundle)).toBe("none");
    expect(seen["plain.cjs"]).toEqual({
      filename: bundle,
      dirname: dir,
      self: true,
      join: "function",
      exportsIsModules: true,
    });
  });

  // In a fresh process each time: V8 keeps compiled scripts in memory too, so in this one a second compilation of
  // the same source would not show whether the cache on disk was used.
  it("is written beside the bundle under its bytes' hash, and used by the next start", () => {
    const bundle = writeBundle("cached.cjs");
    const cacheFile = inChild("writeCodeCache", bundle);
    expect(cacheFile).toBe(codeCacheFile(bundle, readFileSync(bundle)));
    expect(cacheFile).toMatch(/cached\.cjs\.[0-9a-f]{32}\.cache$/);
    expect(inChild("codeCacheUse", bundle)).toBe("used");
    expect(runBundle(bundle)).toBe("used");
    expect(seen["cached.cjs"]).toMatchObject({ filename: bundle });
  });

  it("is not used for a changed bundle, even of the same length", () => {
    const bundle = writeBundle("changed.cjs", "// aaaa");
    inChild("writeCodeCache", bundle);
    writeBundle("changed.cjs", "// bbbb");
    expect(inChild("codeCacheUse", bundle)).toBe("none");
  });

  it("costs a normal compilation, never the start, when V8 refuses it", () => {
    const bundle = writeBundle("damaged.cjs");
    writeFileSync(codeCacheFile(bundle, readFileSync(bundle)), "not a code cache");
    expect(inChild("codeCacheUse", bundle)).toBe("rejected");
    expect(runBundle(bundle)).toBe("rejected");
    expect(seen["damaged.cjs"]).toMatchObject({ filename: bundle });
  });

  it("is refused by a node started with other V8 flags than the build's", () => {
    const bundle = writeBundle("flags.cjs");
    inChild("writeCodeCache", bundle);
    expect(inChild("codeCacheUse", bundle, ["--max-old-space-size=100"])).toBe("rejected");
  });

  it("keeps the bundle's own line numbers in stack traces", () => {
    const bundle = writeBundle("throws.cjs");
    inChild("writeCodeCache", bundle);
    seen.throwFrom = "throws.cjs";
    try {
      expect(() => runBundle(bundle)).toThrow(
        expect.objectContaining({ stack: expect.stringContaining(`${bundle}:3`) }),
      );
    } finally {
      delete seen.throwFrom;
    }
  });

  it("names the cache by content: other bytes, another file", () => {
    const bundle = join(dir, "x.cjs");
    expect(codeCacheFile(bundle, Buffer.from("a"))).not.toBe(codeCacheFile(bundle, Buffer.from("b")));
  });
});
