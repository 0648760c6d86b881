/**
 * "What does your community need?": an anonymous survey a resident can answer once a quarter. The answer is one
 * row with the day, the khan, the sangkat, up to three needs and whether they would join a community meeting; it is
 * never linked to the chat. That the chat has answered this quarter is kept apart, as a keyed hash of its id, so the
 * once-a-quarter limit holds without knowing who answered what.
 *
 * While the resident chooses, the answers live only in the buttons' callback data (see {@link SurveyStep}): nothing
 * is written until they press the last button, and nothing about their choices reaches the conversation log.
 */
import { createHmac, randomInt } from "node:crypto";
import { and, eq, gte, lt, ne } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { needsAnswered, needsResponses } from "../db/schema.ts";
import type { CalendarDate } from "../base/calendar-date.ts";
import { asyncMethods } from "../db/async-store.ts";

/** The needs residents choose from (the CIP's usual headings), in the order the buttons show them. */
export const NEEDS = [
  "water",
  "drainage",
  "roads_lighting",
  "waste",
  "health_post",
  "school_childcare",
  "jobs_training",
  "safety",
  "housing_land",
] as const;
export type Need = (typeof NEEDS)[number];

/** How many needs one answer may name. */
export const MAX_NEEDS = 3;
export const MEETING_ANSWERS = ["yes", "no", "maybe"] as const;
export type MeetingAnswer = (typeof MEETING_ANSWERS)[number];

/** Khans in callback data by position (short), as in flows/data/sangkats.yaml. */
export const KHAN_IDS = ["prek_pnov", "russey_keo", "chbar_ampov"] as const;

/**
 * Where the resident is in the survey, as carried by a button. Encoded as "n:<step>[:<khan>:<sangkat>:<needs>]":
 * khan and sangkat as positions (sangkat "x" = not sure), needs as a bit mask in base 36. Everything fits in far
 * less than Telegram's 64 bytes.
 */
export type SurveyStep =
  | { step: "khan" }
  | { step: "sangkat"; khan: number }
  | { step: "needs"; khan: number; sangkat: number | undefined; needs: number }
  | { step: "meeting"; khan: number; sangkat: number | undefined; needs: number }
  | { step: "save"; khan: number; sangkat: number | undefined; needs: number; meeting: MeetingAnswer }
  | { step: "stop" };

const STEP_CODES = { khan: "k", sangkat: "s", needs: "d", meeting: "m", save: "y", stop: "q" } as const;

/** The callback data of a survey button. */
export function encodeStep(prefix: string, s: SurveyStep): string {
  const parts: string[] = [prefix, STEP_CODES[s.step]];
  if (s.step === "sangkat") parts.push(String(s.khan));
  if (s.step === "needs" || s.step === "meeting" || s.step === "save")
    parts.push(String(s.khan), s.sangkat === undefined ? "x" : String(s.sangkat), s.needs.toString(36));
  if (s.step === "save") parts.push(s.meeting);
  return parts.join(":");
}

/**
 * Reads a survey button's data; anything Spean did not write, or that names a khan, sangkat or need that does not
 * exist (`sangkatsIn(khan)` says how many sangkats a khan has), is undefined.
 */
export function decodeStep(data: string, sangkatsIn: (khan: number) => number): SurveyStep | undefined {
  const [, code, ...rest] = data.split(":");
  const step = (Object.keys(STEP_CODES) as SurveyStep["step"][]).find((k) => STEP_CODES[k] === code);
  if (step === "khan" || step === "stop") return rest.length === 0 ? { step } : undefined;
  const khan = position(rest[0], KHAN_IDS.length);
  if (khan === undefined) return undefined;
  if (step === "sangkat") return rest.length === 1 ? { step, khan } : undefined;
  const sangkat = rest[1] === "x" ? undefined : position(rest[1], sangkatsIn(khan));
  if (rest[1] !== "x" && sangkat === undefined) return undefined;
  const needs = /^[0-9a-z]{1,3}$/.test(rest[2] ?? "") ? Number.parseInt(rest[2] as string, 36) : -1;
  if (needs < 0 || needs >= 1 << NEEDS.length || countNeeds(needs) > MAX_NEEDS) return undefined;
  if (step === "needs") return rest.length === 3 ? { step, khan, sangkat, needs } : undefined;
  if (countNeeds(needs) === 0) return undefined;
  if (step === "meeting") return rest.length === 3 ? { step, khan, sangkat, needs } : undefined;
  const meeting = MEETING_ANSWERS.find((m) => m === rest[3]);
  return step === "save" && meeting && rest.length === 4 ? { step, khan, sangkat, needs, meeting } : undefined;
}

