/**
 * Danger phrases: a message that says the writer (or someone with them) is being hurt or is in danger is never
 * answered with an article; it goes to the emergency screen. The phrase lists live in flows/safety/danger.yaml and
 * are matched on normalised text, so spacing, invisible characters and spelling variants do not hide them.
 */
import { join } from "node:path";
import { z } from "zod";
import { readYamlFile } from "../content/yaml-file.ts";
import { normalizeText, tokenize } from "../khmer/normalize.ts";

const dangerFile = z.strictObject({ km: z.array(z.string().min(1)).min(1), en: z.array(z.string().min(1)).min(1) });

export type DangerDetector = (text: string) => boolean;

/** Reads flows/safety/danger.yaml under `flowsDir`. @throws {SpeanError} SPEAN_CONTENT_INVALID when malformed. */
export function loadDangerPhrases(flowsDir: string): { km: string[]; en: string[] } {
  return readYamlFile(join(flowsDir, "safety", "danger.yaml"), dangerFile, "flows/safety/danger.yaml");
}

/**
 * Creates the detector. Khmer phrases match anywhere in the text once spaces are removed (Khmer is typed without
 * them, and a phrase may span the segmenter's word breaks); English phrases match whole words in order, so that
 * "kill" does not match "skills".
 */
export function createDangerDetector(phrases: { km: string[]; en: string[] }): DangerDetector {
  const khmer = phrases.km.map(compact).filter((p) => p.length > 0);
  const latin = phrases.en.map((p) => tokenize(p)).filter((t) => t.length > 0);
  return (text) => {
    const sample = text.slice(0, 4000);
    const flat = compact(sample);
    if (khmer.some((p) => flat.includes(p))) return true;
    const words = tokenize(sample);
    return latin.some((phrase) => words.some((_, i) => phrase.every((w, k) => words[i + k] === w)));
  };
}

function compact(text: string): string {
  return normalizeText(text).replace(/[\s\p{P}\p{S}]+/gu, "");
}
