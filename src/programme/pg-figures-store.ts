/**
 * The programme's figures (src/programme/figures-store.ts) over PostgreSQL, method for method the same as the SQLite
 * store: counselling sessions, referrals and their outcomes, questions and the needs survey, counted in the database
 * and returned as plain rows. Every query runs on `executor(db)`, so inside a unit of work (src/db/pg-unit-of-work.ts)
 * it is part of the transaction. Months, claim-time bands and a session's district are the same SQL expressions as
 * over SQLite (src/programme/figures-sql.ts); counts, bigints in PostgreSQL, come back as numbers.
 *
 * A resident's first event ever is read with `distinct on`, which keeps each chat's first row in the order asked
 * for, where SQLite takes the bare columns of a min() from the row holding the minimum; equal instants are ordered
 * by id, the order of the index SQLite reads.
 */
import { and, asc, type Column, eq, gte, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { appointments, caseOutcomes, needsResponses, questions, referrals, users } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import { claimBand, countAll, monthIndex, sessionDistrict } from "./figures-sql.ts";
import type { FiguresStore, MonthlyWindow, SessionCount } from "./figures-store.ts";

/** Rows at instants in the window. */
const within = (column: Column, w: MonthlyWindow) => and(gte(column, w.starts[0] ?? w.to), lt(column, w.to));

/** A first event's instant (a bigint column read through a subquery) as a number. */
const instant = (column: Column) => sql<number>`${column}`.mapWith(Number);

/** Creates the figures store over PostgreSQL. */
export function createPgFiguresStore(db: PgDb): FiguresStore {
  const q = () => executor(db);
  // A phone session counts in the district the family chose under "Get help", if it chose one.
  const chosenDistrict = and(eq(users.chatId, appointments.chatId), eq(appointments.site, "phone"));
  const district = sessionDistrict(appointments.site, users.district);

  return withDriverErrors<FiguresStore>({
    async sessions(w) {
      const rows = await q()
        .select({
          district,
          status: appointments.status,
          month: monthIndex(appointments.startsAt, w.starts),
          count: countAll(),
        })
        .from(appointments)
        .leftJoin(users, chosenDistrict)
        .where(and(inArray(appointments.status, ["attended", "no_show"]), within(appointments.startsAt, w)))
        .groupBy(sql`1`, sql`2`, sql`3`);
      return rows as SessionCount[];
    },

    async firstSessions(from, to) {
      const firsts = q()
        .selectDistinctOn([appointments.chatId], { district: district.as("district"), at: appointments.startsAt })
        .from(appointments)
        .leftJoin(users, chosenDistrict)
        .where(and(eq(appointments.status, "attended"), lt(appointments.startsAt, to)))
        .orderBy(asc(appointments.chatId), asc(appointments.startsAt), asc(appointments.id))
        .as("firsts");
      return q()
        .select({ district: firsts.district, at: instant(firsts.at) })
        .from(firsts)
        .where(gte(firsts.at, from));
    },

    async referrals(w) {
      return q()
        .select({
          category: referrals.category,
          month: monthIndex(referrals.createdAt, w.starts),
          band: claimBand(referrals.createdAt, referrals.claimedAt),
          count: countAll(),
        })
        .from(referrals)
        .where(within(referrals.createdAt, w))
        .groupBy(sql`1`, sql`2`, sql`3`);
    },

    async outcomes(w) {
      return q()
        .select({
          outcome: caseOutcomes.outcome,
          month: monthIndex(caseOutcomes.at, w.starts),
          count: countAll(),
        })
        .from(caseOutcomes)
        .where(within(caseOutcomes.at, w))
        .groupBy(sql`1`, sql`2`);
    },

    async firstOutcomes(outcome, category, from, to) {
      const firsts = q()
        .selectDistinctOn([referrals.chatId], { district: referrals.district, at: caseOutcomes.at })
        .from(caseOutcomes)
        .innerJoin(referrals, eq(referrals.id, caseOutcomes.referralId))
        .where(
          and(
            eq(caseOutcomes.outcome, outcome as typeof caseOutcomes.$inferSelect.outcome),
            category === undefined ? undefined : eq(referrals.category, category),
            lt(caseOutcomes.at, to),
          ),
        )
        .orderBy(asc(referrals.chatId), asc(caseOutcomes.at), asc(caseOutcomes.referralId))
        .as("firsts");
      return q()
        .select({ district: firsts.district, at: instant(firsts.at) })
        .from(firsts)
        .where(gte(firsts.at, from));
    },

    async questions(w) {
      return q()
        .select({
          answeredWith: questions.answeredWith,
          month: monthIndex(questions.createdAt, w.starts),
          count: countAll(),
        })
        .from(questions)
        .where(within(questions.createdAt, w))
        .groupBy(sql`1`, sql`2`);
    },

    async needs(from, to) {
      const named = (need: Column) =>
        q()
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
      return q()
        .select({ month: chosen.month, khan: chosen.khan, need: chosen.need, count: countAll() })
        .from(chosen)
        .groupBy(sql`1`, sql`2`, sql`3`);
    },

    async referralsByDistrict(from, to) {
      return q()
        .select({ district: referrals.district, key: referrals.category, count: countAll() })
        .from(referrals)
        .where(and(gte(referrals.createdAt, from), lt(referrals.createdAt, to)))
        .groupBy(referrals.district, referrals.category);
    },

    async questionsByDistrict(from, to) {
      return q()
        .select({ district: users.district, key: questions.answeredWith, count: countAll() })
        .from(questions)
        .innerJoin(users, eq(users.chatId, questions.chatId))
        .where(and(gte(questions.createdAt, from), lt(questions.createdAt, to)))
        .groupBy(users.district, questions.answeredWith);
    },
  });
}
