/**
 * Teaching the search from what residents ask: a staff member reads /questions, sees an unanswered question, and
 * teaches the search the words that should lead to an article (`/teach <article> <words>`). The words are the staff
 * member's own few words, never a resident's message: a wording that is a resident's exact question, a whole
 * message, a long number or a danger message is refused. A reviewer other than the proposer approves it (✅) or
 * rejects it (❌) in the staff chat; an approved wording is searched as a keyword of its article at once, and can be
 * removed with `/unteach <number>`. Every review is audited.
 */
import { CALLBACK_PREFIXES, decodeVerbButton, encodeVerbButton } from "../engine/callback-data.ts";
import { type Reply, text, type TextRef } from "../base/reply.ts";
import { may } from "../features/roles.ts";
import type { ButtonInput, ButtonOutcome, CommandInput } from "../features/contract.ts";
import { parseWholeNumber } from "../khmer/digits.ts";
import { normalizeText } from "../khmer/normalize.ts";
import type { StaffStore } from "../staff/store.ts";
import type { LiveSearchIndex } from "./live-index.ts";
import type { KnowledgeBase } from "./model.ts";
import type { KnowledgeStore } from "./store.ts";
import type { Wording, WordingsStore } from "./wordings-store.ts";

/** A wording is a few words: at most this many characters and words. */
export const WORDING_MAX_CHARS = 60;
export const WORDING_MAX_WORDS = 6;

const CODES = { approve: "a", reject: "r" } as const;
type Verb = keyof typeof CODES;

export interface WordingsDeskOptions {
  kb: KnowledgeBase;
  index: LiveSearchIndex;
  wordings: WordingsStore;
  questions: KnowledgeStore;
  staff: StaffStore;
  /** Whether the danger classifier takes text for danger. */
  isDanger: (text: string) => boolean;
}

export type WordingsDesk = ReturnType<typeof createWordingsDesk>;

/** The commands' and buttons' logic; the knowledge feature wires them to /teach, /wordings and /unteach. */
export function createWordingsDesk(options: WordingsDeskOptions) {
  const { kb, index, wordings, staff } = options;
  const articleList = () => [...kb.articles.keys()].join(", ");
  const title = (articleId: string): TextRef => text(`articles.${articleId}.title`);
  const nameOf = async (userId: number | null) =>
    userId === null ? "?" : ((await staff.get(userId))?.displayName ?? "?");
  const refresh = async () => index.refresh(await wordings.list(["approved"]));
  const say = (key: string, params?: Parameters<typeof text>[1]): Reply => ({ text: [text(key, params)] });

  /** Why a wording cannot be taught, as the reply to give; undefined when it may be proposed. */
  async function refusal(articleId: string, wording: string): Promise<Reply | undefined> {
    if (!kb.articles.has(articleId))
      return say("knowledge.teach_unknown_article", { article: articleId, articles: articleList() });
    const words = normalizeText(wording).split(" ").filter(Boolean);
    if ([...wording].length > WORDING_MAX_CHARS || words.length > WORDING_MAX_WORDS)
      return say("knowledge.teach_too_long", { chars: WORDING_MAX_CHARS, words: WORDING_MAX_WORDS });
    if (/\d{5,}|\d[\d ]{6,}\d/.test(normalizeText(wording))) return say("knowledge.teach_number");
    if (index.termsOf(wording).length === 0) return say("knowledge.teach_no_words");
    if (options.isDanger(wording)) return say("knowledge.teach_danger");
    if (await options.questions.isResidentQuestion(wording, normalizeText)) return say("knowledge.teach_resident_text");
    const same = (w: Wording) => w.articleId === articleId && normalizeText(w.wording) === normalizeText(wording);
    if ((await wordings.list(["pending", "approved"])).some(same)) return say("knowledge.teach_duplicate");
    return undefined;
  }

  function reviewButtons(id: number) {
    return [
      (["approve", "reject"] as const).map((verb) => ({
        label: text(`knowledge.teach_${verb}`),
        data: encodeVerbButton(CALLBACK_PREFIXES.wording, CODES[verb], id),
      })),
    ];
  }

  return {
    /** /teach <article> <words>: proposes a wording, with ✅ / ❌ for a reviewer. */
    async teach({ argument, userId }: CommandInput): Promise<Reply> {
      const [articleId = "", ...rest] = argument.split(/\s+/);
      const wording = rest.join(" ").trim();
      if (!articleId || !wording) return say("knowledge.teach_usage", { articles: articleList() });
      const refused = await refusal(articleId, wording);
      if (refused) return refused;
      const id = await wordings.propose(articleId, wording, userId);
      return {
        text: [text("knowledge.teach_proposed", { id, name: await nameOf(userId), wording, title: title(articleId) })],
        buttons: reviewButtons(id),
      };
    },

    /** ✅ / ❌ under a proposal: a reviewer other than the proposer decides; the card shows who decided. */
    async press(input: ButtonInput): Promise<ButtonOutcome> {
      const button = decodeVerbButton(CALLBACK_PREFIXES.wording, input.data);
      const verb = (Object.keys(CODES) as Verb[]).find((v) => CODES[v] === button?.code);
      const wording = button && (await wordings.get(button.id));
      if (!verb || !wording) return { notice: text("common.expired_short") };
      const allowed = may((await staff.get(input.userId))?.role, "review_wording");
      await staff.audit(input.userId, `wording_${verb}`, undefined, allowed);
      if (!allowed) return { notice: text("knowledge.teach_not_allowed"), alert: true };
      if (wording.proposedBy === input.userId) return { notice: text("knowledge.teach_own"), alert: true };
      const status = verb === "approve" ? "approved" : "rejected";
      if (!(await wordings.review(wording.id, ["pending"], status, input.userId)))
        return { notice: text("knowledge.teach_reviewed_already") };
      if (status === "approved") await refresh();
      const params = { id: wording.id, wording: wording.wording, title: title(wording.articleId) };
      return {
        notice: text(`knowledge.teach_${status}_short`),
        edit: { text: [text(`knowledge.teach_${status}`, { ...params, name: await nameOf(input.userId) })] },
      };
    },

    /** /wordings: what was taught and what waits for review. */
    async list(): Promise<Reply> {
      const shown = await wordings.list(["pending", "approved"]);
      if (shown.length === 0) return say("knowledge.wordings_empty");
      const count = (s: string) => shown.filter((w) => w.status === s).length;
      return {
        text: [
          text("knowledge.wordings_title", { approved: count("approved"), pending: count("pending") }),
          ...shown.map((w) =>
            text("knowledge.wordings_line", {
              id: w.id,
              wording: w.wording,
              title: title(w.articleId),
              status: text(`knowledge.wordings_${w.status}`),
            }),
          ),
        ],
      };
    },

    /** /unteach <number>: removes an approved wording; the search stops using it at once. */
    async unteach({ argument, userId }: CommandInput): Promise<Reply> {
      // The number as /wordings shows it ("#12"), in Latin or Khmer digits.
      const id = parseWholeNumber(argument.trim().replace(/^#/, ""));
      if (id === undefined) return say("knowledge.unteach_usage");
      const wording = await wordings.get(id);
      if (!wording || !(await wordings.review(wording.id, ["approved"], "removed", userId)))
        return say("knowledge.unteach_missing", { id });
      await staff.audit(userId, "wording_remove", undefined, true);
      await refresh();
      return say("knowledge.unteach_done", { id, wording: wording.wording, title: title(wording.articleId) });
    },
  };
}
