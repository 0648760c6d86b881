/**
 * Reading a content file (a YAML file under flows/, or the danger model's JSON) against its zod schema, with one
 * error that names the file and every problem, so a content editor can fix them all in one go.
 *
 * Parsing and validating content were about a third of a start-up (YAML about half a second for flows/, zod about
 * 0.15 s). So when a store of kept files is in use (base/kept-files.ts: the built service reads dist/models/, written
 * by `npm run build`; a run from source keeps its own cache folder), data that passed its schema is kept there as
 * JSON under the SHA-256 of the file's name and text, and read back at the next start instead of being parsed and
 * validated again. Keyed by the text, a kept file is never used for edited content; and a store's folder belongs to
 * one build of the code, so it is never used with a changed schema either. Tests that load content in-process keep
 * nothing and validate every time.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { keptFiles } from "./kept-files.ts";
import { SpeanError } from "./errors.ts";

/**
 * The data in the file at `path` checked against `schema` (zod's safeParse result). `name` is how errors name the
 * file, and part of the kept copy's key; `parse` turns the text into data (default: YAML).
 * @throws the parser's error when the text is not YAML (or what `parse` reads).
 */
export function readCheckedFile<T>(
  path: string,
  schema: z.ZodType<T>,
  name: string,
  parse: (text: string) => unknown = parseYaml,
): z.ZodSafeParseResult<T> {
  const bytes = readFileSync(path);
  const store = keptFiles();
  // Hashed as bytes: turning Khmer text into a string and back for the hash cost about 40 ms of a start.
  const keptName = store && `content-${createHash("sha256").update(`${name}\n`).update(bytes).digest("hex")}.json`;
  const kept = keptName ? store.read(keptName) : undefined;
  if (kept) {
    try {
      return { success: true, data: JSON.parse(kept.toString("utf8")) as T };
    } catch {
      // a damaged kept file costs a validation, never the service
    }
  }
  const parsed = schema.safeParse(parse(bytes.toString("utf8")));
  if (parsed.success && keptName && store.write && isPlainData(parsed.data))
    store.write(keptName, Buffer.from(JSON.stringify(parsed.data)));
  return parsed;
}

/**
 * Reads and validates the YAML file at `path`; `name` is how errors name it (e.g. "flows/safety/danger.yaml").
 * @throws {SpeanError} SPEAN_CONTENT_INVALID when the file is not YAML or does not match the schema.
 */
export function readYamlFile<T>(path: string, schema: z.ZodType<T>, name: string): T {
  let parsed: z.ZodSafeParseResult<T>;
  try {
    parsed = readCheckedFile(path, schema, name);
  } catch (err) {
    throw contentError(name, [`not readable YAML (${(err as Error).message.split("\n")[0]})`]);
  }
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

/**
 * Whether `value` reads back from JSON exactly as it is: plain objects and arrays of strings, finite numbers,
 * booleans and null. A schema that makes a Map, a Date or an undefined field is validated at every start instead.
 */
export function isPlainData(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) if (!isPlainData((value as Record<string, unknown>)[key])) return false;
  return true;
}
