/**
 * Group activities recorded by staff: the sessions that happen in a room, not in the bot (children's protection,
 * health, migration law, financial literacy, childcare, community planning meetings). A record is counts only:
 * participants by age band and sex, and how many came for the first time. Never a name.
 */
import { and, asc, desc, eq, gte, isNull, lt } from "drizzle-orm";
import { isRealDate, type CalendarDate, toIsoDate } from "../base/calendar-date.ts";
import type { Db } from "../db/open.ts";
import { groupActivities } from "../db/schema.ts";
import { toLatinDigits } from "../khmer/digits.ts";
import type { Places } from "./definitions.ts";
import { asyncMethods } from "../db/async-store.ts";

export const ACTIVITY_KINDS = [
  "child_protection",
  "health",
  "migration_law",
  "financial_literacy",
  "childcare",
  "community_meeting",
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export const AGE_BANDS = ["0_11", "12_17", "18_24", "25_up"] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
/** Bands under 18: the children the programme's protection target counts. */
export const CHILD_BANDS: readonly AgeBand[] = ["0_11", "12_17"];
export const SEXES = ["female", "male"] as const;
export type Sex = (typeof SEXES)[number];

/** "female_0_11", ...: the form's field names and the keys of the stored counts. */
export type ParticipantKey = `${Sex}_${AgeBand}`;
export const PARTICIPANT_KEYS: readonly ParticipantKey[] = SEXES.flatMap((s) =>
  AGE_BANDS.map((b) => `${s}_${b}` as const),
);

/** The most people one record may count (a large community meeting); more is surely a typing mistake. */
export const MAX_PARTICIPANTS = 2000;

export interface ActivityInput {
  date: string;
  khan: string;
  sangkat: string | undefined;
  kind: ActivityKind;
  organisation: string;
  place: string;
  participants: Record<ParticipantKey, number>;
  firstTime: number;
}

export interface ActivityRecord extends ActivityInput {
  id: number;
  recordedBy: number;
  createdAt: number;
}

/** What is wrong with a submitted form, by field (the page shows each next to its field). */
export type ActivityProblems = Partial<
  Record<
    "date" | "khan" | "sangkat" | "kind" | "organisation" | "place" | "first_time" | "total" | ParticipantKey,
    string
  >
>;

/**
 * Reads the activity form: dates as YYYY-MM-DD, counts in Khmer or Latin digits, the sangkat belonging to the khan.
 * `today` bounds the date (no future activities; at most a year back). Returns the input or the problems as text keys.
 */
export function readActivityForm(
  form: Record<string, unknown>,
  places: Places,
  today: CalendarDate,
): { input: ActivityInput } | { problems: ActivityProblems } {
  const problems: ActivityProblems = {};
  const field = (name: string) => (typeof form[name] === "string" ? toLatinDigits(form[name]).trim() : "");
  const date = readDate(field("date"), today);
  if (!date) problems.date = "results.problem_date";
  const khan = places.khan(field("khan"));
  if (!khan) problems.khan = "results.problem_khan";
  const sangkatId = field("sangkat");
  const sangkat = sangkatId === "" ? undefined : places.sangkat(sangkatId);
  if (sangkatId !== "" && (!sangkat || sangkat.khan !== khan?.id)) problems.sangkat = "results.problem_sangkat";
  const kind = ACTIVITY_KINDS.find((k) => k === field("kind"));
  if (!kind) problems.kind = "results.problem_kind";
  const organisation = field("organisation").slice(0, 120);
  if (organisation === "") problems.organisation = "results.problem_required";
  const place = field("place").slice(0, 120);
  if (place === "") problems.place = "results.problem_required";
  const participants = {} as Record<ParticipantKey, number>;
  for (const key of PARTICIPANT_KEYS) {
    const count = readCount(field(key));
    if (count === undefined) problems[key] = "results.problem_count";
    participants[key] = count ?? 0;
  }
  const total = PARTICIPANT_KEYS.reduce((sum, key) => sum + participants[key], 0);
  if (total === 0) problems.total = "results.problem_nobody";
  if (total > MAX_PARTICIPANTS) problems.total = "results.problem_too_many";
  const firstTime = readCount(field("first_time"));
  if (firstTime === undefined || firstTime > total) problems.first_time = "results.problem_first_time";
  if (Object.keys(problems).length > 0) return { problems };
  return {
    input: {
      date: date as string,
      khan: khan?.id as string,
      sangkat: sangkat?.id,
      kind: kind as ActivityKind,
      organisation,
      place,
      participants,
      firstTime: firstTime as number,
    },
  };
}

/** An empty field is 0; otherwise a whole number 0..MAX_PARTICIPANTS, or undefined. */
function readCount(typed: string): number | undefined {
  if (typed === "") return 0;
  if (!/^\d{1,5}$/.test(typed)) return undefined;
  const value = Number(typed);
  return value <= MAX_PARTICIPANTS ? value : undefined;
}

function readDate(typed: string, today: CalendarDate): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typed);
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (!isRealDate(date)) return undefined;
  const iso = toIsoDate(date);
  const earliest = toIsoDate({ ...today, year: today.year - 1 });
  return iso <= toIsoDate(today) && iso >= earliest ? iso : undefined;
}

