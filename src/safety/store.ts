/**
 * Counts of what residents chose when the danger classifier was unsure: check-ins shown, "I'm safe", "I need help
 * now". No chat id and no text, so the counts can be kept and shown to staff without exposing anyone.
 */
import { gte, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { safetyChecks } from "../db/schema.ts";
import { asyncMethods } from "../db/async-store.ts";

export type SafetyEvent = "shown" | "safe" | "help";

export interface WeekCounts {
  /** Start of the 7-day window (epoch ms); windows end at `now`, newest first. */
  from: number;
  shown: number;
  safe: number;
  help: number;
}

export type SafetyStore = ReturnType<typeof createSafetyStore>;

const WEEK_MS = 7 * 86_400_000;

/** Creates the store. `now` defaults to Date.now. */
export function createSafetyStore(db: Db, now: () => number = Date.now) {
  return asyncMethods({
    record(event: SafetyEvent): void {
      db.insert(safetyChecks).values({ event, createdAt: now() }).run();
    },

    /** The last `weeks` 7-day windows ending now, newest first (default 4). */
    weekly(weeks = 4): WeekCounts[] {
      const end = now();
      const since = end - weeks * WEEK_MS;
      const rows = db
        .select({
          week: sql<number>`cast((${end} - ${safetyChecks.createdAt}) / ${WEEK_MS} as integer)`,
          event: safetyChecks.event,
          n: sql<number>`count(*)`,
        })
        .from(safetyChecks)
        .where(gte(safetyChecks.createdAt, since))
        .groupBy(sql`1`, safetyChecks.event)
        .all();
      return Array.from({ length: weeks }, (_, w) => {
        const count = (event: SafetyEvent) => rows.find((r) => r.week === w && r.event === event)?.n ?? 0;
        return { from: end - (w + 1) * WEEK_MS, shown: count("shown"), safe: count("safe"), help: count("help") };
      });
    },
  });
}
