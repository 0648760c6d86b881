/**
 * The knowledge feature: the kb_article choice provider (buttons under an article page), the kb_feedback action
 * (👍 / 👎), the answer to typed questions, /questions for staff, and retention of the questions' text. Runs inside
 * the turn's transaction, so recording a question or a vote is part of handling the update.
 */
import {
  type Action,
  type ChoiceProvider,
  DANGER_OFFER_VAR,
  type DynamicChoice,
  type FreeTextContext,
  type FreeTextResult,
  type Vars,
} from "../engine/actions.ts";
import type { Locale } from "../base/locale.ts";
import type { TextRef } from "../base/reply.ts";
import type { Feature } from "../features/contract.ts";
import { localDigits } from "../khmer/digits.ts";
import type { SafetyStore } from "../safety/store.ts";
import { articleBesideDanger } from "./beside-danger.ts";
import { questionsReport } from "./report.ts";
import { articlePage, KB_SUGGEST, KB_TOPICS, parseArticlePage } from "./flow.ts";
import type { KnowledgeBase } from "./model.ts";
import type { LiveSearchIndex } from "./live-index.ts";
import type { KnowledgeStore } from "./store.ts";
import type { StaffStore } from "../staff/store.ts";
import { createWordingsDesk } from "./wordings.ts";
import type { WordingsStore } from "./wordings-store.ts";
import { CALLBACK_PREFIXES } from "../engine/callback-data.ts";

export interface KnowledgeFeatureOptions {
  /** The one-line safety net (117 / 119) under "not sure" and under an answer to a typed question. */
  safetyNet?: TextRef;
  kb: KnowledgeBase;
  index: LiveSearchIndex;
  store: KnowledgeStore;
  /** Wordings staff teach the search (/teach, /wordings, /unteach). */
  wordings: WordingsStore;
  staff: StaffStore;
  /** Whether the danger classifier takes text for danger (such words are never taught to an article). */
  isDanger: (text: string) => boolean;
  pagesOf: (articleId: string) => number;
  /** Check-in counts shown in /questions beside the unanswered questions. */
  safetyStore: SafetyStore;
  /** The language and time zone of staff-facing reports. */
  staffLocale: Locale;
  timeZone: string;
}

/** How many related articles an article's last page offers. */
const MAX_RELATED = 2;
/** An alternative answer is offered only if it scores at least this share of the best answer. */
const ALTERNATIVE_MIN_SHARE = 0.35;
/**
 * When the search is not sure, up to two of its best articles are offered as guesses above the topics if the
 * question model gives each at least this probability. On the dev split (December 2026), the guesses held the right
 * article for 70 % of the in-scope questions it was not sure about, and were shown for a quarter of the out-of-scope
 * ones (at 0.2: 59 % and a fifth).
 */
const GUESS_MIN_PROBABILITY = 0.1;
const MAX_GUESSES = 2;
/**
 * Guesses are the most probable (to the question model) of the index's best few articles: the index alone may rank
 * second the article the model finds likelier ("ថ្លៃទឹកភ្លើង", the water-and-power bill). With 6, on the dev split
 * the guesses hold the right article for 70 % of the questions the search is not sure about (69 % with the top 3).
 */
const GUESS_POOL = 6;
/** An answer is shown with at most this many of the index's next articles as alternatives. */
const ALTERNATIVE_POOL = 3;

