/**
 * Part of `npm run build` (src/cli/build.ts): stores every YAML file under flows/ as JSON, named by the SHA-256 of
 * the YAML text (see src/base/yaml-file.ts), so the built service reads JSON instead of parsing YAML at start-up.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { compiledYamlName } from "../base/yaml-file.ts";

/** Every .yaml file under `dir`, recursively. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return entry.name.endsWith(".yaml") ? [path] : [];
  });
}

/** Writes the JSON twin of every YAML file under `sourceDir` into `outDir`; returns how many. */
export function compileYaml(sourceDir: string, outDir: string): number {
  mkdirSync(outDir, { recursive: true });
  const files = yamlFiles(sourceDir);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    writeFileSync(join(outDir, compiledYamlName(text)), JSON.stringify(parse(text)));
  }
  return files.length;
}
