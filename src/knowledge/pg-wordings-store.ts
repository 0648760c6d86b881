/**
 * Wordings staff taught the search (src/knowledge/wordings-store.ts) over PostgreSQL, method for method the same as
 * the SQLite store. Every query runs on `executor(db)`, so inside a unit of work (src/db/pg-unit-of-work.ts) it is
 * part of the transaction.
 *
 * A review is one conditional UPDATE (only a wording still in one of the `from` states), so of two reviewers acting
 * on the same wording at once, the second waits on the row's lock, finds it no longer in `from`, and is told false.
 * Lists come by id, oldest first, as over SQLite.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { learnedWordings } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { WordingsStore } from "./wordings-store.ts";

/** The columns of a Wording. */
const columns = {
  id: learnedWordings.id,
  articleId: learnedWordings.articleId,
  wording: learnedWordings.wording,
  status: learnedWordings.status,
  proposedBy: learnedWordings.proposedBy,
  reviewedBy: learnedWordings.reviewedBy,
};

/** Creates the wordings store over PostgreSQL. `now` defaults to Date.now. */
export function createPgWordingsStore(db: PgDb, now: () => number = Date.now): WordingsStore {
  const q = () => executor(db);

  return withDriverErrors<WordingsStore>({
    async propose(articleId, wording, proposedBy) {
      const [row] = await q()
        .insert(learnedWordings)
        .values({ articleId, wording, status: "pending", proposedBy, createdAt: now() })
        .returning({ id: learnedWordings.id });
      return row!.id;
    },

    async get(id) {
      const [row] = await q().select(columns).from(learnedWordings).where(eq(learnedWordings.id, id));
      return row;
    },

    async review(id, from, status, reviewedBy) {
      const reviewed = await q()
        .update(learnedWordings)
        .set({ status, reviewedBy, reviewedAt: now() })
        .where(and(eq(learnedWordings.id, id), inArray(learnedWordings.status, [...from])));
      return reviewed.rowCount === 1;
    },

    async list(statuses) {
      return q()
        .select(columns)
        .from(learnedWordings)
        .where(inArray(learnedWordings.status, [...statuses]))
        .orderBy(asc(learnedWordings.id));
    },
  });
}
