/**
 * Counsellors, their weekly hours, and appointments. Names and phone numbers are encrypted; the database's partial
 * unique index (appointments_counsellor_slot) refuses a second appointment in a counsellor's held slot, whatever
 * the code above it checked.
 */
import { and, asc, eq, gte, inArray, lt, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { appointments, counsellorHours, counsellors, counsellorTimeOff, staffMembers } from "../db/schema.ts";
import { SpeanError } from "../base/errors.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import type {
  Appointment,
  AppointmentFlag,
  AppointmentStatus,
  BookingRequest,
  Counsellor,
  Site,
  Topic,
  WeeklyHours,
} from "./model.ts";
import { asyncMethods } from "../db/async-store.ts";

/** Statuses that hold a counsellor's slot (cancelled and moved appointments free it). */
export const HOLDING_STATUSES: readonly AppointmentStatus[] = ["booked", "attended", "no_show"];

/** Counts for the programme's sessions report (see {@link BookingStore.sessionCounts}). */
export interface SessionCounts {
  /** Attended sessions, ever. */
  attended: number;
  /** Chats with at least one attended session, ever. */
  families: number;
  /** Chats with an attended session in the window. */
  windowFamilies: number;
  /** Booked appointments that have ended without a mark. */
  unmarked: number;
  /** Coming booked appointments with a flag (unreachable, reminder missed, reminders off). */
  needCall: number;
  /** The window's appointments by counsellor (moved ones left out: their replacement counts). */
  byCounsellor: {
    name: string;
    attended: number;
    noShow: number;
    cancelled: number;
    unmarked: number;
    booked: number;
  }[];
}

/** `sum` of a condition, 0 over no rows. */
const countWhere = (condition: SQL | undefined) =>
  sql<number>`coalesce(sum(case when ${condition} then 1 else 0 end), 0)`;

/** A resident's request with the counsellor assigned to it. */
export interface NewAppointment extends BookingRequest {
  counsellorId: number;
  endsAt: number;
  rescheduledFrom?: number;
}

export interface CounsellorProfile {
  telegramUserId: number;
  displayName: string;
  sites: readonly Site[];
  topics: readonly Topic[];
  /** Default 60. */
  slotMinutes?: number;
  demo?: boolean;
}

/** The columns of an appointment row (the same on SQLite and PostgreSQL). */
export type AppointmentRow = typeof appointments.$inferSelect;
/** The columns of a counsellor row (the same on SQLite and PostgreSQL). */
export type CounsellorRow = typeof counsellors.$inferSelect;

/** An appointment as the desk reads it, its family name and phone decrypted. */
export function appointmentOf(cipher: FieldCipher, r: AppointmentRow): Appointment {
  return {
    id: r.id,
    chatId: r.chatId,
    counsellorId: r.counsellorId,
    topic: r.topic as Topic,
    site: r.site as Site,
    startsAt: r.startsAt,
    endsAt: r.endsAt,
    forWhom: r.forWhom,
    familyName: r.familyNameEnc ? cipher.decrypt(r.familyNameEnc) : undefined,
    phone: r.phoneEnc ? cipher.decrypt(r.phoneEnc) : undefined,
    locale: r.locale,
    status: r.status,
    flag: r.flag as AppointmentFlag | null,
    rescheduledFrom: r.rescheduledFrom,
    confirmedAt: r.confirmedAt,
    markedBy: r.markedBy,
    markedAt: r.markedAt,
    createdAt: r.createdAt,
  };
}

/** A counsellor's profile with their weekly hours (from `hours`, by counsellor). */
export function counsellorOf(r: CounsellorRow, hours: Map<number, WeeklyHours[]>): Counsellor {
  return {
    telegramUserId: r.telegramUserId,
    displayName: r.displayName,
    sites: JSON.parse(r.sites) as Site[],
    topics: JSON.parse(r.topics) as Topic[],
    slotMinutes: r.slotMinutes,
    active: r.active,
    demo: r.demo,
    hours: hours.get(r.telegramUserId) ?? [],
  };
}

export type BookingStore = ReturnType<typeof createBookingStore>;

