/**
 * Group activities recorded by staff (src/programme/activities.ts) over PostgreSQL, method for method the same as
 * the SQLite store: counts only, never a name. Every query runs on `executor(db)`, so inside a unit of work
 * (src/db/pg-unit-of-work.ts) it is part of the transaction.
 *
 * A withdrawal is one conditional UPDATE (only a record not yet withdrawn), so of two staff withdrawing the same
 * record at once one is told true. Lists come by date, then id, as over SQLite.
 */
import { and, asc, desc, eq, gte, isNull, lt } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { groupActivities } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import { activityRecordOf, type ActivityStore } from "./activities.ts";

/** A record nobody has withdrawn. */
const standing = isNull(groupActivities.withdrawnAt);

/** Creates the group activity store over PostgreSQL; `now` gives the time of a record and a withdrawal. */
export function createPgActivityStore(db: PgDb, now: () => number): ActivityStore {
  const q = () => executor(db);

  return withDriverErrors<ActivityStore>({
    async record(input, staffId) {
      const [row] = await q()
        .insert(groupActivities)
        .values({
          ...input,
          sangkat: input.sangkat ?? null,
          participants: JSON.stringify(input.participants),
          recordedBy: staffId,
          createdAt: now(),
        })
        .returning({ id: groupActivities.id });
      return row!.id;
    },

    async withdraw(id) {
      const withdrawn = await q()
        .update(groupActivities)
        .set({ withdrawnAt: now() })
        .where(and(eq(groupActivities.id, id), standing));
      return withdrawn.rowCount === 1;
    },

    async between(from, to) {
      const rows = await q()
        .select()
        .from(groupActivities)
        .where(and(gte(groupActivities.date, from), lt(groupActivities.date, to), standing))
        .orderBy(asc(groupActivities.date), asc(groupActivities.id));
      return rows.map(activityRecordOf);
    },

    async get(id) {
      const [row] = await q()
        .select()
        .from(groupActivities)
        .where(and(eq(groupActivities.id, id), standing));
      return row ? activityRecordOf(row) : undefined;
    },

    async latest(limit = 50) {
      const rows = await q()
        .select()
        .from(groupActivities)
        .where(standing)
        .orderBy(desc(groupActivities.date), desc(groupActivities.id))
        .limit(limit);
      return rows.map(activityRecordOf);
    },
  });
}
