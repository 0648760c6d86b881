/**
 * The outbox (src/outbox/store.ts) over PostgreSQL, method for method the same as the SQLite store: every message the
 * bot sends is a row here first, the unique dedupe key means the same logical message is never queued twice, and
 * claiming a row (pending → sending) means it is never sent twice by two senders. Every query runs on
 * `executor(db)`, so inside a unit of work it is part of the transaction.
 *
 * Several instances: a claim takes the row `for update skip locked`, so a sender never waits on a row another
 * instance is claiming in an open transaction; it moves on, and the row is theirs (or, if they roll back, due again).
 * A claim marks the row sending and sets not_before to the claim time (recoverInterrupted reads it); a chat with a
 * row being sent, by any instance, has no row due until that one is settled, so a chat's messages keep their order.
 */
import { alias } from "drizzle-orm/pg-core";
import { and, asc, eq, inArray, lt, lte, notExists, sql } from "drizzle-orm";
import { SpeanError } from "../base/errors.ts";
import { withDriverErrors } from "../db/pg-errors.ts";
import { outbox } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import { outboxRowOf, type OutboxRow, type OutboxStore } from "./store.ts";

type Row = typeof outbox.$inferSelect;

/** The outbox again, for a subquery over the same table. */
const outboxBeingSent = alias(outbox, "being_sent");

