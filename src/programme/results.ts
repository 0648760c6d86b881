/**
 * What the staff console's results pages show and export: each indicator's table with its definition, target and
 * progress; the exports (CSV, XLSX); group activities recorded by staff; and the Commune Investment Plan (CIP) needs
 * report per sangkat. Every figure passes through small-cell suppression (SUPPRESS_BELOW, default 5) before anyone
 * sees it, and every view and export is audited (who, what, when). Counts only: no free text, name, phone number or
 * Telegram id ever leaves through here.
 */
import type { Locale } from "../base/locale.ts";
import { todayIn } from "../base/local-time.ts";
import { may } from "../features/roles.ts";
import type { Translator } from "../i18n/translator.ts";
import { localDigits } from "../khmer/digits.ts";
import type { StaffMember, StaffStore } from "../staff/store.ts";
import {
  type ActivityProblems,
  type ActivityRecord,
  type ActivityStore,
  participantTotal,
  readActivityForm,
} from "./activities.ts";
import {
  type IndicatorDefinition,
  type IndicatorSet,
  type IndicatorWording,
  type Places,
  placeName,
} from "./definitions.ts";
import type { DistrictCount, FiguresStore } from "./figures-store.ts";
import {
  type IndicatorFigures,
  computeIndicators,
  isoDates,
  type Month,
  monthKey,
  periodOf,
  type ResultsPeriod,
} from "./indicators.ts";
import { NEEDS, type NeedsStore } from "./needs.ts";
import { suppressSmallCounts } from "./suppression.ts";
import type { CountTable, ShownTable, ShownValue } from "./table.ts";
import { parseReportMonth } from "../booking/report.ts";

export interface ResultsDeskOptions {
  /** The counts recorded by the service (appointments, referrals, questions, the needs survey). */
  figures: FiguresStore;
  staff: StaffStore;
  activities: ActivityStore;
  needs: NeedsStore;
  indicators: IndicatorSet;
  places: Places;
  translator: Translator;
  /** Article id → topic id, and the topics in order (the knowledge base). */
  topicOf: (articleId: string) => string | undefined;
  topics: readonly string[];
  /** Referral categories (the directory's, plus "urgent"). */
  categories: readonly string[];
  timeZone: string;
  now: () => number;
  /** Counts 1..suppressBelow−1 are hidden (config SUPPRESS_BELOW, default 5). */
  suppressBelow: number;
  /** The first month of the programme, "YYYY-MM" (config PROGRAMME_START). */
  programmeStart: string;
  /** Counselling targets from the configuration (override the definitions file's). */
  counsellingTargets: { sessions: number; families: number };
}

/** One indicator as the page shows it. */
export interface IndicatorView {
  definition: IndicatorDefinition;
  wording: IndicatorWording;
  target: number | undefined;
  table: ShownTable;
  /** Progress against the target over the period: the table's grand total (or the communities reached). */
  progress: ShownValue;
  /** Whole percent of the target, when the progress is shown and there is a target. */
  percent: number | undefined;
}

/** One sangkat's page of the CIP report. */
export interface CipSangkat {
  id: string;
  name: string;
  khanName: string;
  /** Residents who answered the survey (suppressed like any count). */
  respondents: ShownValue;
  /** Would join a community meeting: yes, maybe. */
  meeting: ShownTable;
  needs: ShownTable;
  /** For the whole khan (referrals and questions are not asked by sangkat). */
  referrals: ShownTable;
  questions: ShownTable;
  /** Share of women among group-activity participants in the sangkat, when enough took part to show it. */
  womenPercent: number | undefined;
  participants: ShownValue;
}

export type ResultsDesk = ReturnType<typeof createResultsDesk>;

/**
 * A month asked for in a query ("2026-11", Khmer digits too), read as /sessions reads one; undefined when absent
 * or not a month.
 */
function parseMonth(typed: unknown, now: number, timeZone: string): Month | undefined {
  return typeof typed === "string" && typed.trim() !== "" ? parseReportMonth(typed, now, timeZone) : undefined;
}

