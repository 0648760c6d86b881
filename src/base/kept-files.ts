/**
 * Files the production build keeps beside the bundle (dist/models/), so that the built service loads what it would
 * otherwise compute at every start: the search's question model (knowledge/kept-models.ts, about 2.5 s to train) and
 * the danger classifier's compiled lexicon (safety/kept-lexicon.ts, about 0.2 s to compile). Each file is named by
 * the SHA-256 of everything it is computed from, so a kept file can never be stale: changed content, or a wording a
 * supervisor taught, simply has none and is computed as before. Source runs keep theirs in a cache folder named by
 * their code (boot/source-cache.ts); tests that build the service in-process keep nothing.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where kept files are read, and (at build time) written. */
export interface KeptFiles {
  /** The bytes kept under `name`; undefined when there are none or they cannot be read. */
  read(name: string): Buffer | undefined;
  /** Keeps freshly computed bytes (only the build's store has it). */
  write?(name: string, bytes: Buffer): void;
}

/** `true`: a failed write throws (the build); `"best-effort"`: a failed write is skipped (a source run's cache). */
type WriteMode = boolean | "best-effort";

let kept: { dir: string; write: WriteMode } | undefined;

/**
 * From now on, `keptFiles()` reads from `dir` (the built service's start), and writes there too when `write` is set
 * (`npm run build`; `"best-effort"` for a source run, whose cache may sit on a read-only disk). Default: nothing kept.
 */
export function useKeptFiles(dir: string | undefined, { write = false }: { write?: WriteMode } = {}): void {
  kept = dir === undefined ? undefined : { dir, write };
}

/** The store set by {@link useKeptFiles}, or undefined when everything is computed at start (in-process tests). */
export function keptFiles(): KeptFiles | undefined {
  if (!kept) return undefined;
  const { dir, write } = kept;
  return {
    read(name) {
      const file = join(dir, name);
      try {
        return existsSync(file) ? readFileSync(file) : undefined;
      } catch {
        return undefined;
      }
    },
    write: write
      ? (name, bytes) => {
          try {
            writeWhole(join(dir, name), bytes);
          } catch (err) {
            if (write !== "best-effort") throw err;
          }
        }
      : undefined,
  };
}

/**
 * Writes `bytes` under a temporary name, then renames: two processes starting at once (tests, a restart during a
 * build) never read half a file.
 */
function writeWhole(file: string, bytes: Buffer): void {
  mkdirSync(join(file, ".."), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
}

/** The SHA-256 (hex) of `value` as JSON: the key of what was computed from it. */
export function keyOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}
