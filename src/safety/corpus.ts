/**
 * The labelled danger corpus (test/fixtures/danger-corpus/): messages written as residents type them, each with an
 * English gloss, a label (danger, safe, or a request for a number), a kind and a style. Split once into train, dev
 * and test by a hash of the text; the model is trained on train only, thresholds are tuned on dev, and the test
 * split is read only by the evaluation.
 */
import { join } from "node:path";
import { z } from "zod";
import { readYamlFile } from "../base/yaml-file.ts";
import { type Split, splitOf as hashSplit, SPLITS } from "../base/split.ts";
import { DANGER_KINDS } from "./rules.ts";

export { SPLITS, type Split };

export const SAFE_FAMILIES = [
  "idiom",
  "please_help",
  "pregnancy",
  "seized_thing",
  "news_other",
  "cooking_work",
  "games_media",
  "chitchat",
  "outreach",
  "topic_question",
  "ordinary",
  "negated",
  "past_over",
] as const;
export const NUMBER_KINDS = ["police", "ambulance", "child_line", "hotline", "trafficking_line"] as const;
export const STYLES = [
  "polite",
  "blunt",
  "short",
  "misspelled",
  "nospace",
  "zwsp",
  "khmer_digits",
  "romanised",
  "mixed",
  "english",
  "indirect",
  "long",
] as const;

const base = { text: z.string().min(1), gloss: z.string().min(1), style: z.enum(STYLES) };
export const corpusEntry = z.discriminatedUnion("label", [
  z.strictObject({ ...base, label: z.literal("danger"), kind: z.enum(DANGER_KINDS) }),
  z.strictObject({ ...base, label: z.literal("safe"), kind: z.enum(SAFE_FAMILIES) }),
  z.strictObject({ ...base, label: z.literal("numbers"), kind: z.enum(NUMBER_KINDS) }),
]);
export type CorpusEntry = z.infer<typeof corpusEntry>;

/** Where the corpus lives under the repository root. */
export const CORPUS_DIR = join("test", "fixtures", "danger-corpus");

/** Reads one split. @throws {SpeanError} SPEAN_CONTENT_INVALID naming the entry and problem. */
export function readSplit(root: string, split: Split): CorpusEntry[] {
  const name = `${CORPUS_DIR}/${split}.yaml`;
  return readYamlFile(join(root, name), z.array(corpusEntry), name);
}

/** Which split a message belongs to: 60 % train, 20 % dev, 20 % test, by the first byte of its SHA-256. */
export function splitOf(text: string): Split {
  return hashSplit(text, 6, 2);
}
