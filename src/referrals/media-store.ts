/**
 * The media a resident sent for a person (case_media): message ids, kinds and durations, never a file. Rows wait
 * without a referral until the resident says yes, and are copied to the caseworker who claims the case.
 */
import { and, asc, desc, eq, inArray, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { caseMedia, referrals } from "../db/schema.ts";
import { asyncMethods } from "../db/async-store.ts";

/** Message kinds a person can listen to or look at, which the bot cannot. */
export const MEDIA_KINDS = ["voice", "video_note", "photo", "document", "video", "audio"] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export function isMediaKind(kind: string): kind is MediaKind {
  return (MEDIA_KINDS as readonly string[]).includes(kind);
}

export interface MediaItem {
  id: number;
  chatId: number;
  messageId: number;
  kind: MediaKind;
  duration: number | null;
  referralId: number | null;
  createdAt: number;
}

export type MediaStore = ReturnType<typeof createMediaStore>;

export function createMediaStore(db: Db, now: () => number = Date.now) {
  const rows = (where: ReturnType<typeof and>) =>
    db.select().from(caseMedia).where(where).orderBy(asc(caseMedia.id)).all() as MediaItem[];

  return asyncMethods({
    add(item: { chatId: number; messageId: number; kind: MediaKind; duration?: number; referralId?: number }): void {
      db.insert(caseMedia)
        .values({
          chatId: item.chatId,
          messageId: item.messageId,
          kind: item.kind,
          duration: item.duration ?? null,
          referralId: item.referralId ?? null,
          createdAt: now(),
        })
        .run();
    },

    /** When the chat last sent media (pending or attached), for not answering every one of a burst. */
    lastAt(chatId: number): number | undefined {
      return db
        .select({ at: caseMedia.createdAt })
        .from(caseMedia)
        .where(eq(caseMedia.chatId, chatId))
        .orderBy(desc(caseMedia.createdAt))
        .limit(1)
        .get()?.at;
    },

    /** Media waiting for the resident's yes or no. */
    pending(chatId: number): MediaItem[] {
      return rows(and(eq(caseMedia.chatId, chatId), isNull(caseMedia.referralId)));
    },

    /** The resident said yes: the waiting media join the case. */
    attach(chatId: number, referralId: number): number {
      return db
        .update(caseMedia)
        .set({ referralId })
        .where(and(eq(caseMedia.chatId, chatId), isNull(caseMedia.referralId)))
        .run().changes;
    },

    /** The resident said no (or left by quick exit): the waiting media are forgotten. */
    dropPending(chatId: number): number {
      return db
        .delete(caseMedia)
        .where(and(eq(caseMedia.chatId, chatId), isNull(caseMedia.referralId)))
        .run().changes;
    },

    /** A case's media not yet copied to its caseworker. */
    unrelayed(referralId: number): MediaItem[] {
      return rows(and(eq(caseMedia.referralId, referralId), isNull(caseMedia.relayedAt)));
    },

    markRelayed(ids: readonly number[]): void {
      if (ids.length > 0) db.update(caseMedia).set({ relayedAt: now() }).where(inArray(caseMedia.id, ids)).run();
    },

    /** /forget and quick exit: every row of the chat. */
    eraseChat(chatId: number): number {
      return db.delete(caseMedia).where(eq(caseMedia.chatId, chatId)).run().changes;
    },

    /**
     * Retention: rows of cases closed more than `retentionDays` ago, and waiting rows older than that (never
     * answered), are deleted. Returns how many.
     */
    purge(retentionDays: number): number {
      const before = now() - retentionDays * 86_400_000;
      const closed = db
        .select({ id: referrals.id })
        .from(referrals)
        .where(lt(referrals.closedAt, before))
        .all()
        .map((r) => r.id);
      return db
        .delete(caseMedia)
        .where(
          or(
            and(isNull(caseMedia.referralId), lt(caseMedia.createdAt, before)),
            closed.length > 0 ? inArray(caseMedia.referralId, closed) : undefined,
          ),
        )
        .run().changes;
    },
  });
}