/** The total of a record's participants, optionally only some keys. */
export function participantTotal(
  participants: Record<ParticipantKey, number>,
  keys: readonly ParticipantKey[] = PARTICIPANT_KEYS,
): number {
  return keys.reduce((sum, key) => sum + (participants[key] ?? 0), 0);
}

export type ActivityStore = ReturnType<typeof createActivityStore>;

/** The columns of a group activity's row (the same on SQLite and PostgreSQL). */
export type ActivityRow = typeof groupActivities.$inferSelect;

/** A group activity's row as the console reads it, its counts parsed. */
export function activityRecordOf(row: ActivityRow): ActivityRecord {
  return {
    id: row.id,
    date: row.date,
    khan: row.khan,
    sangkat: row.sangkat ?? undefined,
    kind: row.kind as ActivityKind,
    organisation: row.organisation,
    place: row.place,
    participants: JSON.parse(row.participants) as Record<ParticipantKey, number>,
    firstTime: row.firstTime,
    recordedBy: row.recordedBy,
    createdAt: row.createdAt,
  };
}

export function createActivityStore(db: Db, now: () => number) {
  return asyncMethods({
    record(input: ActivityInput, staffId: number): number {
      const row = db
        .insert(groupActivities)
        .values({
          ...input,
          sangkat: input.sangkat ?? null,
          participants: JSON.stringify(input.participants),
          recordedBy: staffId,
          createdAt: now(),
        })
        .returning({ id: groupActivities.id })
        .get();
      return row.id;
    },

    /** Withdraws a record entered by mistake; returns false when there is no such (unwithdrawn) record. */
    withdraw(id: number): boolean {
      return (
        db
          .update(groupActivities)
          .set({ withdrawnAt: now() })
          .where(and(eq(groupActivities.id, id), isNull(groupActivities.withdrawnAt)))
          .run().changes === 1
      );
    },

    /** Records (not withdrawn) dated from `from` (inclusive) to `to` (exclusive), as ISO dates, oldest first. */
    between(from: string, to: string): ActivityRecord[] {
      return db
        .select()
        .from(groupActivities)
        .where(and(gte(groupActivities.date, from), lt(groupActivities.date, to), isNull(groupActivities.withdrawnAt)))
        .orderBy(asc(groupActivities.date), asc(groupActivities.id))
        .all()
        .map(activityRecordOf);
    },

    /** One record that has not been withdrawn. */
    get(id: number): ActivityRecord | undefined {
      const row = db
        .select()
        .from(groupActivities)
        .where(and(eq(groupActivities.id, id), isNull(groupActivities.withdrawnAt)))
        .get();
      return row ? activityRecordOf(row) : undefined;
    },

    /** The latest records, newest first (the activities page's list). */
    latest(limit = 50): ActivityRecord[] {
      return db
        .select()
        .from(groupActivities)
        .where(isNull(groupActivities.withdrawnAt))
        .orderBy(desc(groupActivities.date), desc(groupActivities.id))
        .limit(limit)
        .all()
        .map(activityRecordOf);
    },
  });
}
