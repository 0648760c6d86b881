/**
 * The staff report of questions the knowledge base could not answer well: unanswered and 👎-rated questions, with
 * counts, so the content team knows what to write next; and, per week, how often the danger classifier was unsure
 * and what residents chose (counts only). Shown only in the staff chat (see src/telegram/staff.ts).
 */
import type { Locale } from "../base/locale.ts";
import type { Reply, TextRef } from "../base/reply.ts";
import { calendarDateIn, toIsoDate } from "../base/calendar-date.ts";
import { localDigits } from "../khmer/digits.ts";
import type { SafetyStore } from "../safety/store.ts";
import type { KnowledgeStore, ReportedQuestion } from "./store.ts";

export interface QuestionsReportOptions {
  locale: Locale;
  timeZone: string;
  /** Default 30. */
  days?: number;
  /** Default 20 questions. */
  limit?: number;
  /** Check-in counts per week, when given. */
  safety?: SafetyStore;
  /** Weeks of check-in counts. Default 4. */
  weeks?: number;
}

/** A question's text is cut to this many characters in the report. */
const MAX_QUESTION_CHARS = 200;

/** Builds the report; sent discreetly (no forwarding), since it holds residents' own words. */
export async function questionsReport(store: KnowledgeStore, options: QuestionsReportOptions): Promise<Reply> {
  const days = options.days ?? 30;
  const summary = await store.summary(days);
  const n = (value: number) => localDigits(options.locale, value);
  const text: TextRef[] = [
    {
      key: "knowledge.report_title",
      params: {
        days: n(days),
        asked: n(summary.asked),
        unanswered: n(summary.unanswered),
        up: n(summary.up),
        down: n(summary.down),
      },
    },
  ];
  const rows = await store.needingContent(days, options.limit ?? 20);
  if (rows.length === 0) text.push({ key: "knowledge.report_empty" });
  for (const row of rows) text.push(reportLine(row, options));
  // The report is where staff see what the search does not understand: tell them how to teach it.
  if (rows.length > 0) text.push({ key: "knowledge.report_teach_hint" });
  if (options.safety) text.push(...(await safetyLines(options.safety, options)));
  return { text, discreet: true };
}

/** "Are you safe right now?" per 7-day window, newest first: how often asked, and what residents chose. */
async function safetyLines(safety: SafetyStore, options: QuestionsReportOptions): Promise<TextRef[]> {
  const n = (value: number) => localDigits(options.locale, value);
  const date = (at: number) => localDigits(options.locale, toIsoDate(calendarDateIn(new Date(at), options.timeZone)));
  return [
    { key: "knowledge.report_safety_title" },
    ...(await safety.weekly(options.weeks ?? 4)).map((w) => ({
      key: "knowledge.report_safety_week",
      params: { from: date(w.from), shown: n(w.shown), safe: n(w.safe), help: n(w.help) },
    })),
  ];
}

function reportLine(row: ReportedQuestion, options: QuestionsReportOptions): TextRef {
  const asked =
    row.text === null ? { key: "knowledge.report_erased" } : [...row.text].slice(0, MAX_QUESTION_CHARS).join("");
  const answer =
    row.answeredWith === null
      ? { key: "knowledge.report_unanswered" }
      : { key: "knowledge.report_down", params: { article: { key: `articles.${row.answeredWith}.title` } } };
  const date = localDigits(options.locale, toIsoDate(calendarDateIn(new Date(row.createdAt), options.timeZone)));
  return { key: "knowledge.report_line", params: { date, text: asked, answer } };
}
