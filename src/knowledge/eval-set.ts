/**
 * The labelled questions the knowledge search is measured on (test/fixtures/search-eval/): each question as a
 * resident typed it, the article that answers it (or `none` when the knowledge base does not cover it), and its
 * script. Split once into train, dev and test by a hash of the text (50/20/30); the search's words and confidence
 * rule are tuned on train and dev only, and the test split is read only by the evaluation.
 */
import { join } from "node:path";
import { z } from "zod";
import { readYamlFile } from "../base/yaml-file.ts";
import { type Split, splitOf } from "../base/split.ts";
import type { SearchDocument } from "./search.ts";

/** Khmer script, English, Khmer in Latin letters, or Khmer with English or romanised words in it. */
export const QUESTION_LANGS = ["km", "en", "roman", "mixed"] as const;
export type QuestionLang = (typeof QUESTION_LANGS)[number];

/** The label of a question the knowledge base does not cover: the right answer is "not sure". */
export const OUT_OF_SCOPE = "none";

export const evalQuestion = z.strictObject({
  q: z.string().min(1),
  /** The article that answers it, or {@link OUT_OF_SCOPE}. */
  a: z.string().min(1),
  /** Other articles that answer it as well. */
  also: z.array(z.string().min(1)).optional(),
  lang: z.enum(QUESTION_LANGS),
  /** Who wrote it (a writer's tag), for reading the results per writer. */
  by: z.string().optional(),
});
export type EvalQuestion = z.infer<typeof evalQuestion>;

const splitFile = z.strictObject({ questions: z.array(evalQuestion) });

/** Where the set lives under the repository root. */
export const SEARCH_EVAL_DIR = join("test", "fixtures", "search-eval");

/** Which split a question belongs to: 50 % train, 20 % dev, 30 % test, by a hash of its text. */
export function searchSplitOf(text: string): Split {
  return splitOf(text, 5, 2, "search:");
}

/** Reads one split. @throws {SpeanError} SPEAN_CONTENT_INVALID naming the entry and problem. */
export function readSearchSplit(root: string, split: Split): EvalQuestion[] {
  const name = `${SEARCH_EVAL_DIR}/${split}.yaml`;
  return readYamlFile(join(root, name), splitFile, name).questions;
}

/**
 * The articles with only the example questions of examples.yaml (train and staff), without the dev split's
 * (examples-dev.yaml), which the shipped search learns from: for asking dev questions of an index that has not seen
 * them.
 */
export function withoutDevExamples(
  documents: readonly SearchDocument[],
  examples: Readonly<Record<string, readonly string[]>>,
): SearchDocument[] {
  return documents.map((d) => ({ ...d, examples: [...(examples[d.id] ?? [])] }));
}
