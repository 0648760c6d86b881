/**
 * The programme's counselling report for the staff chat (/sessions): attended sessions and families against the
 * programme's targets, one month's figures by counsellor, and what needs a person (appointments without a mark,
 * coming ones flagged for a phone call). Counts and counsellors' names only: nothing about any family.
 */
import type { Locale } from "../base/locale.ts";
import { type Reply, type TextRef, text } from "../base/reply.ts";
import { localDigits, toLatinDigits } from "../khmer/digits.ts";
import { formatMonth } from "../khmer/when.ts";
import { instantAt, todayIn } from "../base/local-time.ts";
import type { BookingStore } from "./store.ts";

/** A calendar month; `month` is 1-12. */
export interface ReportMonth {
  year: number;
  month: number;
}

export interface SessionsReportOptions {
  locale: Locale;
  timeZone: string;
  /** The programme's targets (defaults in config: 2,700 sessions, 150 families). */
  targets: { sessions: number; families: number };
  /** Default: the current month in `timeZone`. */
  month?: ReportMonth;
  now: number;
}

/**
 * Reads the month asked for after /sessions: nothing means the current month; "2026-10" (Khmer digits too) a
 * given one. Anything else is undefined, so the caller can answer with the usage line.
 */
export function parseReportMonth(argument: string, now: number, timeZone: string): ReportMonth | undefined {
  const typed = toLatinDigits(argument).trim();
  if (typed === "") return currentMonth(now, timeZone);
  const match = /^(\d{4})-(\d{1,2})$/.exec(typed);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  return year >= 2000 && year <= 2100 && month >= 1 && month <= 12 ? { year, month } : undefined;
}

function currentMonth(now: number, timeZone: string): ReportMonth {
  const { year, month } = todayIn(now, timeZone);
  return { year, month };
}

/** Builds the report; sent with protect_content like every staff report. */
export async function sessionsReport(store: BookingStore, options: SessionsReportOptions): Promise<Reply> {
  const { locale, targets } = options;
  const n = (value: number) => localDigits(locale, value);
  const month = options.month ?? currentMonth(options.now, options.timeZone);
  const from = instantAt({ ...month, day: 1 }, 0, options.timeZone);
  const next = month.month === 12 ? { year: month.year + 1, month: 1 } : { year: month.year, month: month.month + 1 };
  const to = instantAt({ ...next, day: 1 }, 0, options.timeZone);
  const counts = await store.sessionCounts(from, to, options.now);
  const sum = (field: "attended" | "noShow" | "cancelled" | "booked") =>
    counts.byCounsellor.reduce((total, row) => total + row[field], 0);
  const monthName = formatMonth(locale, month.year, month.month);

  const lines: TextRef[] = [
    text("booking.report_title", { month: monthName }),
    text("booking.report_programme", {
      attended: n(counts.attended),
      sessionTarget: n(targets.sessions),
      percent: n(Math.floor((counts.attended * 100) / targets.sessions)),
      families: n(counts.families),
      familyTarget: n(targets.families),
    }),
  ];
  if (counts.byCounsellor.length === 0) lines.push(text("booking.report_month_empty", { month: monthName }));
  else {
    lines.push(
      text("booking.report_month", {
        month: monthName,
        attended: n(sum("attended")),
        families: n(counts.windowFamilies),
        noShow: n(sum("noShow")),
        cancelled: n(sum("cancelled")),
        booked: n(sum("booked")),
      }),
      text("booking.report_by_counsellor"),
      ...counts.byCounsellor.map((row) =>
        text("booking.report_counsellor_line", {
          name: row.name,
          attended: n(row.attended),
          noShow: n(row.noShow),
          unmarked: n(row.unmarked),
          booked: n(row.booked),
        }),
      ),
    );
  }
  if (counts.unmarked > 0) lines.push(text("booking.report_unmarked", { count: n(counts.unmarked) }));
  if (counts.needCall > 0) lines.push(text("booking.report_need_call", { count: n(counts.needCall) }));
  return { text: [text("common.lines", { lines })], discreet: true };
}
