/**
 * Demo data: two clearly fictional counsellors with weekly hours, so that booking can be tried in the sandbox.
 * Loaded in sandbox mode and by `npm run seed:demo`; never in production unless DEMO_DATA=on.
 */
import type { StaffStore } from "../staff/store.ts";
import { parseWeeklyHours } from "./hours.ts";
import { TOPICS } from "./model.ts";
import type { BookingStore } from "./store.ts";

/** Made-up Telegram ids and names; "(demo)" is part of the name so nobody mistakes them for real staff. */
export const DEMO_COUNSELLORS = [
  {
    telegramUserId: 3001,
    displayName: "Sreymom (demo)",
    sites: ["prek_pnov", "russey_keo", "phone"] as const,
    hours: "mon,wed,fri 08:00-11:00 prek_pnov; tue,thu 08:00-11:00 russey_keo; mon-fri 14:00-16:00 phone",
  },
  {
    telegramUserId: 3002,
    displayName: "Piseth (demo)",
    sites: ["chbar_ampov", "phone"] as const,
    hours: "mon-fri 08:00-11:00 chbar_ampov; tue,thu 14:00-17:00 phone",
  },
] as const;

/** Registers the demo counsellors (as staff with the counsellor role) and their hours. Safe to run again. */
export async function seedDemoCounsellors(staff: StaffStore, booking: BookingStore): Promise<number> {
  for (const demo of DEMO_COUNSELLORS) {
    await staff.register(demo.telegramUserId, "counsellor", demo.displayName);
    await booking.saveCounsellor({
      telegramUserId: demo.telegramUserId,
      displayName: demo.displayName,
      sites: demo.sites,
      topics: TOPICS,
      slotMinutes: 60,
      demo: true,
    });
    await booking.setHours(demo.telegramUserId, parseWeeklyHours(demo.hours));
  }
  return DEMO_COUNSELLORS.length;
}
