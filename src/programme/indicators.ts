/**
 * The programme's figures, computed from what the system records: counselling (appointments), referrals and their
 * outcomes, group activities recorded by staff, questions typed to the knowledge search and the needs survey.
 * Each indicator of flows/programme/indicators.yaml becomes a table of counts: rows (district, category, outcome,
 * ...) by calendar month. Row ids are returned, not labels: the page and the exports translate them.
 *
 * Months are local months in the service's time zone; rows are bucketed by the months' first instants (counts by the
 * figures store, in the database; first events and group activities here, by binary search), so a session at 23:30
 * on the last day of a month counts in that month.
 */
import { instantAt } from "../base/local-time.ts";
import {
  ACTIVITY_KINDS,
  type ActivityRecord,
  type ActivityStore,
  CHILD_BANDS,
  participantTotal,
  type ParticipantKey,
  SEXES,
} from "./activities.ts";
import type { FiguresStore, MonthlyWindow } from "./figures-store.ts";
import type { NeedsStore } from "./needs.ts";
import { NEEDS } from "./needs.ts";

/** A calendar month, `month` 1-12. */
export interface Month {
  year: number;
  month: number;
}

/** Districts as rows: the three programme khans, elsewhere, and not known (a phone session, no district given). */
export const DISTRICT_ROWS = ["prek_pnov", "russey_keo", "chbar_ampov", "elsewhere", "unknown"] as const;
/** Bands of the time from a referral to its claim by a caseworker. */
export const CLAIM_BANDS = ["under_1h", "1h_4h", "4h_24h", "over_24h", "not_claimed"] as const;
export const OUTCOMES = ["service_received", "referred_on", "job_or_training", "unreachable", "closed_by_resident"];

/** An indicator's figures: counts by row id and month (columns in `months` order). */
export interface IndicatorFigures {
  id: string;
  rowIds: string[];
  /** cells[row][month]. */
  cells: number[][];
  /** For targets that count something other than the table's total (migration law: different sangkats). */
  progress?: number;
}

export interface ResultsPeriod {
  months: Month[];
  /** First instant of the first month and of the month after the last. */
  from: number;
  to: number;
}

export interface IndicatorSources {
  /** The counts recorded by the service (appointments, referrals, questions, the needs survey). */
  figures: FiguresStore;
  activities: ActivityStore;
  needs: NeedsStore;
  /** Article id → topic id (the knowledge base). */
  topicOf: (articleId: string) => string | undefined;
  topics: readonly string[];
  /** Referral categories (flows/data/services.yaml) plus "urgent". */
  categories: readonly string[];
  timeZone: string;
}

/** "2026-11". */
export function monthKey(m: Month): string {
  return `${m.year}-${String(m.month).padStart(2, "0")}`;
}

export function nextMonth(m: Month): Month {
  return m.month === 12 ? { year: m.year + 1, month: 1 } : { year: m.year, month: m.month + 1 };
}

/** The months from `first` to `last` inclusive (at most 60), with their instants. */
export function periodOf(first: Month, last: Month, timeZone: string): ResultsPeriod {
  const months: Month[] = [];
  for (let m = first; monthKey(m) <= monthKey(last) && months.length < 60; m = nextMonth(m)) months.push(m);
  const start = (m: Month) => instantAt({ ...m, day: 1 }, 0, timeZone);
  return { months, from: start(first), to: start(nextMonth(months.at(-1) ?? first)) };
}

/** Counts rows into a table of rowIds × months; unknown rows and instants outside the period are ignored. */
class Tally {
  readonly cells: number[][];
  private readonly rowIndex: Map<string, number>;
  constructor(
    readonly rowIds: string[],
    private readonly starts: number[],
    private readonly to: number,
  ) {
    this.rowIndex = new Map(rowIds.map((id, i) => [id, i]));
    this.cells = rowIds.map(() => starts.map(() => 0));
  }

  add(rowId: string, at: number, count = 1): void {
    const row = this.rowIndex.get(rowId);
    const column = this.columnOf(at);
    if (row === undefined || column === undefined) return;
    const cells = this.cells[row] as number[];
    cells[column] = (cells[column] as number) + count;
  }

