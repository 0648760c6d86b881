/**
 * The programme's figures, computed from what the system records: counselling (appointments), referrals and their
 * outcomes, group activities recorded by staff, questions typed to the knowledge search and the needs survey.
 * Each indicator of flows/programme/indicators.yaml becomes a table of counts: rows (district, category, outcome,
 * ...) by calendar month. Row ids are returned, not labels: the page and the exports translate them.
 *
 * Months are local months in the service's time zone; rows are bucketed by binary search over the months' first
 * instants, so a session at 23:30 on the last day of a month counts in that month.
 */
import { instantAt } from "../base/local-time.ts";
import type { Db } from "../db/open.ts";
import {
  ACTIVITY_KINDS,
  type ActivityRecord,
  type ActivityStore,
  CHILD_BANDS,
  participantTotal,
  type ParticipantKey,
  SEXES,
} from "./activities.ts";
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
  db: Db;
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

  /** Adds to a row in a known month (a column index from SQL). */
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
 * Counting is done by SQLite (grouped by month with {@link monthOf}), so a year at ten times the programme's targets
 * (100,000 questions) is summed in native code rather than row by row in JavaScript.
 */
export async function computeIndicators(sources: IndicatorSources, period: ResultsPeriod): Promise<IndicatorFigures[]> {
  const starts = period.months.map((m) => instantAt({ ...m, day: 1 }, 0, sources.timeZone));
  const tally = (rowIds: readonly string[]) => new Tally([...rowIds], starts, period.to);
  const month = (column: string) => monthOf(column, starts);
  const db = sources.db.$client;
  const window = { from: period.from, to: period.to };
  const district = (value: string | null | undefined) =>
    value && (DISTRICT_ROWS as readonly string[]).includes(value) ? value : "unknown";
  const columnOfKey = new Map(period.months.map((m, i) => [monthKey(m), i]));
  // Noon of a local date; memoised, since a year of records has at most 366 dates and the zone lookup is slow.
  const noons = new Map<string, number>();
  const dayInstant = (iso: string) => {
    let at = noons.get(iso);
    if (at === undefined) {
      const date = { year: +iso.slice(0, 4), month: +iso.slice(5, 7), day: +iso.slice(8, 10) };
      noons.set(iso, (at = instantAt(date, 12 * 60, sources.timeZone)));
    }
    return at;
  };
  const firstDay = `${monthKey(period.months[0] as Month)}-01`;
  const dayAfter = `${monthKey(nextMonth(period.months.at(-1) as Month))}-01`;

  const counselling = counsellingFigures(db, window, month, tally, district);
  const cases = caseFigures(sources, window, month, tally, district);
  const groups = activityFigures(await sources.activities.between(firstDay, dayAfter), tally, dayInstant);
  cases.healthPeople.addAll(groups.health);

  const questions = tally([...sources.topics, "unanswered"]);
  const asked = db
    .prepare(
      `select answered_with, ${month("created_at")}, count(*) from questions
       where created_at >= @from and created_at < @to group by 1, 2`,
    )
    .raw()
    .all(window) as [string | null, number, number][];
  for (const [article, column, count] of asked)
    questions.addToColumn(article ? (sources.topicOf(article) ?? "unanswered") : "unanswered", column, count);

  const needs = tally(NEEDS);
  const chosen = db
    .prepare(
      `select substr(date, 1, 7), need1, need2, need3, count(*) from needs_responses
       where date >= ? and date < ? group by 1, 2, 3, 4`,
    )
    .raw()
    .all(firstDay, dayAfter) as [string, string, string | null, string | null, number][];
  for (const [key, need1, need2, need3, count] of chosen) {
    const column = columnOfKey.get(key);
    if (column === undefined) continue;
    for (const need of [need1, need2, need3]) if (need) needs.addToColumn(need, column, count);
  }

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

/**
 * SQL for the month (column index) an instant column falls in, by the months' first instants: exact in any time
 * zone. Only the period's rows are selected, so every row has a month. The instants are numbers computed here, never
 * input, so writing them into the SQL is safe.
 */
function monthOf(column: string, starts: readonly number[]): string {
  if (starts.length <= 1) return "0";
  const steps = starts.slice(1).map((start, i) => `when ${column} < ${Math.trunc(start)} then ${i}`);
  return `case ${steps.join(" ")} else ${starts.length - 1} end`;
}

type TallyOf = (rowIds: readonly string[]) => Tally;
type MonthOf = (column: string) => string;
type Window = { from: number; to: number };
type Db$ = Db["$client"];

/** Attended sessions and no-shows by district; families in the month of their first attended session ever. */
function counsellingFigures(
  db: Db$,
  window: Window,
  month: MonthOf,
  tally: TallyOf,
  district: (v: string | null) => string,
) {
  const sessions = tally(DISTRICT_ROWS);
  const noShows = tally(DISTRICT_ROWS);
  const families = tally(DISTRICT_ROWS);
  // A phone session counts in the district the family chose under "Get help", if it chose one.
  const place = "case when a.site = 'phone' then u.district else a.site end";
  const byMonth = db
    .prepare(
      `select ${place}, a.status, ${month("a.starts_at")}, count(*) from appointments a
       left join users u on u.chat_id = a.chat_id and a.site = 'phone'
       where a.status in ('attended', 'no_show') and a.starts_at >= @from and a.starts_at < @to group by 1, 2, 3`,
    )
    .raw()
    .all(window) as [string | null, string, number, number][];
  for (const [where, status, column, count] of byMonth)
    (status === "attended" ? sessions : noShows).addToColumn(district(where), column, count);
  // SQLite takes the bare columns of a min() aggregate from the row that holds the minimum: the first session's place.
  const firsts = db
    .prepare(
      `select ${place}, min(a.starts_at) from appointments a
       left join users u on u.chat_id = a.chat_id and a.site = 'phone'
       where a.status = 'attended' and a.starts_at < @to group by a.chat_id`,
    )
    .raw()
    .all(window) as [string | null, number][];
  for (const [where, first] of firsts) families.add(district(where), first);
  return { sessions, noShows, families };
}

/** Referrals by category and by time to claim; outcomes; people into work and health cases, once per chat. */
function caseFigures(
  sources: IndicatorSources,
  window: Window,
  month: MonthOf,
  tally: TallyOf,
  district: (v: string | null) => string,
) {
  const db = sources.db.$client;
  const referrals = tally(sources.categories);
  const claimTimes = tally(CLAIM_BANDS);
  const made = db
    .prepare(
      `select category, ${month("created_at")}, ${CLAIM_BAND_SQL}, count(*) from referrals
       where created_at >= @from and created_at < @to group by 1, 2, 3`,
    )
    .raw()
    .all(window) as [string, number, string, number][];
  for (const [category, column, band, count] of made) {
    referrals.addToColumn(category, column, count);
    claimTimes.addToColumn(band, column, count);
  }

  const outcomes = tally(OUTCOMES);
  const closed = db
    .prepare(`select outcome, ${month("at")}, count(*) from case_outcomes where at >= @from and at < @to group by 1, 2`)
    .raw()
    .all(window) as [string, number, number][];
  for (const [outcome, column, count] of closed) outcomes.addToColumn(outcome, column, count);

  /** Each resident once, in the district and month of their first case closed with `outcome` (and `category`). */
  const firstOutcomes = (outcome: string, category: string | null) => {
    const t = tally(DISTRICT_ROWS);
    const rows = db
      .prepare(
        `select r.district, min(o.at) from case_outcomes o join referrals r on r.id = o.referral_id
         where o.outcome = @outcome and (@category is null or r.category = @category) and o.at < @to
         group by r.chat_id`,
      )
      .raw()
      .all({ outcome, category, to: window.to }) as [string | null, number][];
    for (const [where, first] of rows) t.add(district(where), first);
    return t;
  };
  return {
    referrals,
    claimTimes,
    outcomes,
    intoWork: firstOutcomes("job_or_training", null),
    healthPeople: firstOutcomes("service_received", "health"),
  };
}

/** The claim-time band of a referral row, in SQL (the bands of {@link CLAIM_BANDS}). */
const CLAIM_BAND_SQL = `case when claimed_at is null then 'not_claimed'
  when claimed_at - created_at < 3600000 then 'under_1h'
  when claimed_at - created_at < 14400000 then '1h_4h'
  when claimed_at - created_at < 86400000 then '4h_24h' else 'over_24h' end`;

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
