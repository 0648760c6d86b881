import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { unawaitedPromises } from "../helpers/unawaited-promises.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

describe("promises are awaited before they are used as values", () => {
  it("finds none in src, test or bench", () => {
    expect(unawaitedPromises(ROOT, ["src/", "test/", "bench/"], ["test/fixtures/"])).toEqual([]);
  }, 120_000);

  it("finds one that is there (a job result holding a promise)", () => {
    const found = unawaitedPromises(ROOT, ["test/fixtures/unawaited/"]);
    expect(found.map((f) => f.text)).toEqual(["count()", "count()", "count()"]);
  }, 120_000);
});