  /** Adds to a row in a known month (a column index from the figures store). */
  addToColumn(rowId: string, column: number, count: number): void {
    const row = this.rowIndex.get(rowId);
    const cells = row === undefined ? undefined : this.cells[row];
    if (!cells || column < 0 || column >= cells.length) return;
    cells[column] = (cells[column] as number) + count;
  }

  /** Adds another tally with the same rows and months, cell by cell. */
  addAll(other: Tally): void {
    other.cells.forEach((cells, row) =>
      cells.forEach((count, column) => this.addToColumn(other.rowIds[row] as string, column, count)),
    );
  }

  /** The month an instant falls in (binary search over the months' first instants). */
  private columnOf(at: number): number | undefined {
    if (at < (this.starts[0] as number) || at >= this.to) return undefined;
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] as number) <= at) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/**
 * Every indicator's figures over a period (ids as in flows/programme/indicators.yaml). Unique counts (families,
 * people into work) count each chat once, in the month of its first qualifying event ever, so months add up to the
 * period's unique total and a family seen before the period is not counted again.
 *
 * Counting is done by the database (the figures store groups by month), so a year at ten times the programme's
 * targets (100,000 questions) is summed in native code rather than row by row in JavaScript.
 */
export async function computeIndicators(sources: IndicatorSources, period: ResultsPeriod): Promise<IndicatorFigures[]> {
  const starts = period.months.map((m) => instantAt({ ...m, day: 1 }, 0, sources.timeZone));
  const count: Counting = {
    tally: (rowIds) => new Tally([...rowIds], starts, period.to),
    window: { starts, to: period.to },
    from: period.from,
    district: (value) => (value && (DISTRICT_ROWS as readonly string[]).includes(value) ? value : "unknown"),
  };
  const { from, to } = isoDates(period);
  const [counselling, cases, records, questions, needs] = await Promise.all([
    counsellingFigures(sources.figures, count),
    caseFigures(sources, count),
    sources.activities.between(from, to),
    questionFigures(sources, count),
    needsFigures(sources.figures, period, count),
  ]);
  const groups = activityFigures(records, count.tally, dayInstants(sources.timeZone));
  cases.healthPeople.addAll(groups.health);

  const figures = (id: string, t: Tally, progress?: number): IndicatorFigures => ({
    id,
    rowIds: t.rowIds,
    cells: t.cells,
    ...(progress === undefined ? {} : { progress }),
  });
  return [
    figures("counselling_sessions", counselling.sessions),
    figures("counselling_families", counselling.families),
    figures("counselling_no_shows", counselling.noShows),
    figures("referrals", cases.referrals),
    figures("time_to_claim", cases.claimTimes),
    figures("referral_outcomes", cases.outcomes),
    figures("into_work", cases.intoWork),
    figures("health_people", cases.healthPeople),
    figures("children_reached", groups.children),
    figures("migration_law_sessions", groups.migrationLaw, groups.migrationLawSangkats),
    figures("group_participants", groups.byKind),
    figures("questions", questions),
    figures("community_needs", needs),
  ];
}

/** The period as ISO dates: its first day and the first day after it. */
export function isoDates(p: ResultsPeriod): { from: string; to: string } {
  return { from: `${monthKey(p.months[0] as Month)}-01`, to: `${monthKey(nextMonth(p.months.at(-1) as Month))}-01` };
}

/** What every part of the computation shares: new tallies, the period as the store reads it, a row's district. */
interface Counting {
  tally: TallyOf;
  window: MonthlyWindow;
  /** The period's first instant. */
  from: number;
  /** A district id as a row of DISTRICT_ROWS ("unknown" when absent or not one of them). */
  district: (value: string | null | undefined) => string;
}

type TallyOf = (rowIds: readonly string[]) => Tally;

/** Attended sessions and no-shows by district; families in the month of their first attended session ever. */
async function counsellingFigures(figures: FiguresStore, count: Counting) {
  const sessions = count.tally(DISTRICT_ROWS);
  const noShows = count.tally(DISTRICT_ROWS);
  const families = count.tally(DISTRICT_ROWS);
  const [byMonth, firsts] = await Promise.all([
    figures.sessions(count.window),
    figures.firstSessions(count.from, count.window.to),
  ]);
  for (const row of byMonth)
    (row.status === "attended" ? sessions : noShows).addToColumn(count.district(row.district), row.month, row.count);
  for (const first of firsts) families.add(count.district(first.district), first.at);
  return { sessions, noShows, families };
}

