/** A production start never runs a stale build (src/build-freshness.ts, checked by src/main.ts in dist/). */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { staleBuildReason } from "../../src/build-freshness.ts";

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function layout(sourceAt: number, builtAt: number) {
  root = mkdtempSync(join(tmpdir(), "spean-build-"));
  mkdirSync(join(root, "src", "inbox"), { recursive: true });
  mkdirSync(join(root, "dist"));
  writeFileSync(join(root, "src", "main.ts"), "");
  writeFileSync(join(root, "src", "inbox", "store.ts"), "");
  writeFileSync(join(root, "dist", "main.js"), "");
  utimesSync(join(root, "src", "main.ts"), builtAt / 1000 - 60, builtAt / 1000 - 60);
  utimesSync(join(root, "src", "inbox", "store.ts"), sourceAt / 1000, sourceAt / 1000);
  utimesSync(join(root, "dist", "main.js"), builtAt / 1000, builtAt / 1000);
  return { entry: join(root, "dist", "main.js"), source: join(root, "src") };
}

describe("build freshness", () => {
  it("accepts a build newer than every source file", () => {
    const { entry, source } = layout(1_000_000_000, 1_000_001_000);
    expect(staleBuildReason(entry, source)).toBeUndefined();
  });

  it("refuses a build older than any source file, naming it, even deep in a folder", () => {
    const { entry, source } = layout(1_000_002_000, 1_000_001_000);
    expect(staleBuildReason(entry, source)).toMatch(/older than .*src\/inbox\/store\.ts: run npm run build/);
  });

  it("starts when the sources are not shipped (a container image with dist/ only)", () => {
    const { entry } = layout(1_000_000_000, 1_000_001_000);
    expect(staleBuildReason(entry, join(root, "no-src"))).toBeUndefined();
  });
});
