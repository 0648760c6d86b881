/**
 * Days and times the Khmer way and the English way: formatting ("ថ្ងៃអង្គារ ទី២៥ ខែវិច្ឆិកា ម៉ោង ៩:៣០ ព្រឹក" /
 * "Tuesday 25 November, 9:30 am") and parsing what people type ("ថ្ងៃស្អែក", "ថ្ងៃចន្ទ", "១៥/១២", "9:30",
 * "ម៉ោង៩ព្រឹក", "tomorrow 2pm"). Weekday and month names are CLDR's (see cambodia-facts.md §4).
 */
import { type CalendarDate, compareDates, isRealDate } from "../base/calendar-date.ts";
import { localDigits } from "./digits.ts";
import { normalizeForMatch } from "./text.ts";
import { addDays, weekdayOf } from "../base/local-time.ts";

type Locale = "km" | "en";

/** Sunday to Saturday. */
const WEEKDAYS: Record<Locale, readonly string[]> = {
  km: ["អាទិត្យ", "ចន្ទ", "អង្គារ", "ពុធ", "ព្រហស្បតិ៍", "សុក្រ", "សៅរ៍"],
  en: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
};
/** January to December. */
const MONTHS: Record<Locale, readonly string[]> = {
  km: ["មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ"],
  en: [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
  ],
};

/** "ថ្ងៃអង្គារ ទី២៥ ខែវិច្ឆិកា" / "Tuesday 25 November". */
export function formatDate(locale: Locale, date: CalendarDate): string {
  const weekday = WEEKDAYS[locale][weekdayOf(date)];
  const month = MONTHS[locale][date.month - 1];
  return locale === "km"
    ? `ថ្ងៃ${weekday} ទី${localDigits(locale, date.day)} ខែ${month}`
    : `${weekday} ${date.day} ${month}`;
}

/** "ខែវិច្ឆិកា ឆ្នាំ២០២៦" / "November 2026". */
export function formatMonth(locale: Locale, year: number, month: number): string {
  const name = MONTHS[locale][month - 1];
  return locale === "km" ? `ខែ${name} ឆ្នាំ${localDigits(locale, year)}` : `${name} ${year}`;
}

/** A day button's label: "អង្គារ ២៥ វិច្ឆិកា" / "Tue 25 Nov". */
export function formatDayShort(locale: Locale, date: CalendarDate): string {
  const weekday = WEEKDAYS[locale][weekdayOf(date)] as string;
  const month = MONTHS[locale][date.month - 1] as string;
  return locale === "km"
    ? `${weekday} ${localDigits(locale, date.day)} ${month}`
    : `${weekday.slice(0, 3)} ${date.day} ${month.slice(0, 3)}`;
}

/**
 * The Khmer day period of a minute of the day (CLDR's ព្រឹក / ថ្ងៃត្រង់ / រសៀល / ល្ងាច / យប់): morning until noon,
 * noon for the 12 o'clock hour, afternoon until 17:00, evening until 19:00, then night.
 */
function khmerDayPeriod(minute: number): string {
  const hour = Math.floor(minute / 60);
  if (hour < 12) return "ព្រឹក";
  if (hour < 13) return "ថ្ងៃត្រង់";
  if (hour < 17) return "រសៀល";
  if (hour < 19) return "ល្ងាច";
  return "យប់";
}

/** A clock time on a 12-hour clock: "៩:៣០ ព្រឹក" / "9:30 am". */
export function formatClock(locale: Locale, minute: number): string {
  const hour = Math.floor(minute / 60);
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  const clock = `${twelve}:${String(minute % 60).padStart(2, "0")}`;
  return locale === "km"
    ? `${localDigits(locale, clock)} ${khmerDayPeriod(minute)}`
    : `${clock} ${hour < 12 ? "am" : "pm"}`;
}

/** "ថ្ងៃអង្គារ ទី២៥ ខែវិច្ឆិកា ម៉ោង ៩:៣០ ព្រឹក" / "Tuesday 25 November, 9:30 am". */
export function formatDateTime(locale: Locale, date: CalendarDate, minute: number): string {
  return locale === "km"
    ? `${formatDate(locale, date)} ម៉ោង ${formatClock(locale, minute)}`
    : `${formatDate(locale, date)}, ${formatClock(locale, minute)}`;
}

/** What a typed day/time said: a date, a minute of the day, or both; or which part is impossible. */
export type TypedWhen = { date?: CalendarDate; minute?: number } | { impossible: "date" | "time" };

/** Typed text whose date has passed by at most this many days is a past date, not next year's. */
const PAST_DATE_WINDOW_DAYS = 60;

const RELATIVE_DAYS: readonly [RegExp, number][] = [
  [/ខានស្អែក|day after tomorrow/, 2],
  [/ថ្ងៃនេះ|\btoday\b/, 0],
  [/ស្អែក|\btomorrow\b|\btmr\b/, 1],
  [/ម្សិលមិញ|\byesterday\b/, -1],
];

/** Khmer and English weekday words, Sunday first. Monday has two common Khmer spellings. */
const WEEKDAY_WORDS: readonly RegExp[] = [
  /អាទិត្យ|\bsun(day)?\b/,
  /ចន្ទ|ច័ន្ទ|\bmon(day)?\b/,
  /អង្គារ|\btue(s|sday)?\b/,
  /ពុធ|\bwed(nesday)?\b/,
  /ព្រហស្បតិ៍|ព្រហស្បតិ|\bthu(rs|rsday)?\b/,
  /សុក្រ|\bfri(day)?\b/,
  /សៅរ៍|សៅរ|\bsat(urday)?\b/,
];

