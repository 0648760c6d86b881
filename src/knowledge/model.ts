/**
 * The knowledge base as files: flows/knowledge/articles.yaml holds topics and articles (keywords, related
 * articles, sources, review date); their words live in locales/<lang>/articles.json and knowledge.json.
 * flows/knowledge/synonyms.yaml holds groups of words that mean the same for search (spellings, English and
 * romanised words). flows/knowledge/romanised.yaml holds Khmer words as they are written in Latin letters;
 * flows/knowledge/examples.yaml holds questions as residents ask them, by the article that answers them.
 */
import { join } from "node:path";
import { z } from "zod";
import { contentError, readYamlFile } from "../base/yaml-file.ts";
import { createRomanisedReader, type RomanisedWords } from "../khmer/romanised.ts";

const id = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,19}$/, "must be 1-20 characters of a-z, 0-9 and _, starting with a letter");

const source = z.strictObject({
  url: z.url(),
  year: z.number().int().min(1990).max(2100),
  /** What the source supports, for reviewers. */
  note: z.string().optional(),
});

const article = z.strictObject({
  keywords: z.strictObject({ km: z.array(z.string().min(1)).min(1), en: z.array(z.string().min(1)).min(1) }),
  related: z.array(id).default([]),
  sources: z.array(source).min(1, "needs at least one source"),
  /** When a person last checked the article against its sources (YYYY-MM-DD). */
  reviewed: z.iso.date(),
  /** Sensitive subject (violence, abuse): its screens are sent discreetly (no forwarding, no notification sound). */
  sensitive: z.boolean().default(false),
  /**
   * About a danger (violence, a child at risk, trafficking, despair): offered under the emergency numbers when a
   * message taken for danger asks about it and the search is sure.
   */
  beside_danger: z.boolean().default(false),
});

const topic = z.strictObject({ id, articles: z.array(id).min(1) });

export const knowledgeFile = z.strictObject({
  /** Where "Talk to a counsellor" leads ("flow.node"). */
  counsellor: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/),
  topics: z.array(topic).min(1),
  articles: z.record(id, article),
});

export const synonymsFile = z.strictObject({
  /** Each group: words and phrases that mean the same; the first is the group's name. */
  groups: z.array(z.array(z.string().min(1)).min(2)),
  /** Words too common in questions to tell articles apart ("I", "want", "how", "where"). */
  stopwords: z.array(z.string().min(1)),
});

const romanisedFile = z.strictObject({
  /** Romanised spellings by the Khmer word they stand for. */
  words: z.record(z.string().regex(/^[\u1780-\u17ff.]+$/, "must be a Khmer word"), z.array(z.string().min(1)).min(1)),
});

const examplesFile = z.strictObject({
  /** Questions as residents ask them, by the article that answers them. */
  examples: z.record(id, z.array(z.string().min(1)).min(1)),
  /** Questions no article answers: the search learns to say "not sure" to questions like these. */
  out_of_scope: z.array(z.string().min(1)),
});

export type KnowledgeFile = z.infer<typeof knowledgeFile>;
export type Article = z.infer<typeof article> & { id: string; topic: string };

export interface KnowledgeBase {
  counsellor: string;
  topics: { id: string; articles: string[] }[];
  articles: Map<string, Article>;
  synonyms: string[][];
  stopwords: string[];
  /** Romanised spellings by Khmer word (flows/knowledge/romanised.yaml). */
  romanised: RomanisedWords;
  /** Example questions by article (flows/knowledge/examples.yaml). */
  examples: Record<string, string[]>;
  /** Example questions no article answers (the same file). */
  outOfScope: string[];
  /**
   * The evaluation's dev questions (flows/knowledge/examples-dev.yaml, written by `npm run eval:split`): the shipped
   * search learns from them too, and `npm run eval:search -- --split dev` leaves them out.
   */
  dev: { examples: Record<string, string[]>; outOfScope: string[] };
}

/**
 * Reads flows/knowledge/*.yaml under `flowsDir`.
 * @throws {SpeanError} SPEAN_CONTENT_INVALID naming the file and every problem.
 */
export function loadKnowledge(flowsDir: string): KnowledgeBase {
  const file = readYamlFile(
    join(flowsDir, "knowledge", "articles.yaml"),
    knowledgeFile,
    "flows/knowledge/articles.yaml",
  );
  const synonyms = readYamlFile(
    join(flowsDir, "knowledge", "synonyms.yaml"),
    synonymsFile,
    "flows/knowledge/synonyms.yaml",
  );
  const romanised = readYamlFile(
    join(flowsDir, "knowledge", "romanised.yaml"),
    romanisedFile,
    "flows/knowledge/romanised.yaml",
  ).words;
  try {
    createRomanisedReader(romanised, new Set(), (word) => [word]);
  } catch (err) {
    throw contentError("flows/knowledge/romanised.yaml", [(err as Error).message]);
  }
  const { examples, out_of_scope: outOfScope } = readYamlFile(
    join(flowsDir, "knowledge", "examples.yaml"),
    examplesFile,
    "flows/knowledge/examples.yaml",
  );
  const dev = readYamlFile(
    join(flowsDir, "knowledge", "examples-dev.yaml"),
    examplesFile,
    "flows/knowledge/examples-dev.yaml",
  );
  const articles = new Map<string, Article>();
  const problems: string[] = [];
  for (const t of file.topics) {
    for (const articleId of t.articles) {
      const found = file.articles[articleId];
      if (!found) problems.push(`topic "${t.id}" lists article "${articleId}", which does not exist`);
      else if (articles.has(articleId)) problems.push(`article "${articleId}" is in more than one topic`);
      else articles.set(articleId, { ...found, id: articleId, topic: t.id });
    }
  }
  for (const articleId of Object.keys(file.articles)) {
    if (!articles.has(articleId)) problems.push(`article "${articleId}" is in no topic`);
  }
  for (const a of articles.values()) {
    for (const related of a.related)
      if (!file.articles[related]) problems.push(`article "${a.id}": related article "${related}" does not exist`);
  }
  if (problems.length > 0) throw contentError("flows/knowledge/articles.yaml", problems);
  for (const [name, file] of [
    ["examples.yaml", examples],
    ["examples-dev.yaml", dev.examples],
  ] as const) {
    const strays = Object.keys(file).filter((articleId) => !articles.has(articleId));
    if (strays.length > 0)
      throw contentError(
        `flows/knowledge/${name}`,
        strays.map((articleId) => `examples for "${articleId}", which is not an article`),
      );
  }
  return {
    counsellor: file.counsellor,
    topics: file.topics,
    articles,
    synonyms: synonyms.groups,
    stopwords: synonyms.stopwords,
    romanised,
    examples,
    outOfScope,
    dev: { examples: dev.examples, outOfScope: dev.out_of_scope },
  };
}
