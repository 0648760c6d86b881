/**
 * Wordings staff taught the search (table learned_wordings): proposed, then approved or rejected by a reviewer;
 * an approved wording can later be removed. Rows are never deleted, so the history of who taught what stays.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { learnedWordings } from "../db/schema.ts";
import { asyncMethods } from "../db/async-store.ts";

export type WordingStatus = "pending" | "approved" | "rejected" | "removed";

export interface Wording {
  id: number;
  articleId: string;
  wording: string;
  status: WordingStatus;
  proposedBy: number;
  reviewedBy: number | null;
}

export type WordingsStore = ReturnType<typeof createWordingsStore>;

/** Creates the store. `now` defaults to Date.now. */
export function createWordingsStore(db: Db, now: () => number = Date.now) {
  const columns = {
    id: learnedWordings.id,
    articleId: learnedWordings.articleId,
    wording: learnedWordings.wording,
    status: learnedWordings.status,
    proposedBy: learnedWordings.proposedBy,
    reviewedBy: learnedWordings.reviewedBy,
  };
  return asyncMethods({
    /** Adds a pending wording; returns its id. */
    propose(articleId: string, wording: string, proposedBy: number): number {
      const [row] = db
        .insert(learnedWordings)
        .values({ articleId, wording, status: "pending", proposedBy, createdAt: now() })
        .returning({ id: learnedWordings.id })
        .all();
      return (row as { id: number }).id;
    },

    get(id: number): Wording | undefined {
      return db.select(columns).from(learnedWordings).where(eq(learnedWordings.id, id)).get();
    },

    /**
     * Moves a wording from one of `from` to `status`, recording the reviewer. Returns false when it was not in
     * `from` (already reviewed by someone else, or removed).
     */
    review(id: number, from: readonly WordingStatus[], status: WordingStatus, reviewedBy: number): boolean {
      return (
        db
          .update(learnedWordings)
          .set({ status, reviewedBy, reviewedAt: now() })
          .where(and(eq(learnedWordings.id, id), inArray(learnedWordings.status, [...from])))
          .run().changes === 1
      );
    },

    /** Wordings in the given states, oldest first. */
    list(statuses: readonly WordingStatus[]): Wording[] {
      return db
        .select(columns)
        .from(learnedWordings)
        .where(inArray(learnedWordings.status, [...statuses]))
        .orderBy(asc(learnedWordings.id))
        .all();
    },
  });
}