function position(typed: string | undefined, size: number): number | undefined {
  if (typed === undefined || !/^\d{1,2}$/.test(typed)) return undefined;
  const value = Number(typed);
  return value < size ? value : undefined;
}

/** How many needs a mask names. */
export function countNeeds(mask: number): number {
  let count = 0;
  for (let bits = mask; bits > 0; bits >>= 1) count += bits & 1;
  return count;
}

/** The needs a mask names, in list order. */
export function needsOf(mask: number): Need[] {
  return NEEDS.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** "2026-Q4" for a local date. */
export function quarterOf(date: CalendarDate): string {
  return `${date.year}-Q${Math.floor((date.month - 1) / 3) + 1}`;
}

export interface NeedsAnswer {
  date: string;
  khan: string;
  sangkat: string | undefined;
  needs: readonly Need[];
  meeting: MeetingAnswer;
}

export type NeedsStore = ReturnType<typeof createNeedsStore>;

/** The columns of an answer's row (the same on SQLite and PostgreSQL). */
export type NeedsResponseRow = typeof needsResponses.$inferSelect;

/** What marks a chat as having answered: its id hashed with the key `secret` (the same on SQLite and PostgreSQL). */
export function needsChatHash(secret: Buffer, chatId: number): string {
  return createHmac("sha256", secret).update(`needs:${chatId}`).digest("hex");
}

/** The row of an answer, under a random id (so the order of rows says nothing about the order of answering). */
export function needsResponseRowOf(answer: NeedsAnswer): NeedsResponseRow {
  const [need1, need2, need3] = answer.needs;
  return {
    id: randomInt(1, 2 ** 47),
    date: answer.date,
    khan: answer.khan,
    sangkat: answer.sangkat ?? null,
    need1: need1 as Need,
    need2: need2 ?? null,
    need3: need3 ?? null,
    meeting: answer.meeting,
  };
}

/** An answer as the results page reads it. */
export function needsAnswerOf(row: NeedsResponseRow): NeedsAnswer {
  return {
    date: row.date,
    khan: row.khan,
    sangkat: row.sangkat ?? undefined,
    needs: [row.need1, row.need2, row.need3].filter((n): n is Need => n !== null),
    meeting: row.meeting,
  };
}

/**
 * The survey's two tables. `secret` keys the hash of chat ids (derived from ENCRYPTION_KEY, so a copy of the
 * database alone cannot test which chats answered).
 */
export function createNeedsStore(db: Db, secret: Buffer) {
  const hashOf = (chatId: number) => needsChatHash(secret, chatId);

  return asyncMethods({
    hasAnswered(chatId: number, quarter: string): boolean {
      return (
        db
          .select({ q: needsAnswered.quarter })
          .from(needsAnswered)
          .where(and(eq(needsAnswered.chatHash, hashOf(chatId)), eq(needsAnswered.quarter, quarter)))
          .get() !== undefined
      );
    },

    /**
     * Saves an answer unless the chat already answered this quarter (then false). The row's id is random, so the
     * order of rows says nothing about the order in which chats answered.
     */
    save(chatId: number, quarter: string, answer: NeedsAnswer): boolean {
      const marked = db
        .insert(needsAnswered)
        .values({ chatHash: hashOf(chatId), quarter })
        .onConflictDoNothing()
        .run().changes;
      if (marked === 0) return false;
      db.insert(needsResponses).values(needsResponseRowOf(answer)).run();
      return true;
    },

    /** Answers dated from `from` (inclusive) to `to` (exclusive), ISO dates. */
    between(from: string, to: string): NeedsAnswer[] {
      return db
        .select()
        .from(needsResponses)
        .where(and(gte(needsResponses.date, from), lt(needsResponses.date, to)))
        .all()
        .map(needsAnswerOf);
    },

    /** /forget: the chat may answer again (its answers themselves were never linked to it). */
    forget(chatId: number): number {
      return db
        .delete(needsAnswered)
        .where(eq(needsAnswered.chatHash, hashOf(chatId)))
        .run().changes;
    },

    /** Erases the marks of quarters other than `current` (only the current quarter's limit needs them). */
    purgeMarks(current: string): number {
      return db.delete(needsAnswered).where(ne(needsAnswered.quarter, current)).run().changes;
    },
  });
}
