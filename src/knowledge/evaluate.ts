/**
 * Evaluates the search on a labelled set of questions (test/fixtures/search-eval.yaml): top-1 and top-3 accuracy
 * overall and per topic, the confusions, and the safety rules (danger messages go to the emergency screen;
 * violence questions are never answered with an article from another topic; off-topic questions are not answered
 * with confidence).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import type { KnowledgeBase } from "./model.ts";
import type { DangerClassifier } from "../safety/classifier.ts";
import type { SearchIndex } from "./search.ts";

const byArticle = z.record(z.string(), z.array(z.string().min(1)).min(1));
const perLanguage = z.strictObject({ km: z.array(z.string().min(1)), en: z.array(z.string().min(1)) });
export const evalFile = z.strictObject({ km: byArticle, en: byArticle, danger: perLanguage, none: perLanguage });
export type EvalSet = z.infer<typeof evalFile>;

/** Reads and validates an evaluation file. */
export function readEvalSet(path: string): EvalSet {
  return evalFile.parse(parse(readFileSync(path, "utf8")));
}

export interface Confusion {
  question: string;
  expected: string;
  got: string;
}

export interface EvalReport {
  total: number;
  counts: { km: number; en: number };
  top1: number;
  top3: number;
  perTopic: { topic: string; questions: number; top1: number; top3: number }[];
  confusions: Confusion[];
  /** Articles with no question in the set. */
  uncovered: string[];
  /** Danger messages that did not go to the emergency screen. */
  missedDanger: string[];
  /** Ordinary questions the danger detector took for danger. */
  falseDanger: string[];
  /** Violence questions answered with an article from another topic. */
  violenceMisrouted: Confusion[];
  /** Off-topic questions answered with confidence. */
  offTopicAnswered: Confusion[];
}

/** The topic whose articles are about violence and safety: its questions must never get another topic's article. */
const VIOLENCE_TOPIC = "safety";

/** Runs every question of `set` through the detector and the index. */
export function evaluateSearch(
  set: EvalSet,
  kb: KnowledgeBase,
  index: SearchIndex,
  classify: DangerClassifier,
): EvalReport {
  // A question goes to the emergency screen only on "danger"; a danger message is caught by danger or the check-in.
  const isDanger = (text: string) => classify(text).outcome === "danger";
  const intercepted = (text: string) => ["danger", "check"].includes(classify(text).outcome);
  const topicOf = (id: string) => kb.articles.get(id)?.topic ?? "?";
  const labelled = (["km", "en"] as const).flatMap((language) =>
    Object.entries(set[language]).flatMap(([expected, questions]) =>
      questions.map((question) => ({ question, expected, language })),
    ),
  );
  const topics = new Map<string, { questions: number; top1: number; top3: number }>();
  const confusions: Confusion[] = [];
  const violenceMisrouted: Confusion[] = [];
  const falseDanger: string[] = [];
  let top1 = 0;
  let top3 = 0;
  for (const { question, expected } of labelled) {
    const stats = topics.get(topicOf(expected)) ?? { questions: 0, top1: 0, top3: 0 };
    topics.set(topicOf(expected), stats);
    stats.questions += 1;
    if (isDanger(question)) falseDanger.push(question);
    const { hits, confident } = index.search(question, 3);
    const answered = confident ? hits : [];
    if (answered[0]?.id === expected) {
      top1 += 1;
      stats.top1 += 1;
    } else {
      confusions.push({ question, expected, got: answered[0]?.id ?? "(not confident)" });
    }
    if (answered.some((h) => h.id === expected)) {
      top3 += 1;
      stats.top3 += 1;
    }
    const first = answered[0];
    if (topicOf(expected) === VIOLENCE_TOPIC && first && topicOf(first.id) !== VIOLENCE_TOPIC)
      violenceMisrouted.push({ question, expected, got: first.id });
  }
  const offTopicAnswered = [...set.none.km, ...set.none.en].flatMap((question) => {
    const { hits, confident } = index.search(question, 1);
    return confident && !intercepted(question) ? [{ question, expected: "(none)", got: hits[0]?.id ?? "" }] : [];
  });
  const covered = new Set(labelled.map((l) => l.expected));
  return {
    total: labelled.length,
    counts: {
      km: labelled.filter((l) => l.language === "km").length,
      en: labelled.filter((l) => l.language === "en").length,
    },
    top1: top1 / Math.max(1, labelled.length),
    top3: top3 / Math.max(1, labelled.length),
    perTopic: [...topics].map(([topic, s]) => ({
      topic,
      questions: s.questions,
      top1: s.top1 / s.questions,
      top3: s.top3 / s.questions,
    })),
    confusions,
    uncovered: [...kb.articles.keys()].filter((id) => !covered.has(id)),
    missedDanger: [...set.danger.km, ...set.danger.en].filter((q) => !intercepted(q)),
    falseDanger,
    violenceMisrouted,
    offTopicAnswered,
  };
}