/** Referrals by category and by time to claim; outcomes; people into work and health cases, once per chat. */
async function caseFigures(sources: IndicatorSources, count: Counting) {
  const { figures, categories } = sources;
  const referrals = count.tally(categories);
  const claimTimes = count.tally(CLAIM_BANDS);
  const outcomes = count.tally(OUTCOMES);
  const intoWork = count.tally(DISTRICT_ROWS);
  const healthPeople = count.tally(DISTRICT_ROWS);
  const [made, closed, work, health] = await Promise.all([
    figures.referrals(count.window),
    figures.outcomes(count.window),
    figures.firstOutcomes("job_or_training", undefined, count.from, count.window.to),
    figures.firstOutcomes("service_received", "health", count.from, count.window.to),
  ]);
  for (const row of made) {
    referrals.addToColumn(row.category, row.month, row.count);
    claimTimes.addToColumn(row.band, row.month, row.count);
  }
  for (const row of closed) outcomes.addToColumn(row.outcome, row.month, row.count);
  // Each resident once, in the district and month of their first case closed with the outcome.
  for (const first of work) intoWork.add(count.district(first.district), first.at);
  for (const first of health) healthPeople.add(count.district(first.district), first.at);
  return { referrals, claimTimes, outcomes, intoWork, healthPeople };
}

/** Questions typed to the knowledge search, by the topic of the article that answered (or unanswered). */
async function questionFigures(sources: IndicatorSources, count: Counting) {
  const questions = count.tally([...sources.topics, "unanswered"]);
  for (const row of await sources.figures.questions(count.window)) {
    const topic = row.answeredWith ? (sources.topicOf(row.answeredWith) ?? "unanswered") : "unanswered";
    questions.addToColumn(topic, row.month, row.count);
  }
  return questions;
}

/** The needs residents chose in the survey, by the month of the answer's date. */
async function needsFigures(figures: FiguresStore, period: ResultsPeriod, count: Counting) {
  const needs = count.tally(NEEDS);
  const columnOfKey = new Map(period.months.map((m, i) => [monthKey(m), i]));
  const { from, to } = isoDates(period);
  for (const row of await figures.needs(from, to)) {
    const column = columnOfKey.get(row.month);
    if (column !== undefined) needs.addToColumn(row.need, column, row.count);
  }
  return needs;
}

/**
 * Noon of a local date, the instant a group activity counts at; memoised, since a year of records has at most 366
 * dates and the zone lookup is slow.
 */
function dayInstants(timeZone: string): (iso: string) => number {
  const noons = new Map<string, number>();
  return (iso) => {
    let at = noons.get(iso);
    if (at === undefined) {
      const date = { year: +iso.slice(0, 4), month: +iso.slice(5, 7), day: +iso.slice(8, 10) };
      noons.set(iso, (at = instantAt(date, 12 * 60, timeZone)));
    }
    return at;
  };
}

/** Group activities: health participants, children in protection sessions, migration-law sessions, all by kind. */
function activityFigures(records: readonly ActivityRecord[], tally: TallyOf, dayInstant: (iso: string) => number) {
  const health = tally(DISTRICT_ROWS);
  const children = tally(DISTRICT_ROWS);
  const migrationLaw = tally(DISTRICT_ROWS);
  const byKind = tally(ACTIVITY_ROWS);
  const lawSangkats = new Set<string>();
  const childKeys = SEXES.flatMap((s) => CHILD_BANDS.map((b) => `${s}_${b}` as ParticipantKey));
  for (const record of records) {
    const at = dayInstant(record.date);
    const total = participantTotal(record.participants);
    byKind.add(record.kind, at, total);
    if (record.kind === "health") health.add(record.khan, at, total);
    if (record.kind === "child_protection")
      children.add(record.khan, at, participantTotal(record.participants, childKeys));
    if (record.kind === "migration_law") {
      migrationLaw.add(record.khan, at);
      lawSangkats.add(record.sangkat ?? record.khan);
    }
  }
  return { health, children, migrationLaw, migrationLawSangkats: lawSangkats.size, byKind };
}

const ACTIVITY_ROWS: readonly string[] = ACTIVITY_KINDS;
