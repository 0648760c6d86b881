/**
 * The booking store (src/booking/store.ts) over PostgreSQL: counsellors, their weekly hours and time off, and
 * appointments, method for method the same as the SQLite store. Names and phone numbers are encrypted. Every query
 * runs on `executor(db)`, so inside a unit of work (src/db/pg-unit-of-work.ts) it is part of the transaction.
 *
 * Double booking: the partial unique index appointments_counsellor_slot (counsellor, start, where the status holds
 * the slot) refuses a second appointment in a held slot. SQLite reports the violation and the store turns it into
 * SPEAN_SLOT_TAKEN; PostgreSQL would abort the whole transaction (the booking desk catches SPEAN_SLOT_TAKEN and tries
 * the next counsellor in the same piece), so the insert names the index as its conflict target, does nothing on a
 * conflict, and the store throws SPEAN_SLOT_TAKEN when no row came back.
 *
 * Lists come in the order the SQLite store gives them: where its query has no `order by`, the order of the index
 * SQLite reads (start, then id), written out here; ties are broken by id. heldSlots is the exception: SQLite reads it
 * by status and start, and it comes here in the order its comment promises, by counsellor and start (its one caller
 * groups the slots by counsellor). Text is compared byte by byte (`collate "C"`), as SQLite does, whatever the
 * database's collation.
 */
import { and, asc, eq, gte, inArray, lt, lte, type SQL, sql } from "drizzle-orm";
import { SpeanError } from "../base/errors.ts";
import { appointments, counsellorHours, counsellors, counsellorTimeOff, staffMembers } from "../db/pg-schema.ts";
import { withDriverErrors } from "../db/pg-errors.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import type { Site, WeeklyHours } from "./model.ts";
import { appointmentOf, counsellorOf, HOLDING_STATUSES, type BookingStore, type SessionCounts } from "./store.ts";

/** The predicate of the partial unique index appointments_counsellor_slot, word for word (src/db/schema.ts). */
const SLOT_INDEX_PREDICATE = sql`status in ('booked', 'attended', 'no_show')`;

/** How many rows meet a condition, 0 over no rows, as a number (PostgreSQL's sum of integers is a bigint). */
const countWhere = (condition: SQL | undefined) =>
  sql<number>`coalesce(sum(case when ${condition} then 1 else 0 end), 0)`.mapWith(Number);

/** How many distinct chats have a row meeting the condition, as a number. */
const chatsWhere = (condition: SQL | undefined) =>
  sql<number>`count(distinct case when ${condition} then ${appointments.chatId} end)`.mapWith(Number);

/** A counsellor's name in SQLite's order: byte order, and no name (no profile) first. */
const byName = sql`${counsellors.displayName} collate "C" asc nulls first`;

/**
 * Creates the booking store over PostgreSQL. `now` defaults to Date.now.
 * `insert` rejects with SpeanError SPEAN_SLOT_TAKEN when the counsellor's slot is already held, as over SQLite.
 */
