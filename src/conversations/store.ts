/**
 * Residents and where each one is in a flow. Conversation answers are encrypted; no names are stored.
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { conversations, users } from "../db/schema.ts";
import type { Locale } from "../engine/actions.ts";
import type { ConversationState } from "../engine/interpreter.ts";
import type { FieldCipher } from "../security/field-cipher.ts";

export type ConversationStore = ReturnType<typeof createConversationStore>;

/** Creates the store. `now` defaults to Date.now. */
export function createConversationStore(db: Db, cipher: FieldCipher, now: () => number = Date.now) {
  return {
    /** Records that a chat was seen; returns its chosen locale (null: none chosen yet). */
    touch(chatId: number, telegramUserId: number | undefined): { locale: Locale | null } {
      const at = now();
      db.insert(users)
        .values({ chatId, telegramUserId, firstSeenAt: at, lastSeenAt: at })
        .onConflictDoUpdate({ target: users.chatId, set: { lastSeenAt: at, blockedAt: null } })
        .run();
      const row = db.select({ locale: users.locale }).from(users).where(eq(users.chatId, chatId)).get();
      return { locale: (row?.locale as Locale | null) ?? null };
    },

    setLocale(chatId: number, locale: Locale): void {
      db.update(users).set({ locale }).where(eq(users.chatId, chatId)).run();
    },

    /** Marks a chat as unreachable (the user blocked the bot); cleared when they write again. */
    markBlocked(chatId: number): void {
      db.update(users).set({ blockedAt: now() }).where(eq(users.chatId, chatId)).run();
    },

    isBlocked(chatId: number): boolean {
      return db.select({ b: users.blockedAt }).from(users).where(eq(users.chatId, chatId)).get()?.b != null;
    },

    load(chatId: number): ConversationState | undefined {
      const row = db.select().from(conversations).where(eq(conversations.chatId, chatId)).get();
      if (!row) return undefined;
      return {
        node: `${row.flow}.${row.node}`,
        step: row.step,
        stack: JSON.parse(row.stack) as string[],
        vars: JSON.parse(cipher.decrypt(row.varsEnc)),
      };
    },

    save(chatId: number, state: ConversationState): void {
      const dot = state.node.indexOf(".");
      const values = {
        flow: state.node.slice(0, dot),
        node: state.node.slice(dot + 1),
        step: state.step,
        stack: JSON.stringify(state.stack),
        varsEnc: cipher.encrypt(JSON.stringify(state.vars)),
        updatedAt: now(),
      };
      db.insert(conversations).values({ chatId, ...values }).onConflictDoUpdate({ target: conversations.chatId, set: values }).run();
    },

    /** Ends a conversation: the next message starts with the welcome again. */
    forget(chatId: number): void {
      db.delete(conversations).where(eq(conversations.chatId, chatId)).run();
    },

    countUsers(): number {
      return db.select({ n: sql<number>`count(*)` }).from(users).get()?.n ?? 0;
    },
  };
}
