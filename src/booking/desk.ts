/**
 * Counselling appointments after the resident's choices: booking (a counsellor assigned, the slot held by the
 * database), reminders queued in the outbox, cancel and reschedule (old reminders cancelled in the same
 * transaction), what happens when a reminder cannot go out, counsellors' day lists and their attended / no-show
 * marks. Synchronous and free of network I/O: everything that reaches Telegram is an outbox row.
 */
import type { Locale } from "../base/locale.ts";
import { type Button, type Reply, type TextRef, text } from "../base/reply.ts";
import { CALLBACK_PREFIXES, type CallbackPrefix, decodeVerbButton, encodeVerbButton } from "../engine/callback-data.ts";
import { SpeanError } from "../base/errors.ts";
import type { Translator } from "../i18n/translator.ts";
import { toIsoDate, type CalendarDate } from "../base/calendar-date.ts";
import { localDigits } from "../khmer/digits.ts";
import { formatClock, formatDate, formatDateTime } from "../khmer/when.ts";
import { composeReply } from "../outbox/compose.ts";
import type { OutboxHooks } from "../outbox/hooks.ts";
import type { Message } from "../outbox/message.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { OutboxRow, OutboxStore } from "../outbox/store.ts";
import { addDays, instantAt, localTime } from "../base/local-time.ts";
import { MINUTE_MS } from "../base/time.ts";
import { may } from "../features/roles.ts";
import type { StaffStore } from "../staff/store.ts";
import type { Appointment, BookingRequest } from "./model.ts";
import { planReminders, type ReminderPolicy, rungTime } from "./reminders.ts";
import type { FreeSlot, SlotFinder } from "./slots.ts";
import type { BookingStore } from "./store.ts";

export interface BookingDeskOptions {
  store: BookingStore;
  slots: SlotFinder;
  outbox: OutboxStore;
  staff: StaffStore;
  translator: Translator;
  policy: ReminderPolicy;
  /** A reminder going out later than this after its planned time says it is late (default 15 minutes). */
  lateGraceMinutes?: number;
  staffChatId: number | undefined;
  staffLocale: Locale;
  /** The language a staff member or resident chose, if any. */
  localeOf: (chatId: number) => Promise<Locale | undefined>;
  now: () => number;
}

export type BookResult = { ok: true; appointment: Appointment } | { ok: false; nearest: FreeSlot[] };

/** A resident's button on a reminder or an appointment: a:<verb>:<appointment id, base 36>. */
export type ResidentVerb = "coming" | "reschedule" | "cancel";
/** A counsellor's button on a day-list entry: v:<verb>:<appointment id, base 36>. */
export type CounsellorVerb = "attended" | "no_show" | "phone";

const RESIDENT_CODES: Record<ResidentVerb, string> = { coming: "y", reschedule: "r", cancel: "c" };
/** How far back a counsellor's list looks for appointments left without a mark. */
const UNMARKED_LOOKBACK_DAYS = 30;
/** At most this many of those are shown at once (oldest first), so that a list stays readable. */
const MAX_UNMARKED_CARDS = 10;
const COUNSELLOR_CODES: Record<CounsellorVerb, string> = { attended: "a", no_show: "n", phone: "p" };

export function residentButtonData(verb: ResidentVerb, appointmentId: number): string {
  return encodeVerbButton(CALLBACK_PREFIXES.appointment, RESIDENT_CODES[verb], appointmentId);
}

export function parseResidentButton(data: string): { verb: ResidentVerb; appointmentId: number } | undefined {
  return parseButton(data, CALLBACK_PREFIXES.appointment, RESIDENT_CODES);
}

export function counsellorButtonData(verb: CounsellorVerb, appointmentId: number): string {
  return encodeVerbButton(CALLBACK_PREFIXES.counsellor, COUNSELLOR_CODES[verb], appointmentId);
}

export function parseCounsellorButton(data: string): { verb: CounsellorVerb; appointmentId: number } | undefined {
  return parseButton(data, CALLBACK_PREFIXES.counsellor, COUNSELLOR_CODES);
}

function parseButton<V extends string>(
  data: string,
  prefix: CallbackPrefix,
  codes: Record<V, string>,
): { verb: V; appointmentId: number } | undefined {
  const button = decodeVerbButton(prefix, data);
  const verb = (Object.keys(codes) as V[]).find((v) => codes[v] === button?.code);
  return button && verb ? { verb, appointmentId: button.id } : undefined;
}

