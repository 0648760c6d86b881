/**
 * Content files read from the build's JSON (src/base/yaml-file.ts, src/cli/compile-yaml.ts): used only when it was
 * made from exactly the YAML text on disk, so an edited file is never read stale.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compiledYamlName, parseYamlFile, useCompiledYaml } from "../../src/base/yaml-file.ts";
import { compileYaml } from "../../src/cli/compile-yaml.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "spean-yaml-"));
});
afterEach(() => {
  useCompiledYaml(undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("compiled content files", () => {
  it("reads the JSON twin of a YAML file, and parses the YAML again once the file changed", () => {
    const file = join(dir, "data.yaml");
    writeFileSync(file, "number: 117\n");
    expect(compileYaml(dir, join(dir, "compiled"))).toBe(1);
    // Prove the twin is what is read: it says something the YAML does not.
    writeFileSync(join(dir, "compiled", compiledYamlName("number: 117\n")), JSON.stringify({ number: "from json" }));
    useCompiledYaml(join(dir, "compiled"));
    expect(parseYamlFile(file)).toEqual({ number: "from json" });
    writeFileSync(file, "number: 119\n");
    expect(parseYamlFile(file)).toEqual({ number: 119 });
  });

  it("parses YAML when no compiled folder is in use", () => {
    const file = join(dir, "data.yaml");
    writeFileSync(file, "- ក\n- ខ\n");
    expect(parseYamlFile(file)).toEqual(["ក", "ខ"]);
  });
});
