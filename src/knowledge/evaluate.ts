/**
 * Measures the knowledge search the way a resident meets it: every typed question first passes the danger
 * classifier, which may send it to the emergency screen; then the search answers with one article or says "not
 * sure". (A question the classifier is unsure about gets "Are you safe right now?" first, and "I'm safe" answers it
 * as usual, so it is measured like any other.) Each question ends in one outcome:
 * - right: answered with its article (or one of its `also` articles);
 * - none: "not sure" (for an out-of-scope question, that is the right answer);
 * - wrong: answered with another article (for an out-of-scope question: answered at all);
 * - diverted: taken for danger (the emergency screen) and no article offered beside it.
 * A question taken for danger whose article the search is sure of gets the emergency screen with that article as a
 * button (see beside-danger.ts): it ends right or wrong like an answer, and is counted in `besideDanger` too.
 * A wrong article is the costly outcome: it tells a person the bot does not listen.
 */
import { articleBesideDanger } from "./beside-danger.ts";
import type { KnowledgeBase } from "./model.ts";
import type { DangerClassifier } from "../safety/classifier.ts";
import type { SearchIndex } from "./search.ts";
import { type EvalQuestion, OUT_OF_SCOPE, QUESTION_LANGS } from "./eval-set.ts";

export type Outcome = "right" | "none" | "wrong" | "diverted";

export interface Tally {
  questions: number;
  right: number;
  none: number;
  wrong: number;
  diverted: number;
  /** Of the right ones, those given as the article beside the emergency screen. */
  rightBesideDanger: number;
}

export interface QuestionResult {
  question: EvalQuestion;
  outcome: Outcome;
  /** The article answered with, if any. */
  got?: string;
  /** Taken for danger, with `got` offered beside the emergency screen. */
  besideDanger?: boolean;
}

export interface EvalReport {
  /** Questions an article answers. */
  inScope: Tally;
  /** Questions the knowledge base does not cover: `none` is right for them, `wrong` means answered. */
  outOfScope: Tally;
  perTopic: { topic: string; tally: Tally }[];
  /** In-scope questions only, by script. */
  perLang: { lang: string; tally: Tally }[];
  /** Every question that did not end right, for reading. */
  misses: QuestionResult[];
  /** Articles with fewer than `minPerArticle` questions in the set. */
  thinArticles: string[];
  /** Labels that are not article ids. */
  unknownLabels: string[];
}

/** Runs `questions` through the classifier and the index. `minPerArticle` defaults to 1. */
export function evaluateSearch(
  questions: readonly EvalQuestion[],
  kb: KnowledgeBase,
  index: SearchIndex,
  classify: DangerClassifier,
  minPerArticle = 1,
): EvalReport {
  const topicOf = (id: string) => (id === OUT_OF_SCOPE ? OUT_OF_SCOPE : (kb.articles.get(id)?.topic ?? "?"));
  const results = questions.map((question) => ({ question, ...answer(question, kb, index, classify) }));
  const inScope = results.filter((r) => r.question.a !== OUT_OF_SCOPE);
  const perArticle = new Map<string, number>();
  for (const r of inScope) perArticle.set(r.question.a, (perArticle.get(r.question.a) ?? 0) + 1);
  const labels = new Set(questions.flatMap((q) => [q.a, ...(q.also ?? [])]));
  return {
    inScope: tally(inScope),
    outOfScope: tally(results.filter((r) => r.question.a === OUT_OF_SCOPE)),
    perTopic: groupBy(results, (r) => topicOf(r.question.a)).map(([topic, t]) => ({ topic, tally: t })),
    perLang: QUESTION_LANGS.map((lang) => ({ lang, tally: tally(inScope.filter((r) => r.question.lang === lang)) })),
    misses: results.filter((r) => r.outcome !== (r.question.a === OUT_OF_SCOPE ? "none" : "right")),
    thinArticles: [...kb.articles.keys()].filter((id) => (perArticle.get(id) ?? 0) < minPerArticle),
    unknownLabels: [...labels].filter((id) => id !== OUT_OF_SCOPE && !kb.articles.has(id)),
  };
}

/** What the bot does with one question, as its outcome. */
function answer(
  question: EvalQuestion,
  kb: KnowledgeBase,
  index: SearchIndex,
  classify: DangerClassifier,
): Omit<QuestionResult, "question"> {
  if (classify(question.q).outcome === "danger") {
    const offered = articleBesideDanger(index, kb, question.q);
    if (offered === undefined) return { outcome: "diverted" };
    return { outcome: isRight(question, offered) ? "right" : "wrong", got: offered, besideDanger: true };
  }
  const got = answeredWith(index, question.q);
  if (got === undefined) return { outcome: "none" };
  return { outcome: isRight(question, got) ? "right" : "wrong", got };
}

function isRight(question: EvalQuestion, got: string): boolean {
  return got === question.a || (question.also?.includes(got) ?? false);
}

/** The article the search answers with, or undefined for "not sure". */
function answeredWith(index: SearchIndex, text: string): string | undefined {
  const { hits, confident } = index.search(text, 1);
  return confident ? hits[0]?.id : undefined;
}

function tally(results: readonly Omit<QuestionResult, "question">[]): Tally {
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  return {
    questions: results.length,
    right: count("right"),
    none: count("none"),
    wrong: count("wrong"),
    diverted: count("diverted"),
    rightBesideDanger: results.filter((r) => r.outcome === "right" && r.besideDanger).length,
  };
}

function groupBy<T extends Omit<QuestionResult, "question">>(
  results: readonly T[],
  key: (r: T) => string,
): [string, Tally][] {
  const groups = new Map<string, T[]>();
  for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return [...groups].map(([name, items]) => [name, tally(items)]);
}

/** A share of a tally's questions, 0..1 (0 for an empty tally). */
export function share(t: Tally, outcome: Outcome): number {
  return t.questions === 0 ? 0 : t[outcome] / t.questions;
}

/** Topics whose articles speak to danger (violence, abuse, trafficking): fitting answers to a danger message. */
const DANGER_TOPICS = new Set(["safety", "trafficking"]);

/**
 * Danger messages that the classifier lets through to the search and that the search answers with an article
 * outside the safety and trafficking topics (a child's emergency answered with the birth-certificate article): each
 * is a person in danger told something unrelated.
 */
export function dangerMisanswered(
  messages: readonly string[],
  kb: KnowledgeBase,
  index: SearchIndex,
  classify: DangerClassifier,
): { passed: number; misanswered: { text: string; got: string }[] } {
  const passed = messages.filter((text) => !["danger", "check"].includes(classify(text).outcome));
  const misanswered = passed.flatMap((text) => {
    const got = answeredWith(index, text);
    return got !== undefined && !DANGER_TOPICS.has(kb.articles.get(got)?.topic ?? "") ? [{ text, got }] : [];
  });
  return { passed: passed.length, misanswered };
}

/**
 * The articles offered beside the emergency screen to danger messages taken for danger, by article: they should
 * all speak to the danger (a beaten child: child protection), never send a person elsewhere.
 */
export function dangerOffers(
  messages: readonly string[],
  kb: KnowledgeBase,
  index: SearchIndex,
  classify: DangerClassifier,
): { screened: number; offered: Map<string, string[]> } {
  const screened = messages.filter((text) => classify(text).outcome === "danger");
  const offered = new Map<string, string[]>();
  for (const text of screened) {
    const id = articleBesideDanger(index, kb, text);
    if (id !== undefined) offered.set(id, [...(offered.get(id) ?? []), text]);
  }
  return { screened: screened.length, offered };
}
