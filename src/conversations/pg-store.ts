/**
 * The conversation store (src/conversations/store.ts) over PostgreSQL: residents and where each one is in a flow,
 * method for method the same as the SQLite store. Conversation answers are encrypted; no names are stored. Every
 * query runs on `executor(db)`, so inside a unit of work (src/db/pg-unit-of-work.ts) it is part of the transaction.
 */
import { eq, sql } from "drizzle-orm";
import type { Locale } from "../base/locale.ts";
import type { ConversationState } from "../engine/interpreter.ts";
import { conversations, users } from "../db/pg-schema.ts";
import { withDriverErrors } from "../db/pg-errors.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import type { ConversationStore } from "./store.ts";

/** Creates the store over PostgreSQL. `now` defaults to Date.now. */
export function createPgConversationStore(
  db: PgDb,
  cipher: FieldCipher,
  now: () => number = Date.now,
): ConversationStore {
  const q = () => executor(db);
  const userField = async <K extends "locale" | "district" | "blockedAt">(chatId: number, field: K) => {
    const [row] = await q().select({ value: users[field] }).from(users).where(eq(users.chatId, chatId));
    return row;
  };

  return withDriverErrors<ConversationStore>({
    async touch(chatId, telegramUserId) {
      const at = now();
      const [row] = await q()
        .insert(users)
        .values({ chatId, telegramUserId: telegramUserId ?? null, firstSeenAt: at, lastSeenAt: at })
        .onConflictDoUpdate({ target: users.chatId, set: { lastSeenAt: at, blockedAt: null } })
        .returning({ locale: users.locale });
      return { locale: (row?.locale as Locale | null | undefined) ?? null };
    },

    async setLocale(chatId, locale) {
      await q().update(users).set({ locale }).where(eq(users.chatId, chatId));
    },

    async localeOf(chatId) {
      return ((await userField(chatId, "locale"))?.value as Locale | null | undefined) ?? null;
    },

    async districtOf(chatId) {
      return ((await userField(chatId, "district"))?.value as string | null | undefined) ?? undefined;
    },

    async setDistrict(chatId, district) {
      await q().update(users).set({ district }).where(eq(users.chatId, chatId));
    },

    async markBlocked(chatId) {
      await q().update(users).set({ blockedAt: now() }).where(eq(users.chatId, chatId));
    },

    async isBlocked(chatId) {
      return (await userField(chatId, "blockedAt"))?.value != null;
    },

    async load(chatId) {
      const [row] = await q().select().from(conversations).where(eq(conversations.chatId, chatId));
      if (!row) return undefined;
      const state: ConversationState = {
        node: `${row.flow}.${row.node}`,
        step: row.step,
        stack: JSON.parse(row.stack) as string[],
        vars: JSON.parse(cipher.decrypt(row.varsEnc)),
      };
      return state;
    },

    async save(chatId, state) {
      const dot = state.node.indexOf(".");
      const row = {
        flow: state.node.slice(0, dot),
        node: state.node.slice(dot + 1),
        step: state.step,
        stack: JSON.stringify(state.stack),
        varsEnc: cipher.encrypt(JSON.stringify(state.vars)),
        updatedAt: now(),
      };
      await q()
        .insert(conversations)
        .values({ chatId, ...row })
        .onConflictDoUpdate({ target: conversations.chatId, set: row });
    },

    async forget(chatId) {
      await q().delete(conversations).where(eq(conversations.chatId, chatId));
    },

    async erase(chatId) {
      await q().delete(conversations).where(eq(conversations.chatId, chatId));
      await q().delete(users).where(eq(users.chatId, chatId));
    },

    async countUsers() {
      const [row] = await q()
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(users);
      return row?.n ?? 0;
    },
  });
}
