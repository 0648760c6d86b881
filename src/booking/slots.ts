/**
 * Free counselling slots: each counsellor's weekly hours at a site, cut into sessions of their slot length, on
 * working days (no weekends, no public holidays) from today for `daysAhead` days, minus what is already held and
 * what starts too soon. A slot is a start time with at least one free counsellor; the resident never picks a
 * counsellor, the least busy free one that day is assigned.
 */
import type { CalendarDate } from "../base/calendar-date.ts";
import { compareDates, toIsoDate } from "../base/calendar-date.ts";
import type { WorkCalendar } from "../scheduling/calendar.ts";
import { addDays, instantAt, todayIn, weekdayOf } from "../base/local-time.ts";
import { MINUTE_MS } from "../base/time.ts";
import type { Site, Topic } from "./model.ts";
import type { BookingStore } from "./store.ts";

export interface FreeSlot {
  startsAt: number;
  date: CalendarDate;
  /** Local minutes after midnight. */
  minute: number;
  /** Free counsellors at this time, the one to assign first. */
  counsellors: { id: number; endsAt: number }[];
}

export interface SlotFinderOptions {
  store: BookingStore;
  calendar: WorkCalendar;
  timeZone: string;
  /** Default 14: today and the 13 days after it. */
  daysAhead?: number;
  /** Default 60: a slot starting sooner than this cannot be booked. */
  minNoticeMinutes?: number;
  now: () => number;
}

export type SlotFinder = ReturnType<typeof createSlotFinder>;

export function createSlotFinder(options: SlotFinderOptions) {
  const { store, calendar, timeZone, now } = options;
  const daysAhead = options.daysAhead ?? 14;
  const notice = (options.minNoticeMinutes ?? 60) * MINUTE_MS;

  /** Every free slot for a topic at a site within the booking window, by time. */
  async function freeSlots(topic: Topic, site: Site): Promise<FreeSlot[]> {
    const at = now();
    const today = todayIn(at, timeZone);
    const windowStart = instantAt(today, 0, timeZone);
    const windowEnd = instantAt(addDays(today, daysAhead), 0, timeZone);
    const held = new Map<number, { startsAt: number; endsAt: number }[]>();
    for (const slot of await store.heldSlots(windowStart, windowEnd))
      held.set(slot.counsellorId, [...(held.get(slot.counsellorId) ?? []), slot]);
    const busyOnDay = (counsellorId: number, date: CalendarDate) => {
      const from = instantAt(date, 0, timeZone);
      const to = instantAt(addDays(date, 1), 0, timeZone);
      return (held.get(counsellorId) ?? []).filter((h) => h.startsAt >= from && h.startsAt < to).length;
    };

    const slots = new Map<number, FreeSlot>();
    const counsellors = (await store.activeCounsellors()).filter(
      (c) => c.topics.includes(topic) && c.sites.includes(site),
    );
    const timeOff = await store.timeOff(toIsoDate(today));
    const isOff = (counsellorId: number, iso: string) =>
      timeOff.some((t) => t.counsellorId === counsellorId && t.from <= iso && iso <= t.to);
    for (let offset = 0; offset < daysAhead; offset++) {
      const date = addDays(today, offset);
      if (!calendar.isWorkingDay(date)) continue;
      const weekday = weekdayOf(date);
      const iso = toIsoDate(date);
      for (const counsellor of counsellors) {
        if (isOff(counsellor.telegramUserId, iso)) continue;
        const length = counsellor.slotMinutes;
        for (const hours of counsellor.hours) {
          if (hours.site !== site || hours.weekday !== weekday) continue;
          for (let minute = hours.startMinute; minute + length <= hours.endMinute; minute += length) {
            const startsAt = instantAt(date, minute, timeZone);
            const endsAt = startsAt + length * MINUTE_MS;
            if (startsAt < at + notice) continue;
            if ((held.get(counsellor.telegramUserId) ?? []).some((h) => h.startsAt < endsAt && h.endsAt > startsAt))
              continue;
            const slot = slots.get(startsAt) ?? { startsAt, date, minute, counsellors: [] };
            slot.counsellors.push({ id: counsellor.telegramUserId, endsAt });
            slots.set(startsAt, slot);
          }
        }
      }
    }
    const ordered = [...slots.values()].sort((a, b) => a.startsAt - b.startsAt);
    for (const slot of ordered)
      slot.counsellors.sort((a, b) => busyOnDay(a.id, slot.date) - busyOnDay(b.id, slot.date) || a.id - b.id);
    return ordered;
  }

  return {
    freeSlots,

    /** The days with at least one free slot, in order. */
    async freeDays(topic: Topic, site: Site): Promise<CalendarDate[]> {
      const seen = new Map<string, CalendarDate>();
      for (const slot of await freeSlots(topic, site)) seen.set(toIsoDate(slot.date), slot.date);
      return [...seen.values()];
    },

    /** The free slots of one day. */
    async slotsOn(topic: Topic, site: Site, date: CalendarDate): Promise<FreeSlot[]> {
      return (await freeSlots(topic, site)).filter((s) => compareDates(s.date, date) === 0);
    },

    /** The free slot starting exactly at `startsAt`, if any. */
    async slotAt(topic: Topic, site: Site, startsAt: number): Promise<FreeSlot | undefined> {
      return (await freeSlots(topic, site)).find((s) => s.startsAt === startsAt);
    },

    /** Up to `count` free slots nearest in time to `startsAt` (earlier or later), in time order. */
    async nearest(topic: Topic, site: Site, startsAt: number, count = 3): Promise<FreeSlot[]> {
      return (await freeSlots(topic, site))
        .sort((a, b) => Math.abs(a.startsAt - startsAt) - Math.abs(b.startsAt - startsAt) || a.startsAt - b.startsAt)
        .slice(0, count)
        .sort((a, b) => a.startsAt - b.startsAt);
    },

    /** Whether a date is within the booking window and a working day (for explaining "no slots that day"). */
    isBookableDay(date: CalendarDate): "past" | "too_far" | "closed" | "open" {
      const today = todayIn(now(), timeZone);
      if (compareDates(date, today) < 0) return "past";
      if (compareDates(date, addDays(today, daysAhead - 1)) > 0) return "too_far";
      return calendar.isWorkingDay(date) ? "open" : "closed";
    },
  };
}
