/** The danger model kept by the build in a compact form (src/safety/kept-model.ts). */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useKeptFiles } from "../../src/base/kept-files.ts";
import { PROJECT_ROOT } from "../../src/base/project-root.ts";
import { decodeDangerModel, encodeDangerModel } from "../../src/safety/kept-model.ts";
import { fileOfModel, loadDangerModel } from "../../src/safety/model.ts";

const shippedFile = join(PROJECT_ROOT, "flows", "safety", "model.json");
const shipped = loadDangerModel(join(PROJECT_ROOT, "flows"));

let dir: string;
let flows: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "spean-model-"));
  flows = join(dir, "flows");
  mkdirSync(join(flows, "safety"), { recursive: true });
  copyFileSync(shippedFile, join(flows, "safety", "model.json"));
});
afterEach(() => {
  useKeptFiles(undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("the kept danger model", () => {
  it("decodes to exactly the shipped model, and the model writes back the file it was read from", () => {
    expect(decodeDangerModel(encodeDangerModel(shipped))).toEqual(shipped);
    expect(`${JSON.stringify(fileOfModel(shipped))}\n`).toBe(readFileSync(shippedFile, "utf8"));
  });

  it("refuses bytes of another format, or cut short", () => {
    const bytes = encodeDangerModel(shipped);
    expect(() => decodeDangerModel(bytes.subarray(0, bytes.length - 8))).toThrow(/cut short/);
    const other = Buffer.from(bytes);
    other.write('{"format":"spean-danger-model-0"', 8);
    expect(() => decodeDangerModel(other)).toThrow();
    expect(() => decodeDangerModel(Buffer.from("not a model at all"))).toThrow();
  });

  it("is written by the build's store, read by the built service, and not used once the file changes", () => {
    useKeptFiles(join(dir, "kept"), { write: true });
    expect(loadDangerModel(flows)).toEqual(shipped);
    const names = readdirSync(join(dir, "kept"));
    expect(names).toEqual([expect.stringMatching(/^danger-model-[0-9a-f]{64}\.bin$/)]);
    // The kept copy is what is read: an altered (but whole) copy shows through.
    const keptFile = join(dir, "kept", names[0] as string);
    writeFileSync(keptFile, encodeDangerModel({ ...shipped, danger: { ...shipped.danger, bias: 42 } }));
    useKeptFiles(join(dir, "kept"));
    expect(loadDangerModel(flows).danger.bias).toBe(42);
    // An edited file has another key, so it is parsed and validated, not read from the copy.
    const edited = { ...fileOfModel(shipped), numbers: { bias: -7, weights: { "w:x": 1 } } };
    writeFileSync(join(flows, "safety", "model.json"), JSON.stringify(edited));
    const reloaded = loadDangerModel(flows);
    expect(reloaded.danger.bias).toBe(shipped.danger.bias);
    expect(reloaded.numbers).toEqual({ bias: -7, weights: new Map([["w:x", 1]]) });
  });

  it("costs a parse, never the service, when the kept copy is damaged", () => {
    useKeptFiles(join(dir, "kept"), { write: true });
    loadDangerModel(flows);
    const [name] = readdirSync(join(dir, "kept"));
    writeFileSync(join(dir, "kept", name as string), "damaged");
    useKeptFiles(join(dir, "kept"));
    expect(loadDangerModel(flows)).toEqual(shipped);
  });
});
