/**
 * Content files kept validated (src/base/yaml-file.ts): read back instead of parsed and validated again only when
 * the same file name and text passed the schema before, so an edited or broken file is never read stale.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { useKeptFiles } from "../../src/base/kept-files.ts";
import { PROJECT_ROOT } from "../../src/base/project-root.ts";
import { isPlainData, readCheckedFile, readYamlFile } from "../../src/base/yaml-file.ts";
import { loadContent } from "../../src/content/load.ts";

const schema = z.strictObject({ number: z.number(), label: z.string().default("ស្ពាន") });

let dir: string;
let kept: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "spean-content-"));
  kept = join(dir, "kept");
  file = join(dir, "data.yaml");
});
afterEach(() => {
  useKeptFiles(undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** The kept copies in the store, by file name. */
function keptCopies(): string[] {
  try {
    return readdirSync(kept).filter((name) => name.startsWith("content-"));
  } catch {
    return [];
  }
}

describe("content kept validated", () => {
  it("keeps the schema's output and reads it back, for the same name and text only", () => {
    writeFileSync(file, "number: 117\n");
    useKeptFiles(kept, { write: true });
    expect(readYamlFile(file, schema, "data.yaml")).toEqual({ number: 117, label: "ស្ពាន" });
    const [copy] = keptCopies();
    expect(copy).toMatch(/^content-[0-9a-f]{64}\.json$/);
    // Prove the kept copy is what is read: it says something the file does not.
    writeFileSync(join(kept, copy as string), JSON.stringify({ number: 1, label: "from the kept copy" }));
    useKeptFiles(kept);
    expect(readYamlFile(file, schema, "data.yaml")).toEqual({ number: 1, label: "from the kept copy" });
    // Another name for the same text is another key.
    expect(readYamlFile(file, schema, "other.yaml")).toEqual({ number: 117, label: "ស្ពាន" });
    // An edited file is parsed and validated again, and its mistakes are reported.
    writeFileSync(file, "number: 119\n");
    expect(readYamlFile(file, schema, "data.yaml").number).toBe(119);
    writeFileSync(file, "number: many\n");
    expect(() => readYamlFile(file, schema, "data.yaml")).toThrow(/data\.yaml:\n {2}- number:/);
  });

  it("keeps nothing that failed its schema, and nothing without a store", () => {
    writeFileSync(file, "number: many\n");
    useKeptFiles(kept, { write: true });
    expect(readCheckedFile(file, schema, "data.yaml").success).toBe(false);
    expect(keptCopies()).toEqual([]);
    writeFileSync(file, "number: 3\n");
    useKeptFiles(undefined);
    expect(readCheckedFile(file, schema, "data.yaml").success).toBe(true);
    expect(keptCopies()).toEqual([]);
  });

  it("validates at every start data that JSON cannot carry as it is", () => {
    writeFileSync(file, "number: 3\n");
    useKeptFiles(kept, { write: true });
    const toMap = z.strictObject({ number: z.number() }).transform((v) => new Map([["number", v.number]]));
    expect(readYamlFile(file, toMap, "data.yaml")).toEqual(new Map([["number", 3]]));
    expect(keptCopies()).toEqual([]);
    expect(isPlainData({ a: [1, "ក", true, null, { b: {} }] })).toBe(true);
    for (const value of [{ a: undefined }, [new Date(0)], { a: Number.NaN }, new Set(), { a: () => 1 }])
      expect(isPlainData(value)).toBe(false);
  });

  it("costs a validation, never the service, when a kept copy is damaged", () => {
    writeFileSync(file, "number: 5\n");
    useKeptFiles(kept, { write: true });
    readYamlFile(file, schema, "data.yaml");
    writeFileSync(join(kept, keptCopies()[0] as string), "{ not json");
    useKeptFiles(kept);
    expect(readYamlFile(file, schema, "data.yaml")).toEqual({ number: 5, label: "ស្ពាន" });
  });

  it("gives the shipped content back exactly as validated", () => {
    const load = () => loadContent(() => ({}));
    const fresh = load();
    useKeptFiles(kept, { write: true });
    load();
    // Every YAML file under flows/ is read at start, so each has its copy; the danger model has its own.
    const yamlFiles = readdirSync(join(PROJECT_ROOT, "flows"), { recursive: true }).filter((f) =>
      String(f).endsWith(".yaml"),
    );
    expect(keptCopies()).toHaveLength(yamlFiles.length);
    expect(readdirSync(kept).filter((name) => name.startsWith("danger-model-"))).toHaveLength(1);
    useKeptFiles(kept);
    const again = load();
    expect(again.flows).toEqual(fresh.flows);
    expect(again.knowledge).toEqual(fresh.knowledge);
    expect(again.directory).toEqual(fresh.directory);
    expect(again.indicators.indicators).toEqual(fresh.indicators.indicators);
    expect(again.places.khans).toEqual(fresh.places.khans);
    expect(again.recordings).toEqual(fresh.recordings);
    expect(again.holidays).toEqual(fresh.holidays);
    for (const text of ["ប្តីវាយខ្ញុំរាល់យប់", "ptdey veay knhom", "how do I get an ID card"])
      expect(again.classifyDanger(text)).toEqual(fresh.classifyDanger(text));
  }, 60_000);
});
