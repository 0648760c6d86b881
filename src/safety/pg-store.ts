/**
 * The safety check-in counts (src/safety/store.ts) over PostgreSQL, the same as the SQLite store: what residents chose
 * when the danger classifier was unsure, with no chat id and no text. Every query runs on `executor(db)`, so inside a
 * unit of work it is part of the transaction.
 */
import { gte, sql } from "drizzle-orm";
import { safetyChecks } from "../db/pg-schema.ts";
import { withDriverErrors } from "../db/pg-errors.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { SafetyEvent, SafetyStore } from "./store.ts";

const WEEK_MS = 7 * 86_400_000;

/** Creates the store over PostgreSQL. `now` defaults to Date.now. */
export function createPgSafetyStore(db: PgDb, now: () => number = Date.now): SafetyStore {
  const q = () => executor(db);

  return withDriverErrors<SafetyStore>({
    async record(event) {
      await q().insert(safetyChecks).values({ event, createdAt: now() });
    },

    async weekly(weeks = 4) {
      const end = now();
      const since = end - weeks * WEEK_MS;
      // Integer division of bigints truncates toward zero, as SQLite's does: the same window for every row.
      const week = sql<number>`cast((${end}::bigint - ${safetyChecks.createdAt}) / ${WEEK_MS}::bigint as integer)`;
      const rows = await q()
        .select({ week, event: safetyChecks.event, n: sql<number>`count(*)`.mapWith(Number) })
        .from(safetyChecks)
        .where(gte(safetyChecks.createdAt, since))
        .groupBy(sql`1`, safetyChecks.event);
      return Array.from({ length: weeks }, (_, w) => {
        const count = (event: SafetyEvent) => rows.find((r) => r.week === w && r.event === event)?.n ?? 0;
        return { from: end - (w + 1) * WEEK_MS, shown: count("shown"), safe: count("safe"), help: count("help") };
      });
    },
  });
}
