/**
 * When staff last confirmed each service's number by phone (src/console/service-checks.ts) over PostgreSQL, method for
 * method the same as the SQLite store. Every query runs on `executor(db)`, so inside a unit of work
 * (src/db/pg-unit-of-work.ts) it is part of the transaction.
 *
 * Several instances: a check is one INSERT with its own generated id, so checks recorded by several instances at once
 * are all kept; none is read back and rewritten. The latest check of a service is the one with the greatest `at`, and
 * of checks at the same millisecond the greatest id, written out in the query, so every instance (and the SQLite
 * store) names the same one.
 */
import { desc } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { serviceChecks } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { ServiceChecks } from "./service-checks.ts";

/** Creates the service checks over PostgreSQL. `now` stamps each check; it defaults to Date.now. */
export function createPgServiceChecks(db: PgDb, now: () => number = Date.now): ServiceChecks {
  const q = () => executor(db);

  return withDriverErrors<ServiceChecks>({
    async record(serviceId, staffId) {
      await q().insert(serviceChecks).values({ serviceId, staffId, at: now() });
    },

    async latest() {
      const rows = await q()
        .select({ serviceId: serviceChecks.serviceId, staffId: serviceChecks.staffId, at: serviceChecks.at })
        .from(serviceChecks)
        .orderBy(desc(serviceChecks.at), desc(serviceChecks.id));
      const latest = new Map<string, { staffId: number; at: number }>();
      for (const row of rows)
        if (!latest.has(row.serviceId)) latest.set(row.serviceId, { staffId: row.staffId, at: row.at });
      return latest;
    },
  });
}
