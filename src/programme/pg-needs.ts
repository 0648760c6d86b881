/**
 * The needs survey's two tables (src/programme/needs.ts) over PostgreSQL, method for method the same as the SQLite
 * store: the anonymous answers, and the keyed hashes of the chats that answered this quarter (the same hash, so a
 * mark written over one database is found over the other). Every query runs on `executor(db)`, so inside a unit of
 * work (src/db/pg-unit-of-work.ts) it is part of the transaction.
 *
 * Once a quarter: the mark is inserted `on conflict do nothing` against its unique index, and the answer is saved
 * only when the mark was new. A second instance saving for the same chat at once waits on the first's mark and then
 * finds it there: one of them is told true. Answers come by date, then by their (random) id, the order of the index
 * SQLite reads.
 */
import { and, asc, eq, gte, lt, ne } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { needsAnswered, needsResponses } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import { needsAnswerOf, needsChatHash, needsResponseRowOf, type NeedsStore } from "./needs.ts";

/**
 * Creates the needs survey's store over PostgreSQL. `secret` keys the hash of chat ids (derived from ENCRYPTION_KEY,
 * as over SQLite).
 */
export function createPgNeedsStore(db: PgDb, secret: Buffer): NeedsStore {
  const q = () => executor(db);
  const markOf = (chatId: number) => eq(needsAnswered.chatHash, needsChatHash(secret, chatId));

  return withDriverErrors<NeedsStore>({
    async hasAnswered(chatId, quarter) {
      const [row] = await q()
        .select({ q: needsAnswered.quarter })
        .from(needsAnswered)
        .where(and(markOf(chatId), eq(needsAnswered.quarter, quarter)))
        .limit(1);
      return row !== undefined;
    },

    async save(chatId, quarter, answer) {
      const marked = await q()
        .insert(needsAnswered)
        .values({ chatHash: needsChatHash(secret, chatId), quarter })
        .onConflictDoNothing();
      if (marked.rowCount !== 1) return false;
      await q().insert(needsResponses).values(needsResponseRowOf(answer));
      return true;
    },

    async between(from, to) {
      const rows = await q()
        .select()
        .from(needsResponses)
        .where(and(gte(needsResponses.date, from), lt(needsResponses.date, to)))
        .orderBy(asc(needsResponses.date), asc(needsResponses.id));
      return rows.map(needsAnswerOf);
    },

    async forget(chatId) {
      const forgotten = await q().delete(needsAnswered).where(markOf(chatId));
      return forgotten.rowCount ?? 0;
    },

    async purgeMarks(current) {
      const purged = await q().delete(needsAnswered).where(ne(needsAnswered.quarter, current));
      return purged.rowCount ?? 0;
    },
  });
}
