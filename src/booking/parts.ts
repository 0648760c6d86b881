/**
 * Builds booking's parts (slot finder, desk) around its store, from the configuration.
 */
import type { Config } from "../config.ts";
import type { Locale } from "../base/locale.ts";
import type { Translator } from "../i18n/translator.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { createWorkCalendar } from "../scheduling/calendar.ts";
import type { StaffStore } from "../staff/store.ts";
import { createBookingDesk } from "./desk.ts";
import { createSlotFinder } from "./slots.ts";
import type { BookingStore } from "./store.ts";

export type BookingConfig = Pick<
  Config,
  | "timeZone"
  | "defaultLocale"
  | "reminderOffsets"
  | "reminderQuietHours"
  | "reminderLateGraceMinutes"
  | "bookingDaysAhead"
  | "bookingMinNoticeMinutes"
>;

export interface BookingPartsOptions {
  store: BookingStore;
  staff: StaffStore;
  outbox: OutboxStore;
  translator: Translator;
  holidays: Iterable<string>;
  config: BookingConfig;
  staffChatId: number | undefined;
  localeOf: (chatId: number) => Promise<Locale | undefined>;
  now: () => number;
}

export function createBookingParts(options: BookingPartsOptions) {
  const { config, now } = options;
  const { store } = options;
  const calendar = createWorkCalendar({ timeZone: config.timeZone, holidays: options.holidays });
  const slots = createSlotFinder({
    store,
    calendar,
    timeZone: config.timeZone,
    daysAhead: config.bookingDaysAhead,
    minNoticeMinutes: config.bookingMinNoticeMinutes,
    now,
  });
  const desk = createBookingDesk({
    store,
    slots,
    outbox: options.outbox,
    staff: options.staff,
    translator: options.translator,
    policy: {
      rungs: config.reminderOffsets,
      quietStart: config.reminderQuietHours[0],
      quietEnd: config.reminderQuietHours[1],
      minGapMinutes: 30,
      timeZone: config.timeZone,
    },
    lateGraceMinutes: config.reminderLateGraceMinutes,
    staffChatId: options.staffChatId,
    staffLocale: config.defaultLocale,
    localeOf: options.localeOf,
    now,
  });
  return { store, slots, desk };
}
