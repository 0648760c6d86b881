/**
 * Reading a content file (a YAML file under flows/) against its zod schema, with one error that names the file and
 * every problem, so a content editor can fix them all in one go.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { z } from "zod";
import { SpeanError } from "./errors.ts";

/**
 * Reads and validates `path`; `name` is how errors name the file (e.g. "flows/safety/danger.yaml").
 * @throws {SpeanError} SPEAN_CONTENT_INVALID when the file is not YAML or does not match the schema.
 */
export function readYamlFile<T>(path: string, schema: z.ZodType<T>, name: string): T {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
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
