/**
 * Instants (epoch ms) and local wall-clock time in the service's time zone. Asia/Phnom_Penh has no daylight-saving
 * time, but nothing here assumes it: the offset is read from Intl for each instant.
 */
import { type CalendarDate, calendarDateIn } from "./calendar-date.ts";
import { MINUTE_MS } from "./time.ts";

export interface LocalTime {
  date: CalendarDate;
  /** Minutes after local midnight (0..1439). */
  minute: number;
  /** 0 = Sunday .. 6 = Saturday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local date, minute of day and weekday of an instant. */
export function localTime(at: number, timeZone: string): LocalTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const date = { year: get("year"), month: get("month"), day: get("day") };
  return { date, minute: get("hour") * 60 + get("minute"), weekday: weekdayOf(date) };
}

/** The instant at `minute` minutes after local midnight of `date`. */
export function instantAt(date: CalendarDate, minute: number, timeZone: string): number {
  const guess = Date.UTC(date.year, date.month - 1, date.day) + minute * MINUTE_MS;
  // Correct by the zone's offset at the guess, then once more in case the offset differs at the result.
  let at = guess - offsetAt(guess, timeZone);
  at = guess - offsetAt(at, timeZone);
  return at;
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const local = localTime(at, timeZone);
  const asUtc = Date.UTC(local.date.year, local.date.month - 1, local.date.day) + local.minute * MINUTE_MS;
  return asUtc - (at - (at % MINUTE_MS));
}

/** 0 = Sunday .. 6 = Saturday. */
export function weekdayOf(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** The calendar date `days` after `date` (negative goes back). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Today's date in the zone. */
export function todayIn(at: number, timeZone: string): CalendarDate {
  return calendarDateIn(new Date(at), timeZone);
}
