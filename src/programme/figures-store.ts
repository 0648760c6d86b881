/**
 * The counts the programme's results are made of (src/programme/indicators.ts, results.ts), read from what the
 * service records: counselling appointments, referrals and their outcomes, questions typed to the knowledge search,
 * the needs survey's answers. Each method counts in the database (grouped, so a year at ten times the programme's
 * targets is summed in native code, not row by row in JavaScript) and returns plain rows; labels, suppression and
 * the tables are the caller's. Over SQLite; src/programme/pg-figures-store.ts is the same over PostgreSQL.
 *
 * Instants are bucketed into the period's months by the months' first instants (src/programme/figures-sql.ts), which
 * the caller computes in the service's time zone. The needs survey keeps a local date, not an instant: its month is
 * the date's "YYYY-MM".
 */
import { and, type Column, eq, gte, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { asyncMethods } from "../db/async-store.ts";
import type { Db } from "../db/open.ts";
import { appointments, caseOutcomes, needsResponses, questions, referrals, users } from "../db/schema.ts";
import { claimBand, countAll, monthIndex, sessionDistrict } from "./figures-sql.ts";

/** A period as the store counts it: rows at instants in [starts[0], to), each in the month it falls in. */
export interface MonthlyWindow {
  /** The first instant of each month, in order (computed in the service's time zone). */
  starts: readonly number[];
  /** The first instant after the last month. */
  to: number;
}

/** Counselling sessions marked attended or no-show, by where they count and month. */
export interface SessionCount {
  /** The site, or for a phone session the district the family chose; null when it chose none. */
  district: string | null;
  status: "attended" | "no_show";
  /** Index into the window's months. */
  month: number;
  count: number;
}

/** A resident's first qualifying event ever (a family's first session, a person's first job outcome). */
export interface FirstEvent {
  district: string | null;
  at: number;
}

/** Referrals made, by category, month and claim-time band. */
export interface ReferralCount {
  category: string;
  month: number;
  /** One of CLAIM_BANDS (src/programme/indicators.ts). */
  band: string;
  count: number;
}

/** Case outcomes recorded, by outcome and month. */
export interface OutcomeCount {
  outcome: string;
  month: number;
  count: number;
}

/** Questions typed to the knowledge search, by the article that answered (null: none) and month. */
export interface QuestionCount {
  answeredWith: string | null;
  month: number;
  count: number;
}

/** Needs chosen in the survey: answers naming `need`, by month ("YYYY-MM") and khan. */
export interface NeedCount {
  month: string;
  khan: string;
  need: string;
  count: number;
}

/** Counts by the district a resident chose ("Get help") and a key (a referral category, an answering article). */
export interface DistrictCount {
  district: string | null;
  key: string | null;
  count: number;
}

export type FiguresStore = ReturnType<typeof createFiguresStore>;

/** Rows at instants in the window. */
const within = (column: Column, w: MonthlyWindow) => and(gte(column, w.starts[0] ?? w.to), lt(column, w.to));

/** Creates the figures store over SQLite. */
export function createFiguresStore(db: Db) {
  // A phone session counts in the district the family chose under "Get help", if it chose one.
  const chosenDistrict = and(eq(users.chatId, appointments.chatId), eq(appointments.site, "phone"));
  const district = sessionDistrict(appointments.site, users.district);

  return asyncMethods({
    /** Sessions marked attended or no-show in the window, by district, status and month. */
    sessions(w: MonthlyWindow): SessionCount[] {
      const rows = db
        .select({
          district,
          status: appointments.status,
          month: monthIndex(appointments.startsAt, w.starts),
          count: countAll(),
        })
        .from(appointments)
        .leftJoin(users, chosenDistrict)
        .where(and(inArray(appointments.status, ["attended", "no_show"]), within(appointments.startsAt, w)))
        .groupBy(sql`1`, sql`2`, sql`3`)
        .all();
      return rows as SessionCount[];
    },

    /** Each family whose first attended session ever is in [from, to): where it took place, and when. */
    firstSessions(from: number, to: number): FirstEvent[] {
      const first = sql<number>`min(${appointments.startsAt})`;
      // SQLite takes the bare columns of a min() aggregate from the row holding the minimum: the first session's.
      return db
        .select({ district, at: first })
        .from(appointments)
        .leftJoin(users, chosenDistrict)
        .where(and(eq(appointments.status, "attended"), lt(appointments.startsAt, to)))
        .groupBy(appointments.chatId)
        .having(gte(first, from))
        .all();
    },

    /** Referrals made in the window, by category, month and claim-time band. */
    referrals(w: MonthlyWindow): ReferralCount[] {
      return db
        .select({
          category: referrals.category,
          month: monthIndex(referrals.createdAt, w.starts),
          band: claimBand(referrals.createdAt, referrals.claimedAt),
          count: countAll(),
        })
        .from(referrals)
        .where(within(referrals.createdAt, w))
        .groupBy(sql`1`, sql`2`, sql`3`)
        .all();
    },

    /** Case outcomes recorded in the window, by outcome and month. */
    outcomes(w: MonthlyWindow): OutcomeCount[] {
      return db
        .select({ outcome: caseOutcomes.outcome, month: monthIndex(caseOutcomes.at, w.starts), count: countAll() })
        .from(caseOutcomes)
        .where(within(caseOutcomes.at, w))
        .groupBy(sql`1`, sql`2`)
        .all();
    },

    /**
     * Each resident whose first case closed with `outcome` (of `category`, if given) is in [from, to): the
     * district of that case, and when.
     */
    firstOutcomes(outcome: string, category: string | undefined, from: number, to: number): FirstEvent[] {
      const first = sql<number>`min(${caseOutcomes.at})`;
      return db
        .select({ district: referrals.district, at: first })
        .from(caseOutcomes)
        .innerJoin(referrals, eq(referrals.id, caseOutcomes.referralId))
        .where(
          and(
            eq(caseOutcomes.outcome, outcome as typeof caseOutcomes.$inferSelect.outcome),
            category === undefined ? undefined : eq(referrals.category, category),
            lt(caseOutcomes.at, to),
          ),
        )
        .groupBy(referrals.chatId)
        .having(gte(first, from))
        .all();
    },

    /** Questions typed in the window, by the article that answered and month. */
    questions(w: MonthlyWindow): QuestionCount[] {
      return db
        .select({
          answeredWith: questions.answeredWith,
          month: monthIndex(questions.createdAt, w.starts),
          count: countAll(),
        })
        .from(questions)
        .where(within(questions.createdAt, w))
        .groupBy(sql`1`, sql`2`)
        .all();
    },

    /** Needs chosen in answers dated from `from` (inclusive) to `to` (exclusive), ISO dates: by month and khan. */
    needs(from: string, to: string): NeedCount[] {
      const named = (need: Column) =>
        db
          .select({
            month: sql<string>`substr(${needsResponses.date}, 1, 7)`.as("month"),
            khan: needsResponses.khan,
            need: sql<string>`${need}`.as("need"),
          })
          .from(needsResponses)
          .where(and(gte(needsResponses.date, from), lt(needsResponses.date, to), isNotNull(need)));
      const chosen = named(needsResponses.need1)
        .unionAll(named(needsResponses.need2))
        .unionAll(named(needsResponses.need3))
        .as("chosen");
      return db
        .select({ month: chosen.month, khan: chosen.khan, need: chosen.need, count: countAll() })
        .from(chosen)
        .groupBy(sql`1`, sql`2`, sql`3`)
        .all();
    },

    /** Referrals made in [from, to), by the district the resident chose and category. */
    referralsByDistrict(from: number, to: number): DistrictCount[] {
      return db
        .select({ district: referrals.district, key: referrals.category, count: countAll() })
        .from(referrals)
        .where(and(gte(referrals.createdAt, from), lt(referrals.createdAt, to)))
        .groupBy(referrals.district, referrals.category)
        .all();
    },

    /** Questions typed in [from, to) by residents the service knows, by their district and the answering article. */
    questionsByDistrict(from: number, to: number): DistrictCount[] {
      return db
        .select({ district: users.district, key: questions.answeredWith, count: countAll() })
        .from(questions)
        .innerJoin(users, eq(users.chatId, questions.chatId))
        .where(and(gte(questions.createdAt, from), lt(questions.createdAt, to)))
        .groupBy(users.district, questions.answeredWith)
        .all();
    },
  });
}
