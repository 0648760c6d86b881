/**
 * When staff last confirmed each service's number by phone (the console's "checked today"). The directory file keeps
 * its own dates; the latest of the two decides whether a service is stale.
 */
import { desc } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { serviceChecks } from "../db/schema.ts";
import { asyncMethods } from "../db/async-store.ts";

/** When each service was last checked, over either database. */
export type ServiceChecks = ReturnType<typeof createServiceChecks>;

/** Creates the service checks over SQLite. `now` stamps each check. */
export function createServiceChecks(db: Db, now: () => number) {
  return asyncMethods({
    /** Records that `staffId` confirmed `serviceId` by phone now. */
    record(serviceId: string, staffId: number): void {
      db.insert(serviceChecks).values({ serviceId, staffId, at: now() }).run();
    },

    /** The latest check of each service: who and when. */
    latest(): Map<string, { staffId: number; at: number }> {
      const latest = new Map<string, { staffId: number; at: number }>();
      for (const row of db.select().from(serviceChecks).orderBy(desc(serviceChecks.at), desc(serviceChecks.id)).all())
        if (!latest.has(row.serviceId)) latest.set(row.serviceId, { staffId: row.staffId, at: row.at });
      return latest;
    },
  });
}
