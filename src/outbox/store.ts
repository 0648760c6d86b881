/**
 * The outbox: every message the bot sends is a row here first. The unique dedupe key means the same logical
 * message is never queued twice; claiming a row (pending → sending) means it is never sent twice by two senders.
 */
import { SpeanError } from "../base/errors.ts";
import { and, asc, eq, inArray, lt, lte, notExists, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { asyncMethods } from "../db/async-store.ts";
import type { Db } from "../db/open.ts";
import { outbox } from "../db/schema.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import { MESSAGE_KINDS, type Message, type MessageKind, type Subject } from "./message.ts";

export type Purpose = "reply" | "notice" | "alert" | "reminder";

export interface QueuedMessage {
  /** Unique: the same logical message is never queued twice. Opaque: nothing parses it. */
  dedupeKey: string;
  chatId: number;
  purpose: Purpose;
  message: Message;
  subject?: Subject;
  /** Not before this time (epoch ms; default now). */
  notBefore?: number;
}

/**
 * A row queued before migration 0007 held a Bot API call rather than a message; it is sent as it was written.
 * Only src/telegram/renderer.ts looks inside.
 */
export interface LegacyMessage {
  kind: "legacy";
  method: string;
  params: Record<string, unknown>;
}

export interface OutboxRow {
  id: number;
  dedupeKey: string;
  chatId: number;
  purpose: Purpose;
  message: Message | LegacyMessage;
  subject: Subject | undefined;
  attempts: number;
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;

/** The columns of an outbox row that make an OutboxRow (the same on SQLite and PostgreSQL). */
export type OutboxTableRow = Pick<
  typeof outbox.$inferSelect,
  | "id"
  | "dedupeKey"
  | "chatId"
  | "purpose"
  | "method"
  | "payloadEnc"
  | "subjectKind"
  | "subjectId"
  | "subjectRung"
  | "attempts"
>;

/**
 * An outbox row as the sender reads it: the payload decrypted (a row from before message kinds is "legacy").
 * @throws what the cipher or JSON.parse throws on a row that cannot be read.
 */
export function outboxRowOf(cipher: FieldCipher, r: OutboxTableRow): OutboxRow {
  const payload = JSON.parse(cipher.decrypt(r.payloadEnc)) as Record<string, unknown>;
  const message = MESSAGE_KINDS.includes(r.method as MessageKind)
    ? (payload as Message)
    : ({ kind: "legacy", method: r.method, params: payload } as const);
  const subject =
    r.subjectKind !== null && r.subjectId !== null
      ? { kind: r.subjectKind, id: r.subjectId, ...(r.subjectRung !== null ? { rung: r.subjectRung } : {}) }
      : undefined;
  return {
    id: r.id,
    dedupeKey: r.dedupeKey,
    chatId: r.chatId,
    purpose: r.purpose,
    message,
    subject,
    attempts: r.attempts,
  };
}

/** Creates the outbox store. `now` defaults to Date.now. */
export function createOutboxStore(db: Db, cipher: FieldCipher, now: () => number = Date.now) {
  const toRow = (r: OutboxTableRow) => outboxRowOf(cipher, r);

  const ofSubject = (kind: string, id: number) => and(eq(outbox.subjectKind, kind), eq(outbox.subjectId, id));

  /**
   * The rows that can be read. A row whose payload cannot be decrypted or parsed (another key, an altered row) is
   * marked failed with its code and left out, so that one bad row never stops the sender.
   */
  function readable(rows: (typeof outbox.$inferSelect)[]): OutboxRow[] {
    return rows.flatMap((r) => {
      try {
        return [toRow(r)];
      } catch (err) {
        db.update(outbox)
          .set({ status: "failed", lastError: err instanceof SpeanError ? err.code : "SPEAN_ROW_UNREADABLE" })
          .where(eq(outbox.id, r.id))
          .run();
        return [];
      }
    });
  }

  // Prepared once: these run for every reply (see bench/README.md).
  const ph = sql.placeholder;
  const insertMessage = db
    .insert(outbox)
    .values({
      dedupeKey: ph("dedupeKey"),
      chatId: ph("chatId"),
      purpose: ph("purpose"),
      method: ph("method"),
      payloadEnc: ph("payloadEnc"),
      subjectKind: ph("subjectKind"),
      subjectId: ph("subjectId"),
      subjectRung: ph("subjectRung"),
      status: "pending",
      notBefore: ph("notBefore"),
      createdAt: ph("at"),
    })
    .onConflictDoNothing()
    .returning({ id: outbox.id })
    .prepare();
  const pendingById = db
    .select()
    .from(outbox)
    .where(and(eq(outbox.id, ph("id")), eq(outbox.status, "pending")))
    .prepare();
  // While a row is being sent, not_before holds when it was claimed (see recoverInterrupted).
  const setSending = db
    .update(outbox)
    .set({ status: "sending", notBefore: sql`${ph("at")}` })
    .where(and(eq(outbox.id, ph("id")), eq(outbox.status, "pending")))
    .prepare();
  const setSent = db
    .update(outbox)
    .set({
      status: "sent",
      sentAt: sql`${ph("at")}`,
      telegramMessageId: sql`${ph("messageId")}`,
      attempts: sql`${outbox.attempts} + 1`,
    })
    .where(eq(outbox.id, ph("id")))
    .prepare();
  // A chat with a message on its way waits for it: its next one must not overtake it.
  const beingSent = alias(outbox, "being_sent");
  const dueRows = db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.status, "pending"),
        lte(outbox.notBefore, ph("at")),
        notExists(
          db
            .select({ chatId: beingSent.chatId })
            .from(beingSent)
            .where(and(eq(beingSent.chatId, outbox.chatId), eq(beingSent.status, "sending"))),
        ),
      ),
    )
    .orderBy(asc(outbox.id))
    .limit(ph("limit"))
    .prepare();
  const waitingForChat = db
    .select({ n: sql<number>`count(*)` })
    .from(outbox)
    .where(and(eq(outbox.chatId, ph("chatId")), eq(outbox.status, "pending"), lte(outbox.notBefore, ph("at"))))
    .prepare();
  const dueBefore = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.chatId, ph("chatId")),
        eq(outbox.status, "pending"),
        lte(outbox.notBefore, ph("at")),
        lt(outbox.id, ph("id")),
        inArray(outbox.lastError, ["PACED", "RATE_LIMITED"]),
      ),
    )
    .limit(1)
    .prepare();
  const earliestDue = db
    .select({ at: sql<number | null>`min(${outbox.notBefore})` })
    .from(outbox)
    .where(eq(outbox.status, "pending"))
    .prepare();

  return asyncMethods({
    /** Queues a message; returns its id, or undefined when the dedupe key was queued before. */
    enqueue(queued: QueuedMessage): number | undefined {
      const at = now();
      const [inserted] = insertMessage.all({
        dedupeKey: queued.dedupeKey,
        chatId: queued.chatId,
        purpose: queued.purpose,
        method: queued.message.kind,
        payloadEnc: cipher.encrypt(JSON.stringify(queued.message)),
        subjectKind: queued.subject?.kind ?? null,
        subjectId: queued.subject?.id ?? null,
        subjectRung: queued.subject?.rung ?? null,
        notBefore: queued.notBefore ?? at,
        at,
      });
      return inserted?.id;
    },

    /** Due rows in send order (oldest first), at most `limit`; none of a chat with a row being sent. */
    due(limit: number): OutboxRow[] {
      return readable(dueRows.all({ at: now(), limit }));
    },

    /** Pending rows with the given ids, in id order (used to send replies right after they are queued). */
    pendingByIds(ids: number[]): OutboxRow[] {
      return [...ids]
        .sort((a, b) => a - b)
        .flatMap((id) => {
          const row = pendingById.get({ id });
          return row ? readable([row]) : [];
        });
    },

    /** Atomically takes a pending row for sending; false when someone else took it or it was cancelled. */
    claim(id: number): boolean {
      return setSending.run({ id, at: now() }).changes === 1;
    },

    markSent(id: number, telegramMessageId: number | undefined): void {
      setSent.run({ id, at: now(), messageId: telegramMessageId ?? null });
    },

    /** Puts a claimed row back to pending, to be tried again at `notBefore`. */
    retryLater(id: number, notBefore: number, code: string, countAttempt: boolean): void {
      db.update(outbox)
        .set({
          status: "pending",
          notBefore,
          lastError: code,
          attempts: countAttempt ? sql`${outbox.attempts} + 1` : outbox.attempts,
        })
        .where(eq(outbox.id, id))
        .run();
    },

    /** A claimed row that will not be sent after all (e.g. a reminder whose appointment has begun). */
    markCancelled(id: number): void {
      db.update(outbox).set({ status: "cancelled" }).where(eq(outbox.id, id)).run();
    },

    markFailed(id: number, code: string): void {
      db.update(outbox)
        .set({ status: "failed", lastError: code, attempts: sql`${outbox.attempts} + 1` })
        .where(eq(outbox.id, id))
        .run();
    },

    /** Cancels the pending rows about a subject (e.g. a cancelled appointment's reminders); returns how many. */
    cancelAbout(kind: string, id: number): number {
      return db
        .update(outbox)
        .set({ status: "cancelled" })
        .where(and(eq(outbox.status, "pending"), ofSubject(kind, id)))
        .run().changes;
    },

    /** Message ids of the sent rows about a subject, oldest first (e.g. every alert posted for a case). */
    sentMessageIds(kind: string, id: number): number[] {
      return db
        .select({ messageId: outbox.telegramMessageId })
        .from(outbox)
        .where(and(eq(outbox.status, "sent"), ofSubject(kind, id), sql`${outbox.telegramMessageId} is not null`))
        .orderBy(asc(outbox.id))
        .all()
        .map((r) => r.messageId as number);
    },

    /** /forget: deletes every row to a chat, whatever its state. */
    eraseChat(chatId: number): number {
      return db.delete(outbox).where(eq(outbox.chatId, chatId)).run().changes;
    },

    /** Deletes one row (a message sent after /forget, whose row must not keep the chat's id). */
    erase(id: number): void {
      db.delete(outbox).where(eq(outbox.id, id)).run();
    },

    /** Deletes the rows about subjects of `kind` that are no longer waiting to be sent (sent, failed, cancelled). */
    eraseSettled(kind: string): number {
      return db
        .delete(outbox)
        .where(and(eq(outbox.subjectKind, kind), inArray(outbox.status, ["sent", "failed", "cancelled"])))
        .run().changes;
    },

    /**
     * Telegram answers again after an outage: rows waiting on a back-off after a network error or a 5xx (and the
     * rows queued behind them in their chat) become due now. Rows held by a 429 keep Telegram's retry_after, and
     * scheduled rows (reminders) keep their time. Returns how many.
     */
    retryAfterOutage(): number {
      return db
        .update(outbox)
        .set({ notBefore: now() })
        .where(
          and(
            eq(outbox.status, "pending"),
            sql`${outbox.lastError} is not null`,
            sql`${outbox.lastError} not in ('TELEGRAM_429', 'RATE_LIMITED')`,
            sql`${outbox.notBefore} > ${now()}`,
          ),
        )
        .run().changes;
    },

    /** Cancels every pending row to a chat (quick exit: nothing more arrives about what was said). */
    cancelForChat(chatId: number): number {
      return db
        .update(outbox)
        .set({ status: "cancelled" })
        .where(and(eq(outbox.status, "pending"), eq(outbox.chatId, chatId)))
        .run().changes;
    },

    /**
     * After a crash, rows left in "sending" may or may not have reached Telegram. They are sent again: this is the
     * one duplicate window (documented in the README). Only rows claimed at least `staleAfterMs` ago (default 0:
     * all) are reset: with several instances, a younger row may be on its way out from a live one. Returns how many.
     */
    recoverInterrupted(staleAfterMs = 0): number {
      return db
        .update(outbox)
        .set({ status: "pending" })
        .where(and(eq(outbox.status, "sending"), lte(outbox.notBefore, now() - staleAfterMs)))
        .run().changes;
    },

    /** The earliest time a pending row becomes due. */
    /**
     * How many messages to one chat are due within `withinMs` (default 2000) and not yet sent: a chat's replies held
     * back by the per-chat gap are due within a second or two. Reminders days ahead are not counted.
     */
    waitingFor(chatId: number, withinMs = 2000): number {
      return waitingForChat.get({ chatId, at: now() + withinMs })?.n ?? 0;
    },

    /**
     * Whether a reply to the chat queued before row `id` was held back by Telegram's limits (the sender's "PACED" and
     * "RATE_LIMITED") and is due: a later reply must not overtake it.
     */
    hasHeldBefore(chatId: number, id: number): boolean {
      return dueBefore.get({ chatId, at: now(), id }) !== undefined;
    },

    nextDueAt(): number | undefined {
      return earliestDue.get()?.at ?? undefined;
    },

    counts(): Record<string, number> {
      const rows = db
        .select({ status: outbox.status, n: sql<number>`count(*)` })
        .from(outbox)
        .groupBy(outbox.status)
        .all();
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
  });
}
