import { DEFAULT_TIME_ZONE } from "./time.ts";
/**
 * Calendar dates: values without a time zone (the caller decides what "today" is in Asia/Phnom_Penh), compared,
 * checked and written as ISO dates.
 */

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** True when the date exists in the Gregorian calendar. */
export function isRealDate({ year, month, day }: CalendarDate): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/** The calendar date of an instant in a time zone (default Asia/Phnom_Penh). */
export function calendarDateIn(instant: Date, timeZone = DEFAULT_TIME_ZONE): CalendarDate {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get("year"), month: get("month"), day: get("day") };
}

/** Compares two calendar dates: negative, zero or positive. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** ISO form YYYY-MM-DD, used to store a date in conversation variables. */
export function toIsoDate({ year, month, day }: CalendarDate): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