/** Words the feature shows outside the flow files (content check makes sure both languages have them). */
export const KNOWLEDGE_TEXT_KEYS = [
  "knowledge.next_page",
  "knowledge.other_answer",
  "knowledge.beside_danger",
  "knowledge.related",
  "knowledge.vote_up",
  "knowledge.vote_down",
  "knowledge.talk_to_counsellor",
  "knowledge.found",
  "knowledge.not_sure",
  "knowledge.report_teach_hint",
  "knowledge.teach_usage",
  "knowledge.teach_unknown_article",
  "knowledge.teach_too_long",
  "knowledge.teach_number",
  "knowledge.teach_no_words",
  "knowledge.teach_danger",
  "knowledge.teach_resident_text",
  "knowledge.teach_duplicate",
  "knowledge.teach_proposed",
  "knowledge.teach_approve",
  "knowledge.teach_reject",
  "knowledge.teach_approved",
  "knowledge.teach_rejected",
  "knowledge.teach_approved_short",
  "knowledge.teach_rejected_short",
  "knowledge.teach_not_allowed",
  "knowledge.teach_own",
  "knowledge.teach_reviewed_already",
  "knowledge.wordings_title",
  "knowledge.wordings_line",
  "knowledge.wordings_pending",
  "knowledge.wordings_approved",
  "knowledge.wordings_empty",
  "knowledge.unteach_usage",
  "knowledge.unteach_missing",
  "knowledge.unteach_done",
] as const;

/** Variables the feature keeps in the conversation: the question being answered and its answers. */
const CLEARED: Vars = { kb_question: "", kb_best: "", kb_others: "" };

