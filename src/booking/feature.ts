/**
 * Counselling booking as one feature: the booking screens (flow.ts), reminders and what happens when one cannot be
 * delivered, counsellors' /today lists and their attended / no-show / phone buttons, /sessions for the programme's
 * figures, and what quick exit and retention do to appointments.
 */
import { calendarDateIn } from "../base/calendar-date.ts";
import { todayIn } from "../base/local-time.ts";
import { text } from "../base/reply.ts";
import { CALLBACK_PREFIXES } from "../engine/callback-data.ts";
import type { ButtonInput, ButtonOutcome, CommandInput, Feature } from "../features/contract.ts";
import { appointmentRef, type BookingDesk, parseCounsellorButton, REMINDER_SUBJECT } from "./desk.ts";
import { BOOKING_TEXT_KEYS, createBookingFlow } from "./flow.ts";
import { parseReportMonth, sessionsReport } from "./report.ts";
import type { SlotFinder } from "./slots.ts";
import type { BookingStore } from "./store.ts";

export interface BookingFeatureOptions {
  desk: BookingDesk;
  store: BookingStore;
  slots: SlotFinder;
  timeZone: string;
  /** The language of staff-facing reports. */
  staffLocale: "km" | "en";
  /** The programme's counselling targets, shown against the month's figures in /sessions. */
  programmeTargets: { sessions: number; families: number };
  /** When counsellors get their day's list (local time, weekdays). */
  counsellorListTime: { hour: number; minute: number };
  now: () => number;
}

export function createBookingFeature(options: BookingFeatureOptions): Feature {
  const { desk, timeZone, now } = options;
  const flow = createBookingFlow(options);

  /** A counsellor's mark; the pressed entry is rewritten to show it (and loses its buttons). */
  async function press(input: ButtonInput): Promise<ButtonOutcome> {
    const button = parseCounsellorButton(input.data);
    if (!button) return { notice: text("common.expired_short") };
    const outcome = await desk.press(input.userId, button.verb, button.appointmentId);
    return {
      notice: outcome.notice,
      ...(outcome.alert ? { alert: true } : {}),
      ...(outcome.card ? { edit: outcome.card } : {}),
    };
  }

  /** /sessions [year-month]: the month's counselling figures, or how to ask when the month is not understood. */
  function sessions({ argument }: CommandInput) {
    const at = now();
    const month = parseReportMonth(argument, at, timeZone);
    if (!month) return { text: [text("booking.report_usage")] };
    return sessionsReport(options.store, {
      locale: options.staffLocale,
      timeZone,
      targets: options.programmeTargets,
      month,
      now: at,
    });
  }

  return {
    name: "booking",
    textKeys: BOOKING_TEXT_KEYS,
    flow,
    commands: [
      {
        name: "today",
        where: "private",
        permission: "see_day_list",
        run: ({ userId }) => desk.dayList(userId, todayIn(now(), timeZone)),
      },
      { name: "sessions", where: "staff-chat", permission: "see_reports", run: sessions },
    ],
    buttons: [{ prefix: CALLBACK_PREFIXES.counsellor, press }],
    jobs: [
      // The sender sends reminders when they are due; this catches the ones whose appointment began first.
      { name: "reminder-sweep", schedule: "* * * * *", run: async () => ({ missed: await desk.sweepMissed() }) },
      {
        name: "counsellor-day-lists",
        schedule: `${options.counsellorListTime.minute} ${options.counsellorListTime.hour} * * 1-5`,
        run: async () => ({ counsellors: await desk.postDayLists(calendarDateIn(new Date(now()), timeZone)) }),
      },
    ],
    // Reminders are rewritten or dropped just before they are sent, and flagged when the chat cannot be reached.
    outboxHooks: new Map([[REMINDER_SUBJECT, desk.reminderHooks]]),
    // Booked appointments stay booked; their reminders were cancelled with everything else queued.
    onQuickExit: (chatId) => desk.remindersCancelledByQuickExit(chatId),
    purge: async (days) => ({ appointmentsErased: await options.store.purge(days) }),
    describeData: async (chatId, locale) => {
      const upcoming = await desk.upcoming(chatId);
      if (upcoming.length === 0) return [];
      const list = upcoming.map((a) => `${appointmentRef(a.id)} (${desk.when(locale, a.startsAt)})`).join(", ");
      return [text("privacy.appointments", { list })];
    },
    // Upcoming appointments are cancelled (each counsellor told the reference only); the rest keep their counts.
    onForget: async (chatId, anonymousId) => {
      await desk.cancelAllForForget(chatId);
      await options.store.forgetChat(chatId, anonymousId);
    },
  };
}
