/** Where a run from source keeps its computed files (src/boot/source-cache.ts, base/kept-files.ts). */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keptFiles, useKeptFiles } from "../../src/base/kept-files.ts";
import { pruneOtherSourceCaches, sourceCacheDir, sourceTreeHash } from "../../src/boot/source-cache.ts";

describe("the source run's cache", () => {
  let root: string;
  let src: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "spean-source-cache-"));
    src = join(root, "src");
  });
  afterEach(() => {
    useKeptFiles(undefined);
    rmSync(root, { recursive: true, force: true });
  });

  const write = (path: string, text: string) => {
    mkdirSync(join(src, path, ".."), { recursive: true });
    writeFileSync(join(src, path), text);
  };

  it("is named by every file under src/: a changed, renamed or added file gives another folder", () => {
    write("main.ts", "start()");
    write("knowledge/search.ts", "index()");
    const first = sourceCacheDir(root);
    expect(first).toBe(join(root, "node_modules", ".cache", "spean", sourceTreeHash(src)));
    expect(sourceCacheDir(root)).toBe(first);

    write("knowledge/search.ts", "index(2)");
    const edited = sourceCacheDir(root);
    expect(edited).not.toBe(first);

    rmSync(join(src, "knowledge", "search.ts"));
    write("knowledge/searcher.ts", "index(2)");
    expect(sourceCacheDir(root)).not.toBe(edited);

    write("knowledge/more.ts", "");
    expect(new Set([first, edited, sourceCacheDir(root)]).size).toBe(3);
  });

  it("removes the folders of other code, and only those", () => {
    const parent = join(root, "node_modules", ".cache", "spean");
    for (const name of ["old", "older", "current"]) mkdirSync(join(parent, name), { recursive: true });
    pruneOtherSourceCaches(join(parent, "current"));
    expect(readdirSync(parent)).toEqual(["current"]);
    expect(() => pruneOtherSourceCaches(join(root, "nowhere", "current"))).not.toThrow();
  });

  it("skips a write it cannot make (best effort), where the build's store fails loudly", () => {
    writeFileSync(join(root, "a-file"), "");
    const unwritable = join(root, "a-file", "models"); // a folder cannot be made inside a file
    useKeptFiles(unwritable, { write: "best-effort" });
    expect(() => keptFiles()?.write?.("model.bin", Buffer.from("x"))).not.toThrow();
    expect(keptFiles()?.read("model.bin")).toBeUndefined();
    useKeptFiles(unwritable, { write: true });
    expect(() => keptFiles()?.write?.("model.bin", Buffer.from("x"))).toThrow();
  });

  it("writes whole files: nothing half-written is left beside them", () => {
    const dir = join(root, "kept");
    useKeptFiles(dir, { write: "best-effort" });
    keptFiles()?.write?.("model.bin", Buffer.from("bytes"));
    expect(readdirSync(dir)).toEqual(["model.bin"]);
    expect(keptFiles()?.read("model.bin")?.toString()).toBe("bytes");
  });
});
