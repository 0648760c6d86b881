/**
 * Setting a registered counsellor's weekly hours (and with them the places they work): what `npm run counsellor`
 * and the staff console's hours page both do. The free slots residents are offered come from these hours at once.
 */
import type { StaffMember } from "../staff/store.ts";
import { parseWeeklyHours } from "./hours.ts";
import { TOPICS, type Topic } from "./model.ts";
import type { BookingStore } from "./store.ts";

/**
 * Saves `member`'s hours from their written form (see parseWeeklyHours); topics and session length keep their
 * current values unless given (new counsellors: every topic, 60 minutes). Takes bookings again unless `active` is
 * false. Returns how many weekly periods and which places were saved.
 * @throws {SpeanError} SPEAN_CONFIG_INVALID when the hours cannot be read (nothing is saved).
 */
export async function setCounsellorHours(
  store: BookingStore,
  member: StaffMember,
  spec: string,
  options: { topics?: Topic[]; slotMinutes?: number; active?: boolean } = {},
): Promise<{ periods: number; sites: string[] }> {
  const hours = parseWeeklyHours(spec);
  const current = await store.counsellor(member.telegramUserId);
  const sites = [...new Set(hours.map((h) => h.site))];
  await store.saveCounsellor({
    telegramUserId: member.telegramUserId,
    displayName: member.displayName,
    sites,
    topics: options.topics ?? current?.topics ?? [...TOPICS],
    slotMinutes: options.slotMinutes ?? current?.slotMinutes ?? 60,
  });
  await store.setHours(member.telegramUserId, hours);
  await store.setCounsellorActive(member.telegramUserId, options.active ?? true);
  return { periods: hours.length, sites };
}
