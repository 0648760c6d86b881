/**
 * The interaction log: one row per message in or out, so staff can follow up and the programme can count.
 * Text is encrypted and erased after the retention period; the rows stay for counting.
 */
import { and, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { chatMessages, interactions } from "../db/schema.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import { DAY_MS } from "../base/time.ts";
import { asyncMethods } from "../db/async-store.ts";

export interface Interaction {
  chatId: number;
  direction: "in" | "out";
  kind: string;
  flow?: string | undefined;
  node?: string | undefined;
  text?: string | undefined;
  updateId?: number | undefined;
}

export type InteractionLog = ReturnType<typeof createInteractionLog>;

/** Telegram lets a bot delete messages for 48 hours; older message ids are useless. */
const DELETABLE_MS = 48 * 3_600_000;

/** Creates the log. `now` defaults to Date.now. */
export function createInteractionLog(db: Db, cipher: FieldCipher, now: () => number = Date.now) {
  // Prepared once: these run for every message in and out (see bench/README.md).
  const ph = sql.placeholder;
  const insertInteraction = db
    .insert(interactions)
    .values({
      chatId: ph("chatId"),
      direction: ph("direction"),
      kind: ph("kind"),
      flow: ph("flow"),
      node: ph("node"),
      textEnc: ph("textEnc"),
      updateId: ph("updateId"),
      createdAt: ph("at"),
    })
    .prepare();
  const insertMessageId = db
    .insert(chatMessages)
    .values({ chatId: ph("chatId"), messageId: ph("messageId"), fromBot: ph("fromBot"), sentAt: ph("at") })
    .onConflictDoNothing()
    .prepare();

  return asyncMethods({
    record(entry: Interaction): void {
      insertInteraction.run({
        chatId: entry.chatId,
        direction: entry.direction,
        kind: entry.kind,
        flow: entry.flow ?? null,
        node: entry.node ?? null,
        textEnc: entry.text ? cipher.encrypt(entry.text) : null,
        updateId: entry.updateId ?? null,
        at: now(),
      });
    },

    /** Remembers a message id in a chat (for quick exit, which deletes the last 48 hours). */
    rememberMessage(chatId: number, messageId: number, fromBot: boolean, sentAt = now()): void {
      insertMessageId.run({ chatId, messageId, fromBot, at: sentAt });
    },

    /**
     * Quick exit: the ids of the chat's messages from the last 48 hours (Telegram refuses older ones), oldest first,
     * and forgets every id of the chat.
     */
    takeDeletableMessageIds(chatId: number): number[] {
      const ids = db
        .select({ messageId: chatMessages.messageId })
        .from(chatMessages)
        .where(and(eq(chatMessages.chatId, chatId), gte(chatMessages.sentAt, now() - DELETABLE_MS)))
        .orderBy(chatMessages.messageId)
        .all()
        .map((r) => r.messageId);
      db.delete(chatMessages).where(eq(chatMessages.chatId, chatId)).run();
      return ids;
    },

    /** Erases text older than `retentionDays` and forgets message ids Telegram no longer lets us delete. */
    purge(retentionDays: number): { textsErased: number; messageIdsForgotten: number } {
      const textsErased = db
        .update(interactions)
        .set({ textEnc: null })
        .where(and(isNotNull(interactions.textEnc), lt(interactions.createdAt, now() - retentionDays * DAY_MS)))
        .run().changes;
      const messageIdsForgotten = db
        .delete(chatMessages)
        .where(lt(chatMessages.sentAt, now() - DELETABLE_MS))
        .run().changes;
      return { textsErased, messageIdsForgotten };
    },

    /** /forget: every entry and every remembered message id of the chat are deleted. */
    erase(chatId: number): void {
      db.delete(interactions).where(eq(interactions.chatId, chatId)).run();
      db.delete(chatMessages).where(eq(chatMessages.chatId, chatId)).run();
    },

    /** Forgets one remembered message id (a message sent after /forget, already on its way to deletion). */
    forgetMessage(chatId: number, messageId: number): void {
      db.delete(chatMessages)
        .where(and(eq(chatMessages.chatId, chatId), eq(chatMessages.messageId, messageId)))
        .run();
    },

    /** How many entries the chat has, and how many still hold text (for /mydata). */
    countOf(chatId: number): { entries: number; withText: number } {
      const row = db
        .select({ entries: sql<number>`count(*)`, withText: sql<number>`count(${interactions.textEnc})` })
        .from(interactions)
        .where(eq(interactions.chatId, chatId))
        .get();
      return { entries: row?.entries ?? 0, withText: row?.withText ?? 0 };
    },

    /** Decrypted entries of one chat, oldest first (for staff follow-up and tests). */
    ofChat(chatId: number) {
      return db
        .select()
        .from(interactions)
        .where(sql`${interactions.chatId} = ${chatId}`)
        .orderBy(interactions.id)
        .all()
        .map((r) => ({ ...r, text: r.textEnc ? cipher.decrypt(r.textEnc) : null }));
    },
  });
}