export function createKnowledgeFeature(options: KnowledgeFeatureOptions): Feature {
  const { kb, index, store, pagesOf } = options;
  const teaching = createWordingsDesk({
    kb,
    index,
    wordings: options.wordings,
    questions: store,
    staff: options.staff,
    isDanger: options.isDanger,
  });
  const net = options.safetyNet ? [options.safetyNet] : [];

  const articleChoices: ChoiceProvider = ({ node, vars }) => {
    const at = parseArticlePage(node);
    const article = at && kb.articles.get(at.articleId);
    if (!at || !article) return [];
    const pages = pagesOf(article.id);
    const choices: DynamicChoice[] = [];
    if (at.page < pages)
      choices.push({ id: "next", label: { key: "knowledge.next_page" }, next: articlePage(article.id, at.page + 1) });
    const others =
      vars.kb_best === article.id
        ? String(vars.kb_others ?? "")
            .split(",")
            .filter((id) => kb.articles.has(id))
        : [];
    if (at.page === 1) {
      others.forEach((id, i) =>
        choices.push({ id: `other${i + 1}`, label: titled("knowledge.other_answer", id), next: articlePage(id, 1) }),
      );
    }
    if (at.page === pages) {
      for (const vote of ["up", "down"] as const) {
        choices.push({
          id: vote,
          label: { key: `knowledge.vote_${vote}` },
          next: `kb.thanks_${vote}`,
          action: "kb_feedback",
          params: { article: article.id, vote },
          group: "vote",
        });
      }
      article.related
        .filter((id) => !others.includes(id))
        .slice(0, MAX_RELATED)
        .forEach((id, i) =>
          choices.push({ id: `related${i + 1}`, label: titled("knowledge.related", id), next: articlePage(id, 1) }),
        );
      choices.push({ id: "counsellor", label: { key: "knowledge.talk_to_counsellor" }, next: kb.counsellor });
    }
    return choices;
  };

  /** The guesses (from the not-sure answer), then every topic, then the counsellor. */
  const suggestChoices: ChoiceProvider = ({ vars }) => [
    ...String(vars.kb_others ?? "")
      .split(",")
      .filter((id) => kb.articles.has(id))
      .map((id, i) => ({ id: `guess${i + 1}`, label: titled("knowledge.other_answer", id), next: articlePage(id, 1) })),
    ...kb.topics.map((t) => ({ id: t.id, label: { key: `knowledge.topics.${t.id}` }, next: `kb.topic_${t.id}` })),
    { id: "counsellor", label: { key: "knowledge.talk_to_counsellor" }, next: kb.counsellor },
  ];

  /** On the emergency screen: the article the danger message asked about, if the search was sure of one. */
  const besideDangerChoices: ChoiceProvider = ({ vars }) => {
    const id = String(vars[DANGER_OFFER_VAR] ?? "");
    if (!kb.articles.has(id)) return [];
    return [{ id: "article", label: titled("knowledge.beside_danger", id), next: articlePage(id, 1) }];
  };

  const feedback: Action = async ({ chatId, vars, params }) => {
    const articleId = String(params.article);
    const vote = params.vote === "up" ? "up" : "down";
    const answered = vars.kb_best === articleId && vars.kb_question ? Number(vars.kb_question) : undefined;
    await store.recordFeedback(chatId, articleId, vote, answered);
    return answered !== undefined ? { vars: CLEARED } : {};
  };

  async function answer(ctx: FreeTextContext): Promise<FreeTextResult | undefined> {
    if (index.termsOf(ctx.text).length === 0) return undefined; // "ok", "thanks", emoji: nothing to search for
    const { hits, confident } = index.search(ctx.text, GUESS_POOL);
    const best = confident ? hits[0] : undefined;
    const questionId = await store.recordQuestion({
      chatId: ctx.chatId,
      text: ctx.text,
      locale: ctx.locale,
      answeredWith: best?.id,
      score: hits[0]?.score ?? 0,
    });
    if (!best) {
      const guesses = hits
        .filter((h) => h.probability >= GUESS_MIN_PROBABILITY)
        .sort((a, b) => b.probability - a.probability)
        .slice(0, MAX_GUESSES);
      return {
        target: guesses.length > 0 ? KB_SUGGEST : KB_TOPICS,
        replies: [{ text: [{ key: "knowledge.not_sure" }, ...net] }],
        vars: { ...CLEARED, kb_others: guesses.map((h) => h.id).join(",") },
      };
    }
    const others = hits.slice(1, ALTERNATIVE_POOL).filter((h) => h.score >= best.score * ALTERNATIVE_MIN_SHARE);
    return {
      target: articlePage(best.id, 1),
      replies: [{ text: [{ key: "knowledge.found" }, ...net] }],
      vars: { kb_question: questionId, kb_best: best.id, kb_others: others.map((h) => h.id).join(",") },
    };
  }

  return {
    name: "knowledge",
    textKeys: KNOWLEDGE_TEXT_KEYS,
    flow: {
      actions: new Map([["kb_feedback", feedback]]),
      choices: new Map([
        ["kb_article", articleChoices],
        ["kb_suggest", suggestChoices],
        ["kb_beside_danger", besideDangerChoices],
      ]),
      freeText: answer,
      // Not recorded as a question: a disclosure of danger never goes into the /questions report.
      besideDanger: ({ text }) => articleBesideDanger(index, kb, text),
      // The guesses screen is reached from a typed question, not from a button.
      entries: [KB_SUGGEST],
    },
    commands: [
      {
        name: "questions",
        where: "staff-chat",
        permission: "see_reports",
        run: () =>
          questionsReport(store, {
            locale: options.staffLocale,
            timeZone: options.timeZone,
            safety: options.safetyStore,
          }),
      },
      { name: "teach", where: "staff-chat", permission: "teach_search", run: teaching.teach },
      { name: "wordings", where: "staff-chat", permission: "see_reports", run: teaching.list },
      { name: "unteach", where: "staff-chat", permission: "review_wording", run: teaching.unteach },
    ],
    buttons: [{ prefix: CALLBACK_PREFIXES.wording, press: teaching.press }],
    purge: async (days) => ({ questionTextsErased: await store.purge(days) }),
    describeData: async (chatId, locale) => {
      const count = await store.countFor(chatId);
      return count > 0 ? [{ key: "privacy.questions", params: { count: localDigits(locale, count) } }] : [];
    },
    onForget: (chatId, anonymousId) => store.forgetChat(chatId, anonymousId),
  };
}

function titled(key: string, articleId: string) {
  return { key, params: { title: { key: `articles.${articleId}.title` } } };
}