/** Creates the outbox store over PostgreSQL. `now` defaults to Date.now. */
export function createPgOutboxStore(db: PgDb, cipher: FieldCipher, now: () => number = Date.now): OutboxStore {
  const q = () => executor(db);

  const toRow = (r: Row) => outboxRowOf(cipher, r);

  const ofSubject = (kind: string, id: number) => and(eq(outbox.subjectKind, kind), eq(outbox.subjectId, id));

  /**
   * The rows that can be read. A row whose payload cannot be decrypted or parsed (another key, an altered row) is
   * marked failed with its code and left out, so that one bad row never stops the sender.
   */
  async function readable(rows: Row[]): Promise<OutboxRow[]> {
    const read: OutboxRow[] = [];
    for (const r of rows) {
      try {
        read.push(toRow(r));
      } catch (err) {
        await q()
          .update(outbox)
          .set({ status: "failed", lastError: err instanceof SpeanError ? err.code : "SPEAN_ROW_UNREADABLE" })
          .where(eq(outbox.id, r.id));
      }
    }
    return read;
  }

  return withDriverErrors<OutboxStore>({
    async enqueue(queued) {
      const at = now();
      const [inserted] = await q()
        .insert(outbox)
        .values({
          dedupeKey: queued.dedupeKey,
          chatId: queued.chatId,
          purpose: queued.purpose,
          method: queued.message.kind,
          payloadEnc: cipher.encrypt(JSON.stringify(queued.message)),
          subjectKind: queued.subject?.kind ?? null,
          subjectId: queued.subject?.id ?? null,
          subjectRung: queued.subject?.rung ?? null,
          status: "pending",
          notBefore: queued.notBefore ?? at,
          createdAt: at,
        })
        .onConflictDoNothing()
        .returning({ id: outbox.id });
      return inserted?.id;
    },

    async due(limit) {
      // A chat with a message on its way (from any instance) waits for it: its next one must not overtake it.
      const sending = q()
        .select({ chatId: outboxBeingSent.chatId })
        .from(outboxBeingSent)
        .where(and(eq(outboxBeingSent.chatId, outbox.chatId), eq(outboxBeingSent.status, "sending")));
      const rows = await q()
        .select()
        .from(outbox)
        .where(and(eq(outbox.status, "pending"), lte(outbox.notBefore, now()), notExists(sending)))
        .orderBy(asc(outbox.id))
        .limit(limit);
      return readable(rows);
    },

    async pendingByIds(ids) {
      if (ids.length === 0) return [];
      const rows = await q()
        .select()
        .from(outbox)
        .where(and(inArray(outbox.id, ids), eq(outbox.status, "pending")));
      const byId = new Map(rows.map((r) => [r.id, r]));
      // As the SQLite store: in id order, an id asked for twice answered twice.
      const found = [...ids].sort((a, b) => a - b).flatMap((id) => byId.get(id) ?? []);
      return readable(found);
    },

    async claim(id) {
      const free = q()
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.id, id), eq(outbox.status, "pending")))
        .for("update", { skipLocked: true });
      const claimed = await q()
        .update(outbox)
        .set({ status: "sending", notBefore: now() })
        .where(and(inArray(outbox.id, free), eq(outbox.status, "pending")));
      return claimed.rowCount === 1;
    },

    async markSent(id, telegramMessageId) {
      await q()
        .update(outbox)
        .set({
          status: "sent",
          sentAt: now(),
          telegramMessageId: telegramMessageId ?? null,
          attempts: sql`${outbox.attempts} + 1`,
        })
        .where(eq(outbox.id, id));
    },

    async retryLater(id, notBefore, code, countAttempt) {
      await q()
        .update(outbox)
        .set({
          status: "pending",
          notBefore,
          lastError: code,
          attempts: countAttempt ? sql`${outbox.attempts} + 1` : outbox.attempts,
        })
        .where(eq(outbox.id, id));
    },

    async markCancelled(id) {
      await q().update(outbox).set({ status: "cancelled" }).where(eq(outbox.id, id));
    },

    async markFailed(id, code) {
      await q()
        .update(outbox)
        .set({ status: "failed", lastError: code, attempts: sql`${outbox.attempts} + 1` })
        .where(eq(outbox.id, id));
    },

    async cancelAbout(kind, id) {
      const cancelled = await q()
        .update(outbox)
        .set({ status: "cancelled" })
        .where(and(eq(outbox.status, "pending"), ofSubject(kind, id)));
      return cancelled.rowCount ?? 0;
    },

    async sentMessageIds(kind, id) {
      const rows = await q()
        .select({ messageId: outbox.telegramMessageId })
        .from(outbox)
        .where(and(eq(outbox.status, "sent"), ofSubject(kind, id), sql`${outbox.telegramMessageId} is not null`))
        .orderBy(asc(outbox.id));
      return rows.map((r) => r.messageId as number);
    },

    async eraseChat(chatId) {
      const erased = await q().delete(outbox).where(eq(outbox.chatId, chatId));
      return erased.rowCount ?? 0;
    },

    async erase(id) {
      await q().delete(outbox).where(eq(outbox.id, id));
    },

    async eraseSettled(kind) {
      const erased = await q()
        .delete(outbox)
        .where(and(eq(outbox.subjectKind, kind), inArray(outbox.status, ["sent", "failed", "cancelled"])));
      return erased.rowCount ?? 0;
    },

    async retryAfterOutage() {
      const at = now();
      const retried = await q()
        .update(outbox)
        .set({ notBefore: at })
        .where(
          and(
            eq(outbox.status, "pending"),
            sql`${outbox.lastError} is not null`,
            sql`${outbox.lastError} not in ('TELEGRAM_429', 'RATE_LIMITED')`,
            sql`${outbox.notBefore} > ${at}`,
          ),
        );
      return retried.rowCount ?? 0;
    },

    async cancelForChat(chatId) {
      const cancelled = await q()
        .update(outbox)
        .set({ status: "cancelled" })
        .where(and(eq(outbox.status, "pending"), eq(outbox.chatId, chatId)));
      return cancelled.rowCount ?? 0;
    },

    async recoverInterrupted(staleAfterMs = 0) {
      const recovered = await q()
        .update(outbox)
        .set({ status: "pending" })
        .where(and(eq(outbox.status, "sending"), lte(outbox.notBefore, now() - staleAfterMs)));
      return recovered.rowCount ?? 0;
    },

    async waitingFor(chatId, withinMs = 2000) {
      const [row] = await q()
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(outbox)
        .where(and(eq(outbox.chatId, chatId), eq(outbox.status, "pending"), lte(outbox.notBefore, now() + withinMs)));
      return row?.n ?? 0;
    },

    async hasHeldBefore(chatId, id) {
      const rows = await q()
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          and(
            eq(outbox.chatId, chatId),
            eq(outbox.status, "pending"),
            lte(outbox.notBefore, now()),
            lt(outbox.id, id),
            inArray(outbox.lastError, ["PACED", "RATE_LIMITED"]),
          ),
        )
        .limit(1);
      return rows.length > 0;
    },

    async nextDueAt() {
      const [row] = await q()
        .select({ at: sql<unknown>`min(${outbox.notBefore})` })
        .from(outbox)
        .where(eq(outbox.status, "pending"));
      return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
    },

    async counts() {
      const rows = await q()
        .select({ status: outbox.status, n: sql<number>`count(*)`.mapWith(Number) })
        .from(outbox)
        .groupBy(outbox.status);
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
  });
}
