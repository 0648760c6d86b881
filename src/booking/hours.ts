/**
 * A counsellor's weekly hours as people write them: "mon-fri 08:00-11:30 prek_pnov; tue,thu 14:00-16:00 phone".
 * Used by `npm run counsellor` and by the demo data.
 */
import { SpeanError } from "../base/errors.ts";
import { isSite, type WeeklyHours } from "./model.ts";

const DAYS = ["mon", "tue", "wed", "thu", "fri"] as const;

/**
 * Parses weekly hours; weekdays are mon..fri (weekends never have sessions), a range like mon-wed or a list.
 * @throws {SpeanError} SPEAN_CONFIG_INVALID naming the part that is wrong.
 */
export function parseWeeklyHours(spec: string): WeeklyHours[] {
  const hours: WeeklyHours[] = [];
  for (const part of spec
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z,-]+)\s+([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)\s+([a-z_]+)$/.exec(
      part.toLowerCase(),
    );
    if (!match) throw invalid(part, 'must look like "mon-fri 08:00-11:30 prek_pnov"');
    const [, days, h1, m1, h2, m2, site] = match as unknown as string[];
    if (!isSite(site)) throw invalid(part, "the place must be prek_pnov, russey_keo, chbar_ampov or phone");
    const startMinute = Number(h1) * 60 + Number(m1);
    const endMinute = Number(h2) * 60 + Number(m2);
    if (startMinute >= endMinute) throw invalid(part, "must start before it ends");
    for (const weekday of weekdaysOf(days as string, part)) hours.push({ site, weekday, startMinute, endMinute });
  }
  if (hours.length === 0) throw invalid(spec, "no hours given");
  return hours;
}

function weekdaysOf(days: string, part: string): number[] {
  const result = new Set<number>();
  for (const item of days.split(",").filter(Boolean)) {
    const [from, to = from] = item.split("-");
    const a = DAYS.indexOf(from as (typeof DAYS)[number]);
    const b = DAYS.indexOf(to as (typeof DAYS)[number]);
    if (a < 0 || b < 0 || b < a) throw invalid(part, "days are mon, tue, wed, thu, fri (weekends have no sessions)");
    for (let d = a; d <= b; d++) result.add(d + 1);
  }
  return [...result];
}

function invalid(part: string, why: string): SpeanError {
  return new SpeanError("SPEAN_CONFIG_INVALID", `hours "${part}": ${why}`);
}

const DAY_NAMES = ["", ...DAYS];
const clock = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

/** Writes weekly hours the way parseWeeklyHours reads them ("mon,wed 08:00-11:30 prek_pnov; tue 14:00-16:00 phone"). */
export function formatWeeklyHours(hours: readonly WeeklyHours[]): string {
  const groups = new Map<string, number[]>();
  for (const h of hours) {
    const key = `${clock(h.startMinute)}-${clock(h.endMinute)} ${h.site}`;
    groups.set(key, [...(groups.get(key) ?? []), h.weekday]);
  }
  return [...groups].map(([times, days]) => `${dayList([...new Set(days)].sort())} ${times}`).join("; ");
}

/** Weekdays as runs: [1,2,3,5] → "mon-wed,fri". */
function dayList(days: number[]): string {
  const runs: [number, number][] = [];
  for (const day of days) {
    const last = runs.at(-1);
    if (last && last[1] === day - 1) last[1] = day;
    else runs.push([day, day]);
  }
  return runs.map(([a, b]) => (a === b ? DAY_NAMES[a] : `${DAY_NAMES[a]}-${DAY_NAMES[b]}`)).join(",");
}
