/**
 * Calendar dates typed as day/month[/year] in Khmer or Latin digits ("១៥/១២/២០២៦", "15-12", "15.12.26").
 * Dates are calendar values (no time zone); the caller decides what "today" is in Asia/Phnom_Penh.
 */
import { toLatinDigits } from "./digits.ts";

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Parses a typed day/month[/year]. A missing year means `defaultYear`; a two-digit year means 20xx. Returns
 * undefined for text that is not such a date or names a day that does not exist (31/02).
 */
export function parseDayMonthYear(text: string, defaultYear: number): CalendarDate | undefined {
  const match = /^(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{2}|\d{4}))?$/.exec(toLatinDigits(text.normalize("NFC")).trim());
  if (!match) return undefined;
  const day = Number(match[1]);
  const month = Number(match[2]);
  const yearText = match[3];
  const year = yearText === undefined ? defaultYear : yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  return isRealDate({ year, month, day }) ? { year, month, day } : undefined;
}

/** True when the date exists in the Gregorian calendar. */
export function isRealDate({ year, month, day }: CalendarDate): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/** The calendar date of an instant in a time zone (default Asia/Phnom_Penh). */
export function calendarDateIn(instant: Date, timeZone = "Asia/Phnom_Penh"): CalendarDate {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(instant);
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
