/**
 * The interaction log (src/interactions/log.ts) over PostgreSQL, method for method the same as the SQLite log: one
 * row per message in or out, text encrypted and erased after the retention period, and the ids of the last 48 hours'
 * messages for quick exit. Every query runs on `executor(db)`, so inside a unit of work it is part of the transaction.
 */
import { and, eq, isNotNull, lt, sql } from "drizzle-orm";
import { DAY_MS } from "../base/time.ts";
import { chatMessages, interactions } from "../db/pg-schema.ts";
import { withDriverErrors } from "../db/pg-errors.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import type { InteractionLog } from "./log.ts";

/** Telegram lets a bot delete messages for 48 hours; older message ids are useless. */
const DELETABLE_MS = 48 * 3_600_000;

/** Creates the log over PostgreSQL. `now` defaults to Date.now. */
export function createPgInteractionLog(db: PgDb, cipher: FieldCipher, now: () => number = Date.now): InteractionLog {
  const q = () => executor(db);

  return withDriverErrors<InteractionLog>({
    async record(entry) {
      await q()
        .insert(interactions)
        .values({
          chatId: entry.chatId,
          direction: entry.direction,
          kind: entry.kind,
          flow: entry.flow ?? null,
          node: entry.node ?? null,
          textEnc: entry.text ? cipher.encrypt(entry.text) : null,
          updateId: entry.updateId ?? null,
          createdAt: now(),
        });
    },

    async rememberMessage(chatId, messageId, fromBot, sentAt = now()) {
      await q().insert(chatMessages).values({ chatId, messageId, fromBot, sentAt }).onConflictDoNothing();
    },

    async takeDeletableMessageIds(chatId) {
      // One statement: the ids read are exactly the ids forgotten, even with another instance writing to the chat.
      const since = now() - DELETABLE_MS;
      const taken = await q()
        .delete(chatMessages)
        .where(eq(chatMessages.chatId, chatId))
        .returning({ messageId: chatMessages.messageId, sentAt: chatMessages.sentAt });
      return taken
        .filter((r) => r.sentAt >= since)
        .map((r) => r.messageId)
        .sort((a, b) => a - b);
    },

    async purge(retentionDays) {
      const erased = await q()
        .update(interactions)
        .set({ textEnc: null })
        .where(and(isNotNull(interactions.textEnc), lt(interactions.createdAt, now() - retentionDays * DAY_MS)));
      const forgotten = await q()
        .delete(chatMessages)
        .where(lt(chatMessages.sentAt, now() - DELETABLE_MS));
      return { textsErased: erased.rowCount ?? 0, messageIdsForgotten: forgotten.rowCount ?? 0 };
    },

    async erase(chatId) {
      await q().delete(interactions).where(eq(interactions.chatId, chatId));
      await q().delete(chatMessages).where(eq(chatMessages.chatId, chatId));
    },

    async forgetMessage(chatId, messageId) {
      await q()
        .delete(chatMessages)
        .where(and(eq(chatMessages.chatId, chatId), eq(chatMessages.messageId, messageId)));
    },

    async countOf(chatId) {
      const [row] = await q()
        .select({
          entries: sql<number>`count(*)`.mapWith(Number),
          withText: sql<number>`count(${interactions.textEnc})`.mapWith(Number),
        })
        .from(interactions)
        .where(eq(interactions.chatId, chatId));
      return { entries: row?.entries ?? 0, withText: row?.withText ?? 0 };
    },

    async ofChat(chatId) {
      const rows = await q()
        .select()
        .from(interactions)
        .where(eq(interactions.chatId, chatId))
        .orderBy(interactions.id);
      return rows.map((r) => ({ ...r, text: r.textEnc ? cipher.decrypt(r.textEnc) : null }));
    },
  });
}
