/**
 * When reminders go out. Each rung (default 24 h and 2 h before) is planned at booking:
 *  - a rung that falls in quiet hours (default 21:00-07:00 local) moves earlier, to 30 minutes before quiet
 *    hours begin;
 *  - a rung that would come before, or within `minGapMinutes` after, the booking itself is skipped: the booking
 *    confirmation is the first reminder, so a family always gets at least that one message;
 *  - a rung that would come within `minGapMinutes` after the previous rung is skipped too (quiet hours can push
 *    two rungs together).
 * Pure: no clock, no database.
 */
import { addDays, instantAt, localTime } from "../base/local-time.ts";
import { MINUTE_MS } from "../base/time.ts";

export interface ReminderPolicy {
  /** Minutes before the start, largest first; default [1440, 120]. */
  rungs: readonly number[];
  /** Quiet hours as local minutes after midnight; default 21:00-07:00. */
  quietStart: number;
  quietEnd: number;
  /** Default 30. */
  minGapMinutes: number;
  timeZone: string;
}

export interface PlannedReminder {
  /** Minutes before the start, as configured (part of the dedupe key reminder:<appointment>:<rung>). */
  rung: number;
  at: number;
}

/** How far before quiet hours a moved reminder goes out. */
const QUIET_MARGIN_MINUTES = 30;

export const DEFAULT_REMINDER_POLICY: Omit<ReminderPolicy, "timeZone"> = {
  rungs: [1440, 120],
  quietStart: 21 * 60,
  quietEnd: 7 * 60,
  minGapMinutes: 30,
};

/** The send time of one rung for an appointment starting at `startsAt`, after moving it out of quiet hours. */
export function rungTime(startsAt: number, rung: number, policy: ReminderPolicy): number {
  const nominal = startsAt - rung * MINUTE_MS;
  const { date, minute } = localTime(nominal, policy.timeZone);
  const { quietStart, quietEnd } = policy;
  const overnight = quietStart > quietEnd;
  const quiet = overnight ? minute >= quietStart || minute < quietEnd : minute >= quietStart && minute < quietEnd;
  if (!quiet) return nominal;
  // In the early-morning part of an overnight quiet period, "before quiet hours" is the previous evening.
  const day = overnight && minute < quietEnd ? addDays(date, -1) : date;
  return instantAt(day, quietStart - QUIET_MARGIN_MINUTES, policy.timeZone);
}

/** The reminders to queue for an appointment booked at `bookedAt`, earliest first. */
export function planReminders(startsAt: number, bookedAt: number, policy: ReminderPolicy): PlannedReminder[] {
  const gap = policy.minGapMinutes * MINUTE_MS;
  const planned: PlannedReminder[] = [];
  for (const rung of [...policy.rungs].sort((a, b) => b - a)) {
    const at = rungTime(startsAt, rung, policy);
    if (at >= startsAt || at <= bookedAt + gap) continue;
    const previous = planned.at(-1);
    if (previous && at <= previous.at + gap) continue;
    planned.push({ rung, at });
  }
  return planned;
}
