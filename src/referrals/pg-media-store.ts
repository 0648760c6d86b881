/**
 * The media a resident sent for a person (src/referrals/media-store.ts) over PostgreSQL, method for method the same
 * as the SQLite store: message ids, kinds and durations, never a file. Every query runs on `executor(db)`, so inside
 * a unit of work (src/db/pg-unit-of-work.ts) it is part of the transaction.
 *
 * Lists come in id order, as over SQLite. Counts are the rows a statement changed. Retention deletes in one statement,
 * the closed cases read in a subquery rather than sent back as a list of ids.
 */
import { and, asc, desc, eq, inArray, isNull, lt, or, type SQL } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { caseMedia, referrals } from "../db/pg-schema.ts";
import { DAY_MS } from "../base/time.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { MediaItem, MediaStore } from "./media-store.ts";

/** Media a resident sent and has not yet said yes or no about. */
const waiting = (chatId: number) => and(eq(caseMedia.chatId, chatId), isNull(caseMedia.referralId));

/** Creates the case media store over PostgreSQL. `now` defaults to Date.now. */
export function createPgMediaStore(db: PgDb, now: () => number = Date.now): MediaStore {
  const q = () => executor(db);

  /** The rows meeting `where`, in id order (whole rows, as over SQLite). */
  const rows = async (where: SQL | undefined) =>
    (await q().select().from(caseMedia).where(where).orderBy(asc(caseMedia.id))) as MediaItem[];

  return withDriverErrors<MediaStore>({
    async add(item) {
      await q()
        .insert(caseMedia)
        .values({
          chatId: item.chatId,
          messageId: item.messageId,
          kind: item.kind,
          duration: item.duration ?? null,
          referralId: item.referralId ?? null,
          createdAt: now(),
        });
    },

    async lastAt(chatId) {
      const [row] = await q()
        .select({ at: caseMedia.createdAt })
        .from(caseMedia)
        .where(eq(caseMedia.chatId, chatId))
        .orderBy(desc(caseMedia.createdAt))
        .limit(1);
      return row?.at;
    },

    async pending(chatId) {
      return rows(waiting(chatId));
    },

    async attach(chatId, referralId) {
      const attached = await q().update(caseMedia).set({ referralId }).where(waiting(chatId));
      return attached.rowCount ?? 0;
    },

    async dropPending(chatId) {
      const dropped = await q().delete(caseMedia).where(waiting(chatId));
      return dropped.rowCount ?? 0;
    },

    async unrelayed(referralId) {
      return rows(and(eq(caseMedia.referralId, referralId), isNull(caseMedia.relayedAt)));
    },

    async markRelayed(ids) {
      if (ids.length > 0)
        await q()
          .update(caseMedia)
          .set({ relayedAt: now() })
          .where(inArray(caseMedia.id, [...ids]));
    },

    async eraseChat(chatId) {
      const erased = await q().delete(caseMedia).where(eq(caseMedia.chatId, chatId));
      return erased.rowCount ?? 0;
    },

    async purge(retentionDays) {
      const before = now() - retentionDays * DAY_MS;
      const closed = q().select({ id: referrals.id }).from(referrals).where(lt(referrals.closedAt, before));
      const purged = await q()
        .delete(caseMedia)
        .where(
          or(and(isNull(caseMedia.referralId), lt(caseMedia.createdAt, before)), inArray(caseMedia.referralId, closed)),
        );
      return purged.rowCount ?? 0;
    },
  });
}
