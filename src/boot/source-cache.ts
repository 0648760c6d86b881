/**
 * Where a run from source (`npm start`, tsx) keeps the files the production build would keep in dist/models/ (the
 * search's question model and the danger lexicon; base/kept-files.ts): node_modules/.cache/spean/<hash of src/>/.
 *
 * Without it every source start trained the question model again, about 4.5 s during which the event loop answered
 * nobody, not even a signal. A kept file's name covers the content it was computed from but not the code that
 * computed it, so the folder is named by the SHA-256 of every file under src/: any change to the code starts an
 * empty folder, and the folders of older code are removed.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { useKeptFiles } from "../base/kept-files.ts";

/**
 * From now on, kept files are read from and written to the cache folder of the code under `<root>/src`, and the
 * folders of older code are removed. Writes are best effort: a read-only node_modules means computing at each start.
 */
export function useSourceRunCache(root: string): void {
  const cache = sourceCacheDir(root);
  pruneOtherSourceCaches(cache);
  useKeptFiles(cache, { write: "best-effort" });
}

/** The cache folder for the code now in `sourceDir` (default layout: `<root>/node_modules/.cache/spean/<sha>`). */
export function sourceCacheDir(root: string, sourceDir = join(root, "src")): string {
  return join(root, "node_modules", ".cache", "spean", sourceTreeHash(sourceDir));
}

/** Removes the cache folders of other code beside `current`. Never throws: a cache is worth no failed start. */
export function pruneOtherSourceCaches(current: string): void {
  const parent = join(current, "..");
  try {
    for (const name of readdirSync(parent)) {
      if (join(parent, name) !== current) rmSync(join(parent, name), { recursive: true, force: true });
    }
  } catch {
    // no folder yet, or not ours to clean
  }
}

/** The SHA-256 (hex) of every file's path and bytes under `dir`, in a fixed order. */
export function sourceTreeHash(dir: string): string {
  const hash = createHash("sha256");
  const visit = (folder: string) => {
    const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        visit(path);
        continue;
      }
      hash.update(relative(dir, path)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  visit(dir);
  return hash.digest("hex");
}
