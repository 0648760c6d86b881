/**
 * The working calendar: which days are working days (Monday to Friday, minus public holidays from
 * flows/data/holidays.yaml) and which hours are working hours, in the service's time zone. Caseworker escalation
 * counts working time with it; counselling booking skips non-working days.
 */
import { z } from "zod";
import { readYamlFile } from "../base/yaml-file.ts";
import { type CalendarDate, calendarDateIn, toIsoDate } from "../base/calendar-date.ts";
import { MINUTE_MS } from "../base/time.ts";

const holidaysFile = z.strictObject({
  years: z.array(
    z.strictObject({
      year: z.number().int(),
      status: z.enum(["COMPUTED", "OFFICIAL"]),
      source: z.strictObject({ title: z.string().min(1), url: z.url(), year: z.number().int() }),
      dates: z.array(z.iso.date()),
    }),
  ),
});

export type HolidayYears = z.infer<typeof holidaysFile>["years"];

/** Reads flows/data/holidays.yaml. @throws {SpeanError} SPEAN_CONTENT_INVALID when malformed. */
export function loadHolidays(path: string): HolidayYears {
  const { years } = readYamlFile(path, holidaysFile, "flows/data/holidays.yaml");
  return years;
}

export interface WorkCalendarOptions {
  timeZone: string;
  /** ISO dates (YYYY-MM-DD) that are public holidays. */
  holidays: Iterable<string>;
  /** Minutes after midnight; default 8:00 to 17:00. */
  startMinute?: number;
  endMinute?: number;
}

export interface WorkCalendar {
  isWorkingDay(date: CalendarDate): boolean;
  /** The instant `minutes` of working time after `from` (epoch ms). */
  addWorkingMinutes(from: number, minutes: number): number;
}

/** Creates the calendar. Weekends are Saturday and Sunday (CLDR's weekend for Cambodia). */
export function createWorkCalendar(options: WorkCalendarOptions): WorkCalendar {
  const holidays = new Set(options.holidays);
  const start = options.startMinute ?? 8 * 60;
  const end = options.endMinute ?? 17 * 60;

  function isWorkingDay(date: CalendarDate): boolean {
    const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !holidays.has(toIsoDate(date));
  }

  /** Minutes since local midnight of an instant. */
  function minuteOfDay(at: number): number {
    const parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: options.timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(new Date(at));
    const value = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return value("hour") * 60 + value("minute");
  }

  function addWorkingMinutes(from: number, minutes: number): number {
    let at = from - (from % MINUTE_MS);
    let left = minutes;
    // Walks minute-exact through working windows, jumping over nights and non-working days.
    for (let guard = 0; guard < 3660; guard++) {
      const day = calendarDateIn(new Date(at), options.timeZone);
      const minute = minuteOfDay(at);
      if (!isWorkingDay(day) || minute >= end) {
        at += (24 * 60 - minute + start) * MINUTE_MS; // next day's opening
        continue;
      }
      if (minute < start) {
        at += (start - minute) * MINUTE_MS;
        continue;
      }
      const available = end - minute;
      if (left <= available) return at + left * MINUTE_MS;
      left -= available;
      at += available * MINUTE_MS;
    }
    return at;
  }

  return { isWorkingDay, addWorkingMinutes };
}