/** The outbox dedupe-key prefix of an appointment's reminders. */
/** Reminders of an appointment in the outbox (rung: minutes before it). */
export const REMINDER_SUBJECT = "reminder";

export type BookingDesk = ReturnType<typeof createBookingDesk>;

export function createBookingDesk(options: BookingDeskOptions) {
  const { store, slots, outbox, staff, translator, policy, now } = options;
  const tz = policy.timeZone;
  const lateGrace = (options.lateGraceMinutes ?? 15) * MINUTE_MS;
  const localeOf = async (chatId: number) => (await options.localeOf(chatId)) ?? options.staffLocale;

  // ---- how an appointment reads ----

  /** "ថ្ងៃអង្គារ ទី២៥ ខែវិច្ឆិកា ម៉ោង ៩:៣០ ព្រឹក" in the given language. */
  function when(locale: Locale, startsAt: number): string {
    const local = localTime(startsAt, tz);
    return formatDateTime(locale, local.date, local.minute);
  }

  function whoLine(a: Pick<Appointment, "forWhom" | "familyName">): TextRef {
    return a.forWhom === "family" ? text("booking.for_family", { name: a.familyName ?? "" }) : text("booking.for_self");
  }

  /** The lines a resident sees about an appointment (the topic is left out of reminders on purpose). */
  function residentCard(a: Appointment, locale: Locale, withTopic: boolean): TextRef[] {
    return [
      text("booking.card_when", { when: when(locale, a.startsAt) }),
      text("booking.card_place", { place: text(`booking.site_${a.site}`) }),
      ...(withTopic ? [text("booking.card_topic", { topic: text(`booking.topic_${a.topic}`) })] : []),
      text("booking.card_who", { who: whoLine(a) }),
    ];
  }

  function residentButtons(a: Appointment): Button[][] {
    return [
      [
        {
          label: text(a.site === "phone" ? "booking.coming_phone" : "booking.coming"),
          data: residentButtonData("coming", a.id),
        },
      ],
      [
        { label: text("booking.reschedule"), data: residentButtonData("reschedule", a.id) },
        { label: text("booking.cancel"), data: residentButtonData("cancel", a.id) },
      ],
    ];
  }

  function reminderReply(a: Appointment, late: boolean): Reply {
    const heading = late ? text("booking.reminder_late") : text("booking.reminder");
    // Discreet: silent and not forwardable, since a reminder's lock-screen preview may be read by someone else.
    return {
      text: [heading, text("common.lines", { lines: residentCard(a, a.locale, false) })],
      buttons: residentButtons(a),
      discreet: true,
    };
  }

  /** The lines a counsellor sees: time, place, topic, for whom; never the phone number (that is a pop-up). */
  function counsellorCard(a: Appointment, locale: Locale, status?: TextRef): Reply {
    const lines = [
      text("booking.staff_card_when", { when: when(locale, a.startsAt) }),
      text("booking.card_place", { place: text(`booking.site_${a.site}`) }),
      text("booking.card_topic", { topic: text(`booking.topic_${a.topic}`) }),
      text("booking.card_who", { who: whoLine(a) }),
      text("booking.staff_card_ref", { ref: appointmentRef(a.id) }),
      ...(a.flag ? [text(`booking.flag_${a.flag}`)] : []),
      ...(status ? [status] : []),
    ];
    const buttons: Button[][] = [];
    if (!status && a.status === "booked") {
      buttons.push([
        { label: text("booking.mark_attended"), data: counsellorButtonData("attended", a.id) },
        { label: text("booking.mark_no_show"), data: counsellorButtonData("no_show", a.id) },
      ]);
      if (a.site === "phone")
        buttons.push([{ label: text("booking.show_phone"), data: counsellorButtonData("phone", a.id) }]);
    }
    return { text: [text("common.lines", { lines })], buttons };
  }

  // ---- reminders ----

  async function queueReminders(a: Appointment, bookedAt: number): Promise<void> {
    for (const planned of planReminders(a.startsAt, bookedAt, policy)) {
      await queueReply(outbox, translator, {
        chatId: a.chatId,
        dedupeKey: `reminder:${a.id}:${planned.rung}`,
        subject: { kind: REMINDER_SUBJECT, id: a.id, rung: planned.rung },
        reply: reminderReply(a, false),
        locale: a.locale,
        purpose: "reminder",
        notBefore: planned.at,
      });
    }
  }

  async function tellCounsellor(a: Appointment, key: string, dedupeKey: string): Promise<void> {
    const locale = await localeOf(a.counsellorId);
    await queueReply(outbox, translator, {
      chatId: a.counsellorId,
      dedupeKey,
      reply: { text: [text(key), ...counsellorCard(a, locale).text] },
      locale,
      purpose: "alert",
    });
  }

  async function tellStaffChat(a: Appointment, key: string, dedupeKey: string): Promise<void> {
    if (options.staffChatId === undefined) return;
    const counsellor = await store.counsellor(a.counsellorId);
    const reply = {
      text: [
        text(key, {
          ref: appointmentRef(a.id),
          when: when(options.staffLocale, a.startsAt),
          counsellor: counsellor?.displayName ?? "",
        }),
      ],
    };
    await queueReply(outbox, translator, {
      chatId: options.staffChatId,
      dedupeKey,
      reply,
      locale: options.staffLocale,
      purpose: "alert",
    });
  }

  // ---- booking ----

  /**
   * Books a free slot: tries each free counsellor at that time, least busy first; the database refuses a slot
   * someone else took a moment ago, and the next counsellor is tried. When none is left, returns the nearest
   * free slots instead.
   */
  async function book(request: BookingRequest, rescheduledFrom?: number): Promise<BookResult> {
    const slot = await slots.slotAt(request.topic, request.site, request.startsAt);
    for (const counsellor of slot?.counsellors ?? []) {
      try {
        const appointment = await store.insert({
          ...request,
          counsellorId: counsellor.id,
          endsAt: counsellor.endsAt,
          ...(rescheduledFrom !== undefined ? { rescheduledFrom } : {}),
        });
        await queueReminders(appointment, now());
        await tellCounsellor(
          appointment,
          rescheduledFrom === undefined ? "booking.staff_new" : "booking.staff_moved_here",
          `booked:${appointment.id}`,
        );
        return { ok: true, appointment };
      } catch (err) {
        if (!(err instanceof SpeanError && err.code === "SPEAN_SLOT_TAKEN")) throw err;
      }
    }
    return { ok: false, nearest: await slots.nearest(request.topic, request.site, request.startsAt) };
  }

  /** The appointment if it belongs to the chat and is still booked. */
  async function ownBooked(chatId: number, appointmentId: number): Promise<Appointment | undefined> {
    // An id read from a flow variable or a button may be anything; only a whole number can name an appointment.
    if (!Number.isSafeInteger(appointmentId)) return undefined;
    const a = await store.get(appointmentId);
    return a && a.chatId === chatId && a.status === "booked" ? a : undefined;
  }

  async function cancel(chatId: number, appointmentId: number): Promise<Appointment | undefined> {
    const a = await ownBooked(chatId, appointmentId);
    if (!a || !(await store.setStatus(a.id, "cancelled"))) return undefined;
    await outbox.cancelAbout(REMINDER_SUBJECT, a.id);
    await tellCounsellor(a, "booking.staff_cancelled", `cancelled:${a.id}`);
    return a;
  }

  /**
   * /forget: the chat's upcoming appointments are cancelled with their reminders, and each counsellor is told the
   * appointment's reference and time, nothing about the family. Returns how many were cancelled.
   */
  async function cancelAllForForget(chatId: number): Promise<number> {
    let cancelled = 0;
    for (const a of await store.upcoming(chatId)) {
      if (!(await store.setStatus(a.id, "cancelled"))) continue;
      await outbox.cancelAbout(REMINDER_SUBJECT, a.id);
      const locale = await localeOf(a.counsellorId);
      const notice = text("booking.staff_forgotten", { ref: appointmentRef(a.id), when: when(locale, a.startsAt) });
      await queueReply(outbox, translator, {
        chatId: a.counsellorId,
        dedupeKey: `forgotten:${a.id}`,
        reply: { text: [notice] },
        locale,
        purpose: "alert",
      });
      cancelled++;
    }
    return cancelled;
  }

  /** Moves an appointment: the new one is booked first; only then is the old one released with its reminders. */
  async function reschedule(chatId: number, appointmentId: number, startsAt: number): Promise<BookResult | undefined> {
    const old = await ownBooked(chatId, appointmentId);
    if (!old) return undefined;
    const request: BookingRequest = {
      chatId,
      topic: old.topic,
      site: old.site,
      startsAt,
      forWhom: old.forWhom,
      locale: old.locale,
      ...(old.familyName ? { familyName: old.familyName } : {}),
      ...(old.phone ? { phone: old.phone } : {}),
    };
    const result = await book(request, old.id);
    if (!result.ok) return result;
    await store.setStatus(old.id, "rescheduled");
    await outbox.cancelAbout(REMINDER_SUBJECT, old.id);
    await tellCounsellor(old, "booking.staff_moved_away", `moved:${old.id}`);
    return result;
  }

  // ---- when reminders cannot go out as planned ----

  /** A reminder that will never be sent because its appointment has begun: recorded, and people are told. */
  async function recordMissed(a: Appointment): Promise<void> {
    await store.setFlag(a.id, "reminder_missed");
    const flagged = { ...a, flag: "reminder_missed" as const };
    await tellCounsellor(flagged, "booking.staff_reminder_missed", `missed:${a.id}`);
    await tellStaffChat(flagged, "booking.staff_chat_reminder_missed", `missed-staff:${a.id}`);
  }

  /**
   * Decides, just before the sender sends it, what happens to a reminder: sent as queued; rewritten to say it is
   * late (its planned time passed more than the grace period ago and the appointment has not begun); or dropped
   * (the appointment was cancelled or moved, or has begun: then it is recorded as missed and staff are told).
   */
  async function beforeSend(row: OutboxRow): Promise<OutboxRow | undefined> {
    if (row.subject?.rung === undefined) return row;
    const a = await store.get(row.subject.id);
    if (!a || a.status !== "booked") return undefined;
    const at = now();
    if (at >= a.startsAt) {
      await recordMissed(a);
      return undefined;
    }
    if (at <= rungTime(a.startsAt, row.subject.rung, policy) + lateGrace) return row;
    // The same outbox row goes out with the late wording (a reminder is one short message).
    const [late] = composeReply(reminderReply(a, true), a.locale, translator) as [Message];
    return { ...row, message: late };
  }

  /**
   * Reminders still queued for appointments that have begun (the service was down, or the chat was held up):
   * cancelled, recorded as missed, staff told. Run every minute; returns how many appointments.
   */
  async function sweepMissed(): Promise<number> {
    let missed = 0;
    const at = now();
    for (const a of await store.bookedStartedBetween(at - 86_400_000, at)) {
      if ((await outbox.cancelAbout(REMINDER_SUBJECT, a.id)) === 0) continue;
      await recordMissed(a);
      missed++;
    }
    return missed;
  }

  /** A reminder Telegram refused for good (blocked, chat not found): flagged, so that a person can call. */
  async function onUnreachable(row: OutboxRow): Promise<boolean> {
    if (!row.subject) return false;
    const a = await store.get(row.subject.id);
    if (!a || a.status !== "booked") return true;
    await store.setFlag(a.id, "unreachable");
    await outbox.cancelAbout(REMINDER_SUBJECT, a.id);
    const flagged = { ...a, flag: "unreachable" as const };
    await tellCounsellor(flagged, "booking.staff_unreachable", `unreachable:${a.id}`);
    await tellStaffChat(flagged, "booking.staff_chat_unreachable", `unreachable-staff:${a.id}`);
    return true;
  }

  /** After quick exit (which cancels everything queued for the chat): the counsellor's list shows "no reminders". */
  async function remindersCancelledByQuickExit(chatId: number): Promise<void> {
    for (const id of await store.bookedIds(chatId)) await store.setFlag(id, "reminders_off");
  }

  // ---- counsellors ----

  function dayBounds(date: CalendarDate): [number, number] {
    return [instantAt(date, 0, tz), instantAt(addDays(date, 1), 0, tz)];
  }

  /**
   * A counsellor's appointments on a day: a heading, then one message per appointment with its buttons; then, so
   * that every session gets counted, the earlier days' appointments still waiting for a mark (see
   * UNMARKED_LOOKBACK_DAYS and MAX_UNMARKED_CARDS).
   */
  async function dayList(counsellorId: number, date: CalendarDate): Promise<Reply[]> {
    const locale = await localeOf(counsellorId);
    const [dayStart, dayEnd] = dayBounds(date);
    const list = await store.forCounsellor(counsellorId, dayStart, dayEnd);
    const heading = text(list.length ? "booking.staff_day_heading" : "booking.staff_day_empty", {
      date: formatDate(locale, date),
      count: localDigits(locale, list.length),
    });
    const today = [{ text: [heading] }];
    for (const a of list)
      today.push(counsellorCard(a, locale, a.status === "booked" ? undefined : await markLine(a, locale)));
    const unmarked = await store.unmarkedFor(
      counsellorId,
      instantAt(addDays(date, -UNMARKED_LOOKBACK_DAYS), 0, tz),
      dayStart,
      now(),
    );
    if (unmarked.length === 0) return today;
    const shown = unmarked.slice(0, MAX_UNMARKED_CARDS);
    const earlier = [text("booking.staff_unmarked_heading", { count: localDigits(locale, unmarked.length) })];
    if (shown.length < unmarked.length)
      earlier.push(text("booking.staff_unmarked_more", { shown: localDigits(locale, shown.length) }));
    return [
      ...today,
      { text: [text("common.lines", { lines: earlier })] },
      ...shown.map((a) => counsellorCard(a, locale)),
    ];
  }

  async function markLine(a: Appointment, locale: Locale): Promise<TextRef> {
    const by = a.markedBy === null ? "" : ((await staff.get(a.markedBy))?.displayName ?? "");
    const time = a.markedAt === null ? "" : formatClock(locale, localTime(a.markedAt, tz).minute);
    return text(`booking.marked_${a.status === "attended" ? "attended" : "no_show"}`, { by, time });
  }

  /** Queues each counsellor's list for `date` (the morning job); returns how many counsellors got one. */
  async function postDayLists(date: CalendarDate): Promise<number> {
    let posted = 0;
    for (const counsellor of await store.activeCounsellors()) {
      const replies = await dayList(counsellor.telegramUserId, date);
      if (replies.length <= 1) continue;
      const locale = await localeOf(counsellor.telegramUserId);
      for (const [i, reply] of replies.entries())
        await queueReply(outbox, translator, {
          chatId: counsellor.telegramUserId,
          dedupeKey: `daylist:${toIsoDate(date)}:${counsellor.telegramUserId}:${i}`,
          reply,
          locale,
          purpose: "alert",
        });
      posted++;
    }
    return posted;
  }

  /**
   * A counsellor's button press (attended / no-show / show phone). Only the appointment's own counsellor, or a
   * supervisor or admin, may; every attempt is recorded. Returns the pop-up text, and for a mark the card to put
   * in place of the pressed message.
   */
  async function press(
    userId: number,
    verb: CounsellorVerb,
    appointmentId: number,
  ): Promise<{ notice: TextRef; alert?: boolean; card?: Reply }> {
    const member = await staff.get(userId);
    const a = await store.get(appointmentId);
    const allowed =
      a !== undefined &&
      ((a.counsellorId === userId && may(member?.role, "mark_own_appointment")) ||
        may(member?.role, "mark_any_appointment"));
    await staff.audit(userId, `appointment_${verb}`, undefined, allowed);
    if (!allowed || !a) return { notice: text("booking.staff_not_allowed"), alert: true };
    const locale = await localeOf(userId);
    if (verb === "phone") {
      return a.phone
        ? { notice: text("booking.staff_phone", { phone: a.phone }), alert: true }
        : { notice: text("booking.staff_no_phone"), alert: true };
    }
    if (a.status !== "booked")
      return {
        notice: text("booking.staff_already_marked"),
        card: counsellorCard(a, locale, await markLine(a, locale)),
      };
    if (now() < a.startsAt) return { notice: text("booking.staff_not_started"), alert: true };
    await store.setStatus(a.id, verb, userId);
    const marked = (await store.get(a.id)) as Appointment;
    return {
      notice: text(`booking.marked_${verb}_short`),
      card: counsellorCard(marked, locale, await markLine(marked, locale)),
    };
  }

  return {
    book,
    cancel,
    reschedule,
    ownBooked,
    upcoming: (chatId: number) => store.upcoming(chatId),
    async confirmComing(chatId: number, appointmentId: number): Promise<Appointment | undefined> {
      const a = await ownBooked(chatId, appointmentId);
      if (a) await store.confirm(a.id);
      return a;
    },
    residentCard,
    when,
    /** Reminders are rewritten or dropped just before they are sent, and flagged when the chat cannot be reached. */
    cancelAllForForget,
    reminderHooks: { beforeSend, onUnreachable } satisfies OutboxHooks,
    sweepMissed,
    remindersCancelledByQuickExit,
    dayList,
    postDayLists,
    press,
  };
}

/** "A-0012": how staff refer to an appointment (no name in it). */
export function appointmentRef(id: number): string {
  return `A-${String(id).padStart(4, "0")}`;
}
