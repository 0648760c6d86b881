/**
 * Calendar dates typed as day/month[/year] in Khmer or Latin digits ("១៥/១២/២០២៦", "15-12", "15.12.26").
 */
import { type CalendarDate, isRealDate } from "../base/calendar-date.ts";
import { toLatinDigits } from "./digits.ts";

/**
 * Parses a typed day/month[/year]. A missing year means `defaultYear`; a two-digit year means 20xx. Returns
 * undefined for text that is not such a date or names a day that does not exist (31/02).
 */
export function parseDayMonthYear(text: string, defaultYear: number): CalendarDate | undefined {
  const match = /^(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{2}|\d{4}))?$/.exec(
    toLatinDigits(text.normalize("NFC")).trim(),
  );
  if (!match) return undefined;
  const day = Number(match[1]);
  const month = Number(match[2]);
  const yearText = match[3];
  const year =
    yearText === undefined ? defaultYear : yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  return isRealDate({ year, month, day }) ? { year, month, day } : undefined;
}
