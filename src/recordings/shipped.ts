/**
 * Recordings shipped in the repository: flows/audio/recordings.yaml names, for an article or a key screen, an OGG/Opus
 * file in that folder with its speaker's initials and the day it was recorded. Spean uploads such a file to the
 * bot the first time a resident presses 🔊 and then sends it by the file id Telegram gave it (shipped_voice_uploads).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { contentError, readYamlFile } from "../base/yaml-file.ts";
import { isRecordingTarget, type RecordingTarget } from "./targets.ts";

const NAME = "flows/audio/recordings.yaml";

/** Larger files are refused: a spoken answer of a few minutes in Opus is well under this. */
const SHIPPED_AUDIO_MAX_BYTES = 2 * 1024 * 1024;

const recording = z.strictObject({
  /** The file, in flows/audio/ (e.g. passport.ogg). */
  file: z.string().regex(/^[a-z0-9_-]+\.ogg$/, "must be <name>.ogg, in flows/audio/"),
  speaker: z.string().trim().min(1).max(8),
  recorded: z.iso.date(),
});

const recordingsFile = z.strictObject({
  recordings: z.record(z.string(), recording).nullable().default(null),
});

export interface ShippedRecording {
  target: RecordingTarget;
  /** Absolute path of the OGG file. */
  path: string;
  /** Its name as in flows/audio/recordings.yaml, for reports. */
  name: string;
  /** SHA-256 of its bytes: the upload cache's key, so an edited file is uploaded again. */
  sha256: string;
  speaker: string;
  recorded: string;
}

/**
 * Reads flows/audio/recordings.yaml under `flowsDir` (no file: no shipped recordings) and checks every file it names.
 * @throws {SpeanError} SPEAN_CONTENT_INVALID when an entry is malformed or its file is missing, too large or not
 *   OGG/Opus.
 */
export function loadShippedRecordings(flowsDir: string): ShippedRecording[] {
  const audioDir = join(flowsDir, "audio");
  const file = join(audioDir, "recordings.yaml");
  if (!existsSync(file)) return [];
  const entries = readYamlFile(file, recordingsFile, NAME).recordings ?? {};
  const problems: string[] = [];
  const shipped: ShippedRecording[] = [];
  for (const [target, entry] of Object.entries(entries)) {
    if (!isRecordingTarget(target)) {
      problems.push(`${target}: must be article:<id>, screen:start or screen:emergency`);
      continue;
    }
    const path = join(audioDir, entry.file);
    if (!existsSync(path)) {
      problems.push(`${target}: ${entry.file} does not exist`);
      continue;
    }
    const bytes = readFileSync(path);
    if (bytes.length > SHIPPED_AUDIO_MAX_BYTES) problems.push(`${target}: ${entry.file} is larger than 2 MB`);
    else if (!isOggOpus(bytes)) problems.push(`${target}: ${entry.file} is not an OGG/Opus file`);
    else
      shipped.push({
        target,
        path,
        name: entry.file,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        speaker: entry.speaker,
        recorded: entry.recorded,
      });
  }
  if (problems.length > 0) throw contentError(NAME, problems);
  return shipped;
}

/** Whether `bytes` begin like an Ogg stream carrying Opus (what Telegram plays as a voice note). */
export function isOggOpus(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 64)).toString("latin1");
  return head.startsWith("OggS") && head.includes("OpusHead");
}