export function createResultsDesk(options: ResultsDeskOptions) {
  const { translator, places } = options;
  const audit = (member: StaffMember, action: string, allowed: boolean): Promise<void> =>
    options.staff.audit(member.telegramUserId, action, undefined, allowed);
  const label = (locale: Locale, key: string) => translator.render(locale, { key });
  const suppress = (table: CountTable) => suppressSmallCounts(table, options.suppressBelow);

  /** The period asked for, or the programme's start to this month; at most 60 months, never backwards. */
  function period(from: unknown, to: unknown): ResultsPeriod {
    const today = todayIn(options.now(), options.timeZone);
    const current = { year: today.year, month: today.month };
    const month = (typed: unknown) => parseMonth(typed, options.now(), options.timeZone);
    const last = month(to) ?? current;
    const first = month(from) ?? month(options.programmeStart) ?? last;
    return monthKey(first) <= monthKey(last)
      ? periodOf(first, last, options.timeZone)
      : periodOf(last, last, options.timeZone);
  }

  /** Every indicator's figures, in the order of the definitions file (which the page and the exports follow). */
  async function figures(p: ResultsPeriod): Promise<IndicatorFigures[]> {
    const computed = await computeIndicators(
      {
        figures: options.figures,
        activities: options.activities,
        needs: options.needs,
        topicOf: options.topicOf,
        topics: options.topics,
        categories: options.categories,
        timeZone: options.timeZone,
      },
      p,
    );
    return options.indicators.indicators.map((definition) => {
      const found = computed.find((f) => f.id === definition.id);
      if (!found) throw new Error(`indicator "${definition.id}" is defined but never computed`);
      return found;
    });
  }

  function rowLabel(locale: Locale, kind: IndicatorDefinition["rows"], id: string): string {
    switch (kind) {
      case "district":
        return label(locale, id === "unknown" ? "results.district_unknown" : `help.district_${id}`);
      case "category":
        return label(locale, `help.category_${id}`);
      case "outcome":
        return label(locale, `console.outcome_${id}`);
      case "topic":
        return label(locale, id === "unanswered" ? "results.unanswered" : `knowledge.topics.${id}`);
      case "need":
        return label(locale, `needs.need_${id}`);
      default:
        return label(locale, `results.${kind}_${id}`);
    }
  }

  function toTable(
    locale: Locale,
    f: IndicatorFigures,
    p: ResultsPeriod,
  ): { table: CountTable; def: IndicatorDefinition } {
    const def = options.indicators.byId(f.id);
    return {
      def,
      table: {
        id: f.id,
        title: def[locale].title,
        rowHeading: label(locale, `results.rows_${def.rows}`),
        rowLabels: f.rowIds.map((id) => rowLabel(locale, def.rows, id)),
        columnLabels: p.months.map((m) => localDigits(locale, monthKey(m))),
        cells: f.cells,
      },
    };
  }

  function targetOf(def: IndicatorDefinition): number | undefined {
    if (def.id === "counselling_sessions") return options.counsellingTargets.sessions;
    if (def.id === "counselling_families") return options.counsellingTargets.families;
    return def.target;
  }

  async function views(locale: Locale, p: ResultsPeriod): Promise<IndicatorView[]> {
    return (await figures(p)).map((f) => {
      const { def, table } = toTable(locale, f, p);
      const shown = suppress(table);
      const target = targetOf(def);
      const progress: ShownValue =
        f.progress === undefined ? shown.grandTotal : suppressOne(f.progress, options.suppressBelow);
      const percent = target && progress.kind === "count" ? Math.floor((progress.value * 100) / target) : undefined;
      return { definition: def, wording: def[locale], target, table: shown, progress, percent };
    });
  }

  function exportLabels(locale: Locale, p: ResultsPeriod, shown: readonly ShownTable[]) {
    const hidden = shown.reduce((sum, t) => sum + t.hidden.small + t.hidden.secondary, 0);
    const n = (v: number | string) => localDigits(locale, v);
    return {
      total: label(locale, "results.total"),
      small: `<${n(options.suppressBelow)}`,
      secondary: "×",
      notes: [
        translator.render(locale, {
          key: "results.export_note_period",
          params: { from: n(monthKey(p.months[0] as Month)), to: n(monthKey(p.months.at(-1) as Month)) },
        }),
        translator.render(locale, {
          key: "results.export_note_suppression",
          params: { below: n(options.suppressBelow), hidden: n(hidden) },
        }),
        translator.render(locale, {
          key: "results.export_note_definitions",
          params: { version: n(options.indicators.version) },
        }),
        translator.render(locale, { key: "results.export_note_no_people" }),
      ],
    };
  }

  return {
    mayView: (member: StaffMember) => may(member.role, "see_results"),
    mayRecord: (member: StaffMember) => may(member.role, "record_activities"),
    period,
    threshold: options.suppressBelow,
    definitions: options.indicators,
    places,

    /** Every indicator over the period, suppressed; undefined (audited) when the member may not see results. */
    async indicators(member: StaffMember, locale: Locale, p: ResultsPeriod): Promise<IndicatorView[] | undefined> {
      const allowed = may(member.role, "see_results");
      await audit(member, "results_view", allowed);
      return allowed ? await views(locale, p) : undefined;
    },

    /**
     * The tables to export (one indicator, or all) with their labels and notes, audited with what was exported;
     * undefined when not allowed or the indicator does not exist.
     */
    async exportTables(
      member: StaffMember,
      locale: Locale,
      p: ResultsPeriod,
      format: "csv" | "xlsx",
      indicator?: string,
    ) {
      const allowed = may(member.role, "see_results");
      const what = `${indicator ?? "all"}:${monthKey(p.months[0] as Month)}..${monthKey(p.months.at(-1) as Month)}`;
      await audit(member, `results_export_${format}:${what}`, allowed);
      if (!allowed) return undefined;
      const chosen = (await figures(p)).filter((f) => indicator === undefined || f.id === indicator);
      if (chosen.length === 0) return undefined;
      const tables = chosen.map((f) => suppress(toTable(locale, f, p).table));
      return {
        tables,
        labels: exportLabels(locale, p, tables),
        name: `spean-${indicator ?? "results"}-${what.split(":")[1]}`,
      };
    },

    /** Records a group activity from the console's form; audited. */
    async recordActivity(
      member: StaffMember,
      form: Record<string, unknown>,
    ): Promise<{ ok: true; id: number } | { ok: false; problems: ActivityProblems } | undefined> {
      const allowed = may(member.role, "record_activities");
      await audit(member, "activity_record", allowed);
      if (!allowed) return undefined;
      const read = readActivityForm(form, places, todayIn(options.now(), options.timeZone));
      if ("problems" in read) return { ok: false, problems: read.problems };
      return { ok: true, id: await options.activities.record(read.input, member.telegramUserId) };
    },

    /** Withdraws a record entered by mistake (its author, or a supervisor); audited. */
    async withdrawActivity(member: StaffMember, id: number): Promise<boolean> {
      const record = await options.activities.get(id);
      const allowed =
        record !== undefined &&
        may(member.role, "record_activities") &&
        (record.recordedBy === member.telegramUserId || may(member.role, "see_results"));
      await audit(member, "activity_withdraw", allowed);
      return allowed && (await options.activities.withdraw(id));
    },

    /** The latest records (the activities page), or undefined when the member may not record. */
    async latestActivities(member: StaffMember): Promise<ActivityRecord[] | undefined> {
      return may(member.role, "record_activities") ? await options.activities.latest(30) : undefined;
    },

    /** The CIP report: every sangkat of the three khans over the period; undefined (audited) when not allowed. */
    async cip(member: StaffMember, locale: Locale, p: ResultsPeriod, format: "page" | "csv" = "page", only?: string) {
      const allowed = may(member.role, "see_results");
      const what = `${only ?? "all"}:${monthKey(p.months[0] as Month)}..${monthKey(p.months.at(-1) as Month)}`;
      await audit(member, format === "page" ? `cip_view:${what}` : `cip_export_csv:${what}`, allowed);
      if (!allowed) return undefined;
      const sangkats = (await cipReport(locale, p)).filter((s) => only === undefined || s.id === only);
      const byKhan = await needsByKhan(locale, p);
      const tables = [byKhan, ...sangkats.flatMap((s) => [s.needs, s.meeting])];
      return { sangkats, byKhan, labels: exportLabels(locale, p, tables) };
    },
  };

  async function cipReport(locale: Locale, p: ResultsPeriod): Promise<CipSangkat[]> {
    const { from, to } = isoDates(p);
    const answers = await options.needs.between(from, to);
    const activities = await options.activities.between(from, to);
    const byKhan = await khanCounts(locale, p);
    return places.khans.flatMap((khan) =>
      khan.sangkats.map((sangkat): CipSangkat => {
        const mine = answers.filter((a) => a.sangkat === sangkat.id);
        const column = [label(locale, "results.cip_residents")];
        const needs = suppress({
          id: `cip_needs_${sangkat.id}`,
          title: label(locale, "results.cip_needs_title"),
          rowHeading: label(locale, "results.rows_need"),
          rowLabels: NEEDS.map((n) => label(locale, `needs.need_${n}`)),
          columnLabels: column,
          cells: NEEDS.map((n) => [mine.filter((a) => a.needs.includes(n)).length]),
        });
        const meeting = suppress({
          id: `cip_meeting_${sangkat.id}`,
          title: label(locale, "results.cip_meeting_title"),
          rowHeading: label(locale, "results.cip_meeting_heading"),
          rowLabels: (["yes", "maybe", "no"] as const).map((m) => label(locale, `results.meeting_${m}`)),
          columnLabels: column,
          cells: (["yes", "maybe", "no"] as const).map((m) => [mine.filter((a) => a.meeting === m).length]),
        });
        const inSangkat = activities.filter((a) => a.sangkat === sangkat.id);
        const everyone = inSangkat.reduce((sum, a) => sum + participantTotal(a.participants), 0);
        const women = inSangkat.reduce(
          (sum, a) => sum + participantTotal(a.participants, ["female_18_24", "female_25_up"]),
          0,
        );
        const adults = inSangkat.reduce(
          (sum, a) =>
            sum + participantTotal(a.participants, ["female_18_24", "female_25_up", "male_18_24", "male_25_up"]),
          0,
        );
        const khanTables = byKhan.get(khan.id) as { referrals: ShownTable; questions: ShownTable };
        return {
          id: sangkat.id,
          name: placeName(sangkat, locale),
          khanName: placeName(khan, locale),
          respondents: suppressOne(mine.length, options.suppressBelow),
          meeting,
          needs,
          ...khanTables,
          participants: suppressOne(everyone, options.suppressBelow),
          // Only when enough adults took part that the share says nothing about one person.
          womenPercent:
            adults >= Math.max(options.suppressBelow, 1) * 2 ? Math.round((women * 100) / adults) : undefined,
        };
      }),
    );
  }

  /** The needs residents chose, by khan (rows: needs; columns: the three khans), for the district's planning. */
  async function needsByKhan(locale: Locale, p: ResultsPeriod): Promise<ShownTable> {
    const { from, to } = isoDates(p);
    const key = (khan: string, need: string) => `${khan}:${need}`;
    // The store counts each month apart; the report is the whole period's.
    const counts = new Map<string, number>();
    for (const row of await options.figures.needs(from, to))
      counts.set(key(row.khan, row.need), (counts.get(key(row.khan, row.need)) ?? 0) + row.count);
    const count = (khan: string, need: string) => counts.get(key(khan, need)) ?? 0;
    return suppress({
      id: "cip_needs_by_khan",
      title: label(locale, "results.cip_by_khan_title"),
      rowHeading: label(locale, "results.rows_need"),
      rowLabels: NEEDS.map((n) => label(locale, `needs.need_${n}`)),
      columnLabels: places.khans.map((k) => placeName(k, locale)),
      cells: NEEDS.map((n) => places.khans.map((k) => count(k.id, n))),
    });
  }

  /** Referral categories and question topics per khan over the period (the district the resident chose). */
  async function khanCounts(locale: Locale, p: ResultsPeriod) {
    const [referrals, questions] = await Promise.all([
      options.figures.referralsByDistrict(p.from, p.to),
      options.figures.questionsByDistrict(p.from, p.to),
    ]);
    const topicOf = (article: string | null) => (article ? (options.topicOf(article) ?? "unanswered") : "unanswered");
    const sum = (rows: DistrictCount[], khan: string, matches: (key: string | null) => boolean) =>
      rows.filter((r) => r.district === khan && matches(r.key)).reduce((total, r) => total + r.count, 0);
    const topics = [...options.topics, "unanswered"];
    const column = [label(locale, "results.cip_count")];
    const result = new Map<string, { referrals: ShownTable; questions: ShownTable }>();
    for (const khan of places.khans) {
      const referralCells = options.categories.map((c) => [sum(referrals, khan.id, (category) => category === c)]);
      const questionCells = topics.map((topic) => [sum(questions, khan.id, (article) => topicOf(article) === topic)]);
      result.set(khan.id, {
        referrals: suppress({
          id: `cip_referrals_${khan.id}`,
          title: label(locale, "results.cip_referrals_title"),
          rowHeading: label(locale, "results.rows_category"),
          rowLabels: options.categories.map((c) => rowLabel(locale, "category", c)),
          columnLabels: column,
          cells: referralCells,
        }),
        questions: suppress({
          id: `cip_questions_${khan.id}`,
          title: label(locale, "results.cip_questions_title"),
          rowHeading: label(locale, "results.rows_topic"),
          rowLabels: topics.map((t) => rowLabel(locale, "topic", t)),
          columnLabels: column,
          cells: questionCells,
        }),
      });
    }
    return result;
  }
}

/** One count on its own, suppressed like a table's cell. */
export function suppressOne(value: number, threshold: number): ShownValue {
  return value > 0 && value < threshold ? { kind: "hidden", reason: "small" } : { kind: "count", value };
}