const MONTH_WORDS: readonly RegExp[] = MONTHS.km.map((km, i) => {
  const en = (MONTHS.en[i] as string).toLowerCase();
  return new RegExp(`${km}|\\b${en.slice(0, 3)}(${en.slice(3)})?\\b`);
});

/**
 * Reads a day and/or a time from typed text, in Khmer or English, Khmer or Latin digits. `today` decides what
 * "tomorrow" and "Monday" mean (the coming one, today included) and the year of "15/12" (this year, or next year
 * once the date is more than 60 days past). A time without ព្រឹក/រសៀល/am/pm from 1 to 6 o'clock is taken as the
 * afternoon, because counselling happens in the daytime. Returns undefined when the text names no day and no time.
 */
export function parseTypedWhen(typed: string, today: CalendarDate): TypedWhen | undefined {
  const text = normalizeForMatch(typed);
  const date = readDate(text, today);
  if (date === "impossible") return { impossible: "date" };
  const minute = readTime(text);
  if (minute === "impossible") return { impossible: "time" };
  if (date === undefined && minute === undefined) return undefined;
  return { ...(date ? { date } : {}), ...(minute !== undefined ? { minute } : {}) };
}

function readDate(text: string, today: CalendarDate): CalendarDate | "impossible" | undefined {
  const numeric =
    /(?<!\d)(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{4}|\d{2}))?(?!\d)/.exec(text) ??
    /(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d)/.exec(text);
  if (numeric) return withYear(Number(numeric[1]), Number(numeric[2]), numeric[3], today);
  const monthIndex = MONTH_WORDS.findIndex((re) => re.test(text));
  if (monthIndex >= 0) {
    const day = /(?:ទី\s*)?(?<![\d:])(\d{1,2})(?![\d:])/.exec(text.replace(/\d{1,2}\s*[:.h]\s*\d{2}/, ""));
    if (day) return withYear(Number(day[1]), monthIndex + 1, undefined, today);
  }
  for (const [pattern, offset] of RELATIVE_DAYS) if (pattern.test(text)) return addDays(today, offset);
  const weekday = WEEKDAY_WORDS.findIndex((re) => re.test(text));
  if (weekday >= 0) return addDays(today, (weekday - weekdayOf(today) + 7) % 7);
  return undefined;
}

function withYear(
  day: number,
  month: number,
  yearText: string | undefined,
  today: CalendarDate,
): CalendarDate | "impossible" {
  if (yearText !== undefined) {
    const date = { year: yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText), month, day };
    return isRealDate(date) ? date : "impossible";
  }
  const thisYear = { year: today.year, month, day };
  if (!isRealDate(thisYear) && !isRealDate({ ...thisYear, year: today.year + 1 })) return "impossible";
  if (isRealDate(thisYear) && compareDates(thisYear, addDays(today, -PAST_DATE_WINDOW_DAYS)) >= 0) return thisYear;
  const nextYear = { ...thisYear, year: today.year + 1 };
  return isRealDate(nextYear) ? nextYear : "impossible";
}

// "am"/"pm" count only right after a number ("9am", "2 pm"), so that "I am" is not a time.
const MORNING = /ព្រឹក|\d\s*a\.?m(?![a-z])/;
const NOON = /ថ្ងៃត្រង់|\bnoon\b/;
const AFTERNOON = /រសៀល|ល្ងាច|យប់|\d\s*p\.?m(?![a-z])/;
// An hour without minutes: "ម៉ោង 9", or a number followed by am/pm, a Khmer time of day, noon or o'clock.
const HOUR_ONLY = new RegExp(
  "ម៉ោង\\s*(\\d{1,2})(?!\\s*[/\\d-])" +
    "|(?<![\\d/.:-])(\\d{1,2})\\s*(?:a\\.?m(?![a-z])|p\\.?m(?![a-z])|ព្រឹក|រសៀល|ល្ងាច|យប់|ថ្ងៃត្រង់|noon|o'?clock)",
);

function readTime(text: string): number | "impossible" | undefined {
  const clock = /(?<![\d/-])(\d{1,2})\s*[:.h]\s*(\d{1,2})(?![\d/.-])/.exec(text);
  const hourOnly = HOUR_ONLY.exec(text);
  let hour: number;
  let minute = 0;
  if (clock) {
    hour = Number(clock[1]);
    minute = Number(clock[2]);
    if ((clock[2] as string).length !== 2) return "impossible";
  } else if (hourOnly) {
    hour = Number(hourOnly[1] ?? hourOnly[2]);
    if (/កន្លះ|\bhalf\b/.test(text)) minute = 30;
  } else {
    return undefined;
  }
  if (hour > 23 || minute > 59) return "impossible";
  if (MORNING.test(text)) {
    if (hour < 1 || hour > 12) return "impossible";
    hour %= 12;
  } else if (NOON.test(text)) {
    if (hour !== 12) return "impossible";
  } else if (AFTERNOON.test(text)) {
    if (hour < 1 || hour > 12) return hour >= 13 ? hour * 60 + minute : "impossible";
    if (hour < 12) hour += 12;
  } else if (hour >= 1 && hour <= 6) {
    hour += 12;
  }
  return hour * 60 + minute;
}