/** Creates the booking store. `now` defaults to Date.now. */
export function createBookingStore(db: Db, cipher: FieldCipher, now: () => number = Date.now) {
  const toAppointment = (r: AppointmentRow) => appointmentOf(cipher, r);

  /** Weekly hours by counsellor, for one counsellor or (undefined) all, in one query. */
  function hoursBy(counsellorId?: number): Map<number, WeeklyHours[]> {
    const rows = db
      .select()
      .from(counsellorHours)
      .where(counsellorId === undefined ? undefined : eq(counsellorHours.counsellorId, counsellorId))
      .orderBy(asc(counsellorHours.weekday), asc(counsellorHours.startMinute))
      .all();
    const hours = new Map<number, WeeklyHours[]>();
    for (const h of rows)
      hours.set(h.counsellorId, [
        ...(hours.get(h.counsellorId) ?? []),
        { site: h.site as Site, weekday: h.weekday, startMinute: h.startMinute, endMinute: h.endMinute },
      ]);
    return hours;
  }

  const holding = inArray(appointments.status, [...HOLDING_STATUSES]);

  return asyncMethods({
    /** Adds or updates a counsellor's profile (not their hours). */
    saveCounsellor(profile: CounsellorProfile): void {
      const values = {
        displayName: profile.displayName,
        sites: JSON.stringify(profile.sites),
        topics: JSON.stringify(profile.topics),
        slotMinutes: profile.slotMinutes ?? 60,
        active: true,
        demo: profile.demo ?? false,
      };
      db.insert(counsellors)
        .values({ telegramUserId: profile.telegramUserId, ...values, createdAt: now() })
        .onConflictDoUpdate({ target: counsellors.telegramUserId, set: values })
        .run();
    },

    /** Replaces a counsellor's weekly hours. */
    setHours(counsellorId: number, hours: readonly WeeklyHours[]): void {
      db.transaction(() => {
        db.delete(counsellorHours).where(eq(counsellorHours.counsellorId, counsellorId)).run();
        for (const h of hours)
          db.insert(counsellorHours)
            .values({ counsellorId, ...h })
            .run();
      });
    },

    setCounsellorActive(counsellorId: number, active: boolean): void {
      db.update(counsellors).set({ active }).where(eq(counsellors.telegramUserId, counsellorId)).run();
    },

    counsellor(counsellorId: number): Counsellor | undefined {
      const row = db.select().from(counsellors).where(eq(counsellors.telegramUserId, counsellorId)).get();
      return row ? counsellorOf(row, hoursBy(counsellorId)) : undefined;
    },

    /** Counsellors taking bookings: active here and still active staff. */
    activeCounsellors(): Counsellor[] {
      const hours = hoursBy();
      return db
        .select({ c: counsellors })
        .from(counsellors)
        .innerJoin(staffMembers, eq(staffMembers.telegramUserId, counsellors.telegramUserId))
        .where(and(eq(counsellors.active, true), eq(staffMembers.active, true)))
        .orderBy(asc(counsellors.telegramUserId))
        .all()
        .map((r) => counsellorOf(r.c, hours));
    },

    /** Adds days off (inclusive local dates YYYY-MM-DD) for a counsellor; no new sessions are offered on them. */
    addTimeOff(counsellorId: number, fromDate: string, toDate: string, createdBy: number | null): void {
      db.insert(counsellorTimeOff).values({ counsellorId, fromDate, toDate, createdBy, createdAt: now() }).run();
    },

    removeTimeOff(id: number, counsellorId: number): boolean {
      return (
        db
          .delete(counsellorTimeOff)
          .where(and(eq(counsellorTimeOff.id, id), eq(counsellorTimeOff.counsellorId, counsellorId)))
          .run().changes === 1
      );
    },

    /** Time off that ends on or after `fromDate` (YYYY-MM-DD), by counsellor (all counsellors when none given). */
    timeOff(fromDate: string, counsellorId?: number): { id: number; counsellorId: number; from: string; to: string }[] {
      const current = gte(counsellorTimeOff.toDate, fromDate);
      return db
        .select()
        .from(counsellorTimeOff)
        .where(counsellorId === undefined ? current : and(current, eq(counsellorTimeOff.counsellorId, counsellorId)))
        .orderBy(asc(counsellorTimeOff.fromDate))
        .all()
        .map((r) => ({ id: r.id, counsellorId: r.counsellorId, from: r.fromDate, to: r.toDate }));
    },

    /** Slots held between two instants (start inclusive, end exclusive), by counsellor and start. */
    heldSlots(from: number, to: number): { counsellorId: number; startsAt: number; endsAt: number }[] {
      return db
        .select({
          counsellorId: appointments.counsellorId,
          startsAt: appointments.startsAt,
          endsAt: appointments.endsAt,
        })
        .from(appointments)
        .where(and(holding, lt(appointments.startsAt, to), gte(appointments.endsAt, from)))
        .all();
    },

    /**
     * Inserts a booked appointment.
     * @throws {SpeanError} SPEAN_SLOT_TAKEN when the counsellor's slot is already held (the unique index said no).
     */
    insert(a: NewAppointment): Appointment {
      const at = now();
      try {
        const [row] = db
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
          .returning()
          .all();
        return toAppointment(row as AppointmentRow);
      } catch (err) {
        if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE")
          throw new SpeanError("SPEAN_SLOT_TAKEN", undefined, { counsellorId: a.counsellorId, startsAt: a.startsAt });
        throw err;
      }
    },

    get(id: number): Appointment | undefined {
      const row = db.select().from(appointments).where(eq(appointments.id, id)).get();
      return row ? toAppointment(row) : undefined;
    },

    /** A chat's booked appointments that have not ended, soonest first. */
    upcoming(chatId: number): Appointment[] {
      return db
        .select()
        .from(appointments)
        .where(and(eq(appointments.chatId, chatId), eq(appointments.status, "booked"), gte(appointments.endsAt, now())))
        .orderBy(asc(appointments.startsAt))
        .all()
        .map(toAppointment);
    },

    /** A counsellor's appointments starting in [from, to), any status except cancelled/moved, by time. */
    forCounsellor(counsellorId: number, from: number, to: number): Appointment[] {
      return db
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
        .orderBy(asc(appointments.startsAt))
        .all()
        .map(toAppointment);
    },

    /** Booked appointments that started in [from, to] (reminders still queued for them can no longer help). */
    bookedStartedBetween(from: number, to: number): Appointment[] {
      return db
        .select()
        .from(appointments)
        .where(and(eq(appointments.status, "booked"), gte(appointments.startsAt, from), lte(appointments.startsAt, to)))
        .all()
        .map(toAppointment);
    },

    /** Moves a booked appointment to another status; false when it was no longer booked. */
    setStatus(id: number, status: AppointmentStatus, markedBy?: number): boolean {
      const at = now();
      const marking = status === "attended" || status === "no_show";
      return (
        db
          .update(appointments)
          .set({ status, updatedAt: at, ...(marking ? { markedBy: markedBy ?? null, markedAt: at } : {}) })
          .where(and(eq(appointments.id, id), marking ? holding : eq(appointments.status, "booked")))
          .run().changes === 1
      );
    },

    setFlag(id: number, flag: AppointmentFlag): void {
      db.update(appointments).set({ flag, updatedAt: now() }).where(eq(appointments.id, id)).run();
    },

    confirm(id: number): void {
      db.update(appointments).set({ confirmedAt: now(), updatedAt: now() }).where(eq(appointments.id, id)).run();
    },

    /** Booked appointments of a chat (quick exit turns their reminders off). */
    bookedIds(chatId: number): number[] {
      return db
        .select({ id: appointments.id })
        .from(appointments)
        .where(and(eq(appointments.chatId, chatId), eq(appointments.status, "booked")))
        .all()
        .map((r) => r.id);
    },

    /** /forget: the chat's appointments move to `anonymousId` and lose the family member's name and phone. */
    forgetChat(chatId: number, anonymousId: number): void {
      db.update(appointments)
        .set({ chatId: anonymousId, familyNameEnc: null, phoneEnc: null })
        .where(eq(appointments.chatId, chatId))
        .run();
    },

    /** Erases names and phone numbers of appointments that ended more than `days` ago; returns how many. */
    purge(days: number): number {
      const before = now() - days * 86_400_000;
      return db
        .update(appointments)
        .set({ familyNameEnc: null, phoneEnc: null })
        .where(
          and(
            lte(appointments.endsAt, before),
            sql`(${appointments.familyNameEnc} is not null or ${appointments.phoneEnc} is not null)`,
          ),
        )
        .run().changes;
    },

    /**
     * What the programme counts (see report.ts): attended sessions and the families (chats) they served, overall
     * and for appointments starting in [from, to), by counsellor; and, as of `at`, booked appointments that ended
     * without a mark, and coming ones flagged for a phone call.
     */
    sessionCounts(from: number, to: number, at: number): SessionCounts {
      const status = appointments.status;
      const inWindow = and(gte(appointments.startsAt, from), lt(appointments.startsAt, to));
      const unmarked = and(eq(status, "booked"), lte(appointments.endsAt, at));
      const attendedInWindow = and(eq(status, "attended"), inWindow);
      const totals = db
        .select({
          attended: countWhere(eq(status, "attended")),
          families: sql<number>`count(distinct case when ${eq(status, "attended")} then ${appointments.chatId} end)`,
          windowFamilies: sql<number>`count(distinct case when ${attendedInWindow} then ${appointments.chatId} end)`,
          unmarked: countWhere(unmarked),
          needCall: countWhere(
            and(eq(status, "booked"), gte(appointments.endsAt, at), sql`${appointments.flag} is not null`),
          ),
        })
        .from(appointments)
        .get() as Omit<SessionCounts, "byCounsellor">;
      const byCounsellor = db
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
        .groupBy(appointments.counsellorId)
        .orderBy(asc(counsellors.displayName))
        .all();
      return { ...totals, byCounsellor };
    },

    /** A counsellor's booked appointments that started in [from, to) and ended by `at` without a mark, oldest first. */
    unmarkedFor(counsellorId: number, from: number, to: number, at: number): Appointment[] {
      return db
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
        .orderBy(asc(appointments.startsAt))
        .all()
        .map(toAppointment);
    },
  });
}
