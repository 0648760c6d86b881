/**
 * Reading a content file (a YAML file under flows/) against its zod schema, with one error that names the file and
 * every problem, so a content editor can fix them all in one go.
 *
 * Parsing YAML is the slowest part of start-up (about half a second for flows/). The production build therefore
 * stores every content file as JSON under the SHA-256 of its text (`npm run build`, src/cli/compile-yaml.ts), and
 * the built service reads that instead (useCompiledYaml). Keyed by the text's hash, a compiled file can never be
 * stale: an edited YAML file simply has no compiled twin and is parsed as YAML.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { z } from "zod";
import { SpeanError } from "./errors.ts";

let compiledDir: string | undefined;

/** From now on, YAML text whose compiled twin is in `dir` is read from there (the production build's start). */
export function useCompiledYaml(dir: string | undefined): void {
  compiledDir = dir;
}

/** Where the compiled twin of this YAML text is kept inside a compiled directory. */
export function compiledYamlName(text: string): string {
  return `${createHash("sha256").update(text).digest("hex")}.json`;
}

/**
 * The data in the YAML file at `path`, from its compiled twin when there is one.
 * @throws the YAML parser's error when the file is not YAML.
 */
export function parseYamlFile(path: string): unknown {
  const text = readFileSync(path, "utf8");
  if (compiledDir) {
    const twin = join(compiledDir, compiledYamlName(text));
    if (existsSync(twin)) return JSON.parse(readFileSync(twin, "utf8"));
  }
  return parse(text);
}

/**
 * Reads and validates `path`; `name` is how errors name the file (e.g. "flows/safety/danger.yaml").
 * @throws {SpeanError} SPEAN_CONTENT_INVALID when the file is not YAML or does not match the schema.
 */
export function readYamlFile<T>(path: string, schema: z.ZodType<T>, name: string): T {
  let raw: unknown;
  try {
    raw = parseYamlFile(path);
  } catch (err) {
    throw contentError(name, [`not readable YAML (${(err as Error).message.split("\n")[0]})`]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw contentError(
      name,
      parsed.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`),
    );
  return parsed.data;
}

/** The error for problems found in one content file. */
export function contentError(name: string, problems: string[]): SpeanError {
  return new SpeanError("SPEAN_CONTENT_INVALID", `${name}:\n${problems.map((p) => `  - ${p}`).join("\n")}`, {
    problems,
  });
}