export function createPgBookingStore(db: PgDb, cipher: FieldCipher, now: () => number = Date.now): BookingStore {
  const q = () => executor(db);
  const read = (rows: (typeof appointments.$inferSelect)[]) => rows.map((r) => appointmentOf(cipher, r));
  const holding = inArray(appointments.status, [...HOLDING_STATUSES]);

  /** Weekly hours by counsellor, for one counsellor or (undefined) all, in one query. */
  async function hoursBy(counsellorId?: number): Promise<Map<number, WeeklyHours[]>> {
    const rows = await q()
      .select()
      .from(counsellorHours)
      .where(counsellorId === undefined ? undefined : eq(counsellorHours.counsellorId, counsellorId))
      .orderBy(asc(counsellorHours.weekday), asc(counsellorHours.startMinute), asc(counsellorHours.id));
    const hours = new Map<number, WeeklyHours[]>();
    for (const h of rows)
      hours.set(h.counsellorId, [
        ...(hours.get(h.counsellorId) ?? []),
        { site: h.site as Site, weekday: h.weekday, startMinute: h.startMinute, endMinute: h.endMinute },
      ]);
    return hours;
  }

  /** The totals of {@link SessionCounts}: one row over every appointment. */
  async function totals(inWindow: SQL | undefined, unmarked: SQL | undefined, at: number) {
    const status = appointments.status;
    const [row] = await q()
      .select({
        attended: countWhere(eq(status, "attended")),
        families: chatsWhere(eq(status, "attended")),
        windowFamilies: chatsWhere(and(eq(status, "attended"), inWindow)),
        unmarked: countWhere(unmarked),
        needCall: countWhere(
          and(eq(status, "booked"), gte(appointments.endsAt, at), sql`${appointments.flag} is not null`),
        ),
      })
      .from(appointments);
    return row!;
  }

  return withDriverErrors<BookingStore>({
    async saveCounsellor(profile) {
      const values = {
        displayName: profile.displayName,
        sites: JSON.stringify(profile.sites),
        topics: JSON.stringify(profile.topics),
        slotMinutes: profile.slotMinutes ?? 60,
        active: true,
        demo: profile.demo ?? false,
      };
      await q()
        .insert(counsellors)
        .values({ telegramUserId: profile.telegramUserId, ...values, createdAt: now() })
        .onConflictDoUpdate({ target: counsellors.telegramUserId, set: values });
    },

    async setHours(counsellorId, hours) {
      // Inside a unit of work this is a savepoint nested in the piece's, not a transaction of its own.
      await q().transaction(async (tx) => {
        await tx.delete(counsellorHours).where(eq(counsellorHours.counsellorId, counsellorId));
        if (hours.length > 0) await tx.insert(counsellorHours).values(hours.map((h) => ({ counsellorId, ...h })));
      });
    },

    async setCounsellorActive(counsellorId, active) {
      await q().update(counsellors).set({ active }).where(eq(counsellors.telegramUserId, counsellorId));
    },

    async counsellor(counsellorId) {
      const [row] = await q().select().from(counsellors).where(eq(counsellors.telegramUserId, counsellorId));
      return row ? counsellorOf(row, await hoursBy(counsellorId)) : undefined;
    },

    async activeCounsellors() {
      const hours = await hoursBy();
      const rows = await q()
        .select({ c: counsellors })
        .from(counsellors)
        .innerJoin(staffMembers, eq(staffMembers.telegramUserId, counsellors.telegramUserId))
        .where(and(eq(counsellors.active, true), eq(staffMembers.active, true)))
        .orderBy(asc(counsellors.telegramUserId));
      return rows.map((r) => counsellorOf(r.c, hours));
    },

    async addTimeOff(counsellorId, fromDate, toDate, createdBy) {
      await q().insert(counsellorTimeOff).values({ counsellorId, fromDate, toDate, createdBy, createdAt: now() });
    },

    async removeTimeOff(id, counsellorId) {
      const removed = await q()
        .delete(counsellorTimeOff)
        .where(and(eq(counsellorTimeOff.id, id), eq(counsellorTimeOff.counsellorId, counsellorId)));
      return removed.rowCount === 1;
    },

    async timeOff(fromDate, counsellorId) {
      const current = gte(counsellorTimeOff.toDate, fromDate);
      const rows = await q()
        .select()
        .from(counsellorTimeOff)
        .where(counsellorId === undefined ? current : and(current, eq(counsellorTimeOff.counsellorId, counsellorId)))
        .orderBy(asc(counsellorTimeOff.fromDate), asc(counsellorTimeOff.id));
      return rows.map((r) => ({ id: r.id, counsellorId: r.counsellorId, from: r.fromDate, to: r.toDate }));
    },

    async heldSlots(from, to) {
      return q()
        .select({
          counsellorId: appointments.counsellorId,
          startsAt: appointments.startsAt,
          endsAt: appointments.endsAt,
        })
        .from(appointments)
        .where(and(holding, lt(appointments.startsAt, to), gte(appointments.endsAt, from)))
        .orderBy(asc(appointments.counsellorId), asc(appointments.startsAt));
    },

    async insert(a) {
      const at = now();
      const [row] = await q()
        .insert(appointments)
        .values({
          chatId: a.chatId,
          counsellorId: a.counsellorId,
          topic: a.topic,
          site: a.site,
          startsAt: a.startsAt,
          endsAt: a.endsAt,
          forWhom: a.forWhom,
          familyNameEnc: a.familyName ? cipher.encrypt(a.familyName) : null,
          phoneEnc: a.phone ? cipher.encrypt(a.phone) : null,
          locale: a.locale,
          status: "booked",
          rescheduledFrom: a.rescheduledFrom ?? null,
          createdAt: at,
          updatedAt: at,
        })
        .onConflictDoNothing({
          target: [appointments.counsellorId, appointments.startsAt],
          where: SLOT_INDEX_PREDICATE,
        })
        .returning();
      if (!row)
        throw new SpeanError("SPEAN_SLOT_TAKEN", undefined, { counsellorId: a.counsellorId, startsAt: a.startsAt });
      return appointmentOf(cipher, row);
    },

    async get(id) {
      const [row] = await q().select().from(appointments).where(eq(appointments.id, id));
      return row ? appointmentOf(cipher, row) : undefined;
    },

    async upcoming(chatId) {
      return read(
        await q()
          .select()
          .from(appointments)
          .where(
            and(eq(appointments.chatId, chatId), eq(appointments.status, "booked"), gte(appointments.endsAt, now())),
          )
          .orderBy(asc(appointments.startsAt), asc(appointments.id)),
      );
    },

    async forCounsellor(counsellorId, from, to) {
      return read(
        await q()
          .select()
          .from(appointments)
          .where(
            and(
              eq(appointments.counsellorId, counsellorId),
              holding,
              gte(appointments.startsAt, from),
              lt(appointments.startsAt, to),
            ),
          )
          .orderBy(asc(appointments.startsAt), asc(appointments.id)),
      );
    },

    async bookedStartedBetween(from, to) {
      return read(
        await q()
          .select()
          .from(appointments)
          .where(
            and(eq(appointments.status, "booked"), gte(appointments.startsAt, from), lte(appointments.startsAt, to)),
          )
          .orderBy(asc(appointments.startsAt), asc(appointments.id)),
      );
    },

    async setStatus(id, status, markedBy) {
      const at = now();
      const marking = status === "attended" || status === "no_show";
      const updated = await q()
        .update(appointments)
        .set({ status, updatedAt: at, ...(marking ? { markedBy: markedBy ?? null, markedAt: at } : {}) })
        .where(and(eq(appointments.id, id), marking ? holding : eq(appointments.status, "booked")));
      return updated.rowCount === 1;
    },

    async setFlag(id, flag) {
      await q().update(appointments).set({ flag, updatedAt: now() }).where(eq(appointments.id, id));
    },

    async confirm(id) {
      await q().update(appointments).set({ confirmedAt: now(), updatedAt: now() }).where(eq(appointments.id, id));
    },

    async bookedIds(chatId) {
      const rows = await q()
        .select({ id: appointments.id })
        .from(appointments)
        .where(and(eq(appointments.chatId, chatId), eq(appointments.status, "booked")))
        .orderBy(asc(appointments.startsAt), asc(appointments.id));
      return rows.map((r) => r.id);
    },

    async forgetChat(chatId, anonymousId) {
      await q()
        .update(appointments)
        .set({ chatId: anonymousId, familyNameEnc: null, phoneEnc: null })
        .where(eq(appointments.chatId, chatId));
    },

    async purge(days) {
      const before = now() - days * 86_400_000;
      const purged = await q()
        .update(appointments)
        .set({ familyNameEnc: null, phoneEnc: null })
        .where(
          and(
            lte(appointments.endsAt, before),
            sql`(${appointments.familyNameEnc} is not null or ${appointments.phoneEnc} is not null)`,
          ),
        );
      return purged.rowCount ?? 0;
    },

    async sessionCounts(from, to, at): Promise<SessionCounts> {
      const status = appointments.status;
      const inWindow = and(gte(appointments.startsAt, from), lt(appointments.startsAt, to));
      const unmarked = and(eq(status, "booked"), lte(appointments.endsAt, at));
      const byCounsellor = await q()
        .select({
          name: sql<string>`coalesce(${counsellors.displayName}, '')`,
          attended: countWhere(eq(status, "attended")),
          noShow: countWhere(eq(status, "no_show")),
          cancelled: countWhere(eq(status, "cancelled")),
          unmarked: countWhere(unmarked),
          booked: countWhere(and(eq(status, "booked"), gte(appointments.endsAt, at))),
        })
        .from(appointments)
        .leftJoin(counsellors, eq(counsellors.telegramUserId, appointments.counsellorId))
        .where(and(inWindow, sql`${status} <> 'rescheduled'`))
        // The name is the counsellor's, one per counsellor id: grouping by it as well changes no group.
        .groupBy(appointments.counsellorId, counsellors.displayName)
        .orderBy(byName, asc(appointments.counsellorId));
      return { ...(await totals(inWindow, unmarked, at)), byCounsellor };
    },

    async unmarkedFor(counsellorId, from, to, at) {
      return read(
        await q()
          .select()
          .from(appointments)
          .where(
            and(
              eq(appointments.counsellorId, counsellorId),
              eq(appointments.status, "booked"),
              gte(appointments.startsAt, from),
              lt(appointments.startsAt, to),
              lte(appointments.endsAt, at),
            ),
          )
          .orderBy(asc(appointments.startsAt), asc(appointments.id)),
      );
    },
  });
}
