/**
 * Residents and where each one is in a flow. Conversation answers are encrypted; no names are stored.
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { conversations, users } from "../db/schema.ts";
import type { Locale } from "../base/locale.ts";
import type { ConversationState } from "../engine/interpreter.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import { asyncMethods } from "../db/async-store.ts";

export type ConversationStore = ReturnType<typeof createConversationStore>;

/** Creates the store. `now` defaults to Date.now. */
export function createConversationStore(db: Db, cipher: FieldCipher, now: () => number = Date.now) {
  // Prepared once: these run on every update (see bench/README.md).
  const ph = sql.placeholder;
  const upsertUser = db
    .insert(users)
    .values({ chatId: ph("chatId"), telegramUserId: ph("userId"), firstSeenAt: ph("at"), lastSeenAt: ph("at") })
    .onConflictDoUpdate({ target: users.chatId, set: { lastSeenAt: sql`${ph("at")}`, blockedAt: null } })
    .returning({ locale: users.locale })
    .prepare();
  const selectState = db
    .select()
    .from(conversations)
    .where(eq(conversations.chatId, ph("chatId")))
    .prepare();
  const upsertState = db
    .insert(conversations)
    .values({
      chatId: ph("chatId"),
      flow: ph("flow"),
      node: ph("node"),
      step: ph("step"),
      stack: ph("stack"),
      varsEnc: ph("varsEnc"),
      updatedAt: ph("at"),
    })
    .onConflictDoUpdate({
      target: conversations.chatId,
      set: {
        flow: sql`excluded.flow`,
        node: sql`excluded.node`,
        step: sql`excluded.step`,
        stack: sql`excluded.stack`,
        varsEnc: sql`excluded.vars_enc`,
        updatedAt: sql`excluded.updated_at`,
      },
    })
    .prepare();

  return asyncMethods({
    /** Records that a chat was seen; returns its chosen locale (null: none chosen yet). */
    touch(chatId: number, telegramUserId: number | undefined): { locale: Locale | null } {
      const [row] = upsertUser.all({ chatId, userId: telegramUserId ?? null, at: now() });
      return { locale: (row?.locale as Locale | null) ?? null };
    },

    setLocale(chatId: number, locale: Locale): void {
      db.update(users).set({ locale }).where(eq(users.chatId, chatId)).run();
    },

    /** The chat's chosen locale; null when none was chosen. */
    localeOf(chatId: number): Locale | null {
      return (
        (db.select({ locale: users.locale }).from(users).where(eq(users.chatId, chatId)).get()?.locale as
          Locale | null | undefined) ?? null
      );
    },

    /** The district the resident chose under "Get help" (remembered until they change it). */
    districtOf(chatId: number): string | undefined {
      return (
        db.select({ district: users.district }).from(users).where(eq(users.chatId, chatId)).get()?.district ?? undefined
      );
    },

    setDistrict(chatId: number, district: string): void {
      db.update(users).set({ district }).where(eq(users.chatId, chatId)).run();
    },

    /** Marks a chat as unreachable (the user blocked the bot); cleared when they write again. */
    markBlocked(chatId: number): void {
      db.update(users).set({ blockedAt: now() }).where(eq(users.chatId, chatId)).run();
    },

    isBlocked(chatId: number): boolean {
      return db.select({ b: users.blockedAt }).from(users).where(eq(users.chatId, chatId)).get()?.b != null;
    },

    load(chatId: number): ConversationState | undefined {
      const row = selectState.get({ chatId });
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
      upsertState.run({
        chatId,
        flow: state.node.slice(0, dot),
        node: state.node.slice(dot + 1),
        step: state.step,
        stack: JSON.stringify(state.stack),
        varsEnc: cipher.encrypt(JSON.stringify(state.vars)),
        at: now(),
      });
    },

    /** Ends a conversation: the next message starts with the welcome again. */
    forget(chatId: number): void {
      db.delete(conversations).where(eq(conversations.chatId, chatId)).run();
    },

    /** /forget: the conversation and the resident's row (language, district, Telegram id) are deleted. */
    erase(chatId: number): void {
      db.delete(conversations).where(eq(conversations.chatId, chatId)).run();
      db.delete(users).where(eq(users.chatId, chatId)).run();
    },

    countUsers(): number {
      return (
        db
          .select({ n: sql<number>`count(*)` })
          .from(users)
          .get()?.n ?? 0
      );
    },
  });
}
