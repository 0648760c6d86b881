/**
 * What `npm run content:check` says about recordings: how many pages residents can listen to, and which articles
 * still have none (shipped files, plus what staff recorded in the database the service would open, if it exists).
 */
import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import type { ShippedRecording } from "./shipped.ts";
import { allTargets } from "./targets.ts";

/** Lines for the report: a count, and the articles without a recording. */
export function recordingsReport(
  articleIds: Iterable<string>,
  shipped: readonly ShippedRecording[],
  recordedByStaff: ReadonlySet<string>,
): string[] {
  const targets = allTargets(articleIds);
  const has = (t: string) => recordedByStaff.has(t) || shipped.some((s) => s.target === t);
  const missing = targets.filter((t) => !has(t)).map((t) => t.replace(/^(article|screen):/, ""));
  const lines = [
    `recordings: ${targets.length - missing.length} of ${targets.length} pages can be listened to ` +
      `(${shipped.length} shipped in flows/audio/, ${recordedByStaff.size} recorded by staff)`,
  ];
  if (missing.length > 0) lines.push(`recordings: no recording yet for ${missing.join(", ")}`);
  return lines;
}

/**
 * The targets staff recorded for `botKey` in the SQLite file at `path`, read-only; empty when there is no such
 * file or it predates recordings.
 */
export function staffRecordedTargets(path: string, botKey: string): Set<string> {
  if (path === ":memory:" || !existsSync(path)) return new Set();
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("select name from sqlite_master where type = 'table' and name = 'voice_recordings'").get();
    if (!table) return new Set();
    const rows = db.prepare("select target from voice_recordings where bot_key = ?").all(botKey) as {
      target: string;
    }[];
    return new Set(rows.map((r) => r.target));
  } finally {
    db.close();
  }
}
