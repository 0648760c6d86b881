/**
 * The durable inbox: every update is written here before Telegram is acknowledged, keyed by update_id so that a
 * re-delivered update is dropped. The payload is encrypted, and erased once the update is done.
 */
import { SpeanError } from "../base/errors.ts";
import { and, asc, eq, inArray, lt, lte, sql } from "drizzle-orm";
import { asyncMethods } from "../db/async-store.ts";
import type { Db } from "../db/open.ts";
import { inbox, inboxFloods } from "../db/schema.ts";
import type { FieldCipher } from "../security/field-cipher.ts";

/** The parts of a Telegram update the inbox needs; the rest is kept as it came. */
export interface InboundUpdate {
  update_id: number;
  [field: string]: unknown;
}

/**
 * An update waiting to be handled. `unreadable` (an error code) when its stored payload cannot be decrypted or
 * parsed (a different key, an altered row): the worker quarantines it at once instead of retrying.
 */
export type PendingUpdate = { updateId: number; lane: string; attempts: number } & (
  { update: InboundUpdate; unreadable?: undefined } | { update?: undefined; unreadable: string }
);

export type InboxStore = ReturnType<typeof createInboxStore>;

/** How many lanes (chats), oldest first, the worker looks at to find due ones. */
const LANE_LOOKAHEAD = 200;

/** Creates the inbox store over an open database. `now` defaults to Date.now. */
export function createInboxStore(db: Db, cipher: FieldCipher, now: () => number = Date.now) {
  // The per-update statements are prepared once: building and preparing SQL on every call was most of the cost
  // of handling an update (measured in bench/README.md).
  const ph = sql.placeholder;
  const insertUpdate = db
    .insert(inbox)
    .values({
      updateId: ph("updateId"),
      lane: ph("lane"),
      payloadEnc: ph("payloadEnc"),
      status: "pending",
      nextAttemptAt: ph("at"),
      receivedAt: ph("at"),
    })
    .onConflictDoNothing()
    .prepare();
  // One row per lane with its oldest pending update (SQLite takes the bare column next_attempt_at from the row that
  // has min(update_id)), so that a chat with a long backlog can never hide the other chats from the worker.
  const oldestPerLane = db.$client.prepare<[number], { lane: string; due: number }>(
    "select lane, next_attempt_at as due, min(update_id) as first from inbox where status = 'pending' " +
      "group by lane order by first limit ?",
  );
  const pendingInLane = db.$client.prepare<[string], { n: number }>(
    "select count(*) as n from inbox where status = 'pending' and lane = ?",
  );
  const pendingTotal = db.$client.prepare<[], { n: number; oldest: number | null }>(
    "select count(*) as n, min(received_at) as oldest from inbox where status = 'pending'",
  );
  const recordFlood = db.$client.prepare<[{ lane: string; at: number }], { notified_at: number | null }>(
    "insert into inbox_floods (lane, dropped, first_dropped_at, last_dropped_at) values (@lane, 1, @at, @at) " +
      "on conflict (lane) do update set dropped = dropped + 1, last_dropped_at = @at " +
      "returning notified_at",
  );
  const markFloodNotified = db.$client.prepare<[number, string]>(
    "update inbox_floods set notified_at = ? where lane = ?",
  );
  const oldestInLane = db
    .select()
    .from(inbox)
    .where(and(eq(inbox.lane, ph("lane")), eq(inbox.status, "pending")))
    .orderBy(asc(inbox.updateId))
    .limit(1)
    .prepare();
  const earliestDue = db
    .select({ at: sql<number | null>`min(${inbox.nextAttemptAt})` })
    .from(inbox)
    .where(eq(inbox.status, "pending"))
    .prepare();
  const anyPending = db
    .select({ id: inbox.updateId })
    .from(inbox)
    .where(eq(inbox.status, "pending"))
    .limit(1)
    .prepare();
  const setDone = db
    .update(inbox)
    .set({ status: "done", payloadEnc: null, doneAt: sql`${ph("at")}` })
    .where(and(eq(inbox.updateId, ph("updateId")), eq(inbox.status, "pending")))
    .prepare();

  /** Persists an update; false when its update_id was seen before (a duplicate, dropped). */
  function ingest(update: InboundUpdate): boolean {
    const result = insertUpdate.run({
      updateId: update.update_id,
      lane: laneOf(update),
      payloadEnc: cipher.encrypt(JSON.stringify(update)),
      at: now(),
    });
    return result.changes === 1;
  }

  return asyncMethods({
    ingest,

    /**
     * Lanes whose oldest pending update is due now, oldest first, leaving out `busy` lanes. Every lane counts once,
     * however many updates it has waiting; the `LANE_LOOKAHEAD` oldest lanes are looked at.
     */
    dueLanes(busy: ReadonlySet<string>, limit: number): string[] {
      const at = now();
      const lanes: string[] = [];
      for (const row of oldestPerLane.all(LANE_LOOKAHEAD)) {
        if (row.due <= at && !busy.has(row.lane)) lanes.push(row.lane);
        if (lanes.length >= limit) break;
      }
      return lanes;
    },

    /** How many updates of one lane wait to be handled. */
    pendingIn(lane: string): number {
      return pendingInLane.get(lane)?.n ?? 0;
    },

    /** How many updates wait to be handled, and when the oldest of them arrived (for admission and /readyz). */
    backlog(): { pending: number; oldestReceivedAt: number | undefined } {
      const row = pendingTotal.get();
      return { pending: row?.n ?? 0, oldestReceivedAt: row?.oldest ?? undefined };
    },

    /**
     * Counts an update dropped from a flooding lane; returns true when the chat should be asked to wait (not asked
     * in the last `notifyEveryMs`), and records that it was.
     */
    recordDrop(lane: string, notifyEveryMs: number): boolean {
      const at = now();
      const row = recordFlood.get({ lane, at });
      if (row?.notified_at !== null && row?.notified_at !== undefined && at - row.notified_at < notifyEveryMs)
        return false;
      markFloodNotified.run(at, lane);
      return true;
    },

    /** Updates dropped from flooding chats since `since` (for /readyz and the logs). */
    droppedSince(since: number): number {
      return (
        db.$client
          .prepare<[number], { n: number | null }>(
            "select sum(dropped) as n from inbox_floods where last_dropped_at >= ?",
          )
          .get(since)?.n ?? 0
      );
    },

    /** The oldest pending update of a lane if it is due now; undefined when the lane is empty or waiting to retry. */
    nextInLane(lane: string): PendingUpdate | undefined {
      const row = oldestInLane.get({ lane });
      if (!row || row.nextAttemptAt > now() || !row.payloadEnc) return undefined;
      const base = { updateId: row.updateId, lane, attempts: row.attempts };
      try {
        return { ...base, update: JSON.parse(cipher.decrypt(row.payloadEnc)) as InboundUpdate };
      } catch (err) {
        return { ...base, unreadable: err instanceof SpeanError ? err.code : "SPEAN_UPDATE_UNREADABLE" };
      }
    },

    /** The earliest time a pending update becomes due, for the worker's timer. */
    nextDueAt(): number | undefined {
      return earliestDue.get()?.at ?? undefined;
    },

    /**
     * Marks an update done and erases its payload. Safe to call twice: true when this call marked it, false when it
     * was done already (or is unknown).
     */
    markDone(updateId: number): boolean {
      return setDone.run({ updateId, at: now() }).changes === 1;
    },

    /** Whether any update waits to be handled (cheaper than counts()). */
    hasPending(): boolean {
      return anyPending.get() !== undefined;
    },

    /**
     * Records a failed attempt. After `maxAttempts` the update is quarantined (kept, with its payload, for staff);
     * otherwise it is retried after `retryDelayMs`. Returns the new attempt count and whether it was quarantined.
     */
    recordFailure(updateId: number, code: string, maxAttempts: number, retryDelayMs: number) {
      const row = db.select({ attempts: inbox.attempts }).from(inbox).where(eq(inbox.updateId, updateId)).get();
      const attempts = (row?.attempts ?? 0) + 1;
      const quarantined = attempts >= maxAttempts;
      const recorded = db
        .update(inbox)
        .set({
          attempts,
          lastError: code,
          status: quarantined ? "quarantined" : "pending",
          nextAttemptAt: now() + retryDelayMs,
        })
        // Only while pending: an update another instance has handled in the meantime stays done.
        .where(and(eq(inbox.updateId, updateId), eq(inbox.status, "pending")))
        .run();
      // Nothing recorded: the update is done (elsewhere) or unknown, and is not to be set aside or announced.
      if (recorded.changes === 0) return { attempts: row?.attempts ?? 0, quarantined: false };
      return { attempts, quarantined };
    },

    /** Counts by status, for health checks and tests. */
    counts(): Record<"pending" | "done" | "quarantined", number> {
      const rows = db
        .select({ status: inbox.status, n: sql<number>`count(*)` })
        .from(inbox)
        .groupBy(inbox.status)
        .all();
      const counts = { pending: 0, done: 0, quarantined: 0 };
      for (const r of rows) counts[r.status] = r.n;
      return counts;
    },

    /** Quarantined updates, newest first (ids and error codes only). */
    quarantined(limit = 50) {
      return db
        .select({
          updateId: inbox.updateId,
          lane: inbox.lane,
          attempts: inbox.attempts,
          lastError: inbox.lastError,
          receivedAt: inbox.receivedAt,
        })
        .from(inbox)
        .where(eq(inbox.status, "quarantined"))
        .orderBy(sql`${inbox.updateId} desc`)
        .limit(limit)
        .all();
    },

    /**
     * /forget: the chat's handled and set-aside updates are deleted, and the update being handled now (`current`)
     * no longer names the chat. Updates still waiting are the resident's newer messages and are handled as usual.
     */
    forgetChat(chatId: number, current: number): void {
      const lane = `chat:${chatId}`;
      db.delete(inbox)
        .where(and(eq(inbox.lane, lane), inArray(inbox.status, ["done", "quarantined"])))
        .run();
      db.update(inbox).set({ lane: FORGOTTEN_LANE }).where(eq(inbox.updateId, current)).run();
      db.delete(inboxFloods).where(eq(inboxFloods.lane, lane)).run();
    },

    /**
     * Deletes done rows older than `olderThanMs` (duplicates are only re-sent within hours), and flood counts as
     * old. Returns how many updates.
     */
    pruneDone(olderThanMs: number): number {
      db.delete(inboxFloods)
        .where(lt(inboxFloods.lastDroppedAt, now() - olderThanMs))
        .run();
      return db
        .delete(inbox)
        .where(and(eq(inbox.status, "done"), lt(inbox.doneAt, now() - olderThanMs)))
        .run().changes;
    },

    /** Erases payloads of quarantined updates older than the retention period. */
    eraseQuarantinedPayloads(olderThanMs: number): number {
      return db
        .update(inbox)
        .set({ payloadEnc: null })
        .where(and(inArray(inbox.status, ["quarantined"]), lte(inbox.receivedAt, now() - olderThanMs)))
        .run().changes;
    },
  });
}

/** The lane of an update whose chat used /forget while it was being handled. */
export const FORGOTTEN_LANE = "forgotten";

/**
 * Marks an update done inside the transaction that handled it. When it was done already, the update was handled
 * elsewhere meanwhile (another instance, after this one's lease on the chat ran out): this throws
 * SPEAN_UPDATE_ALREADY_DONE, so that the transaction's work is undone and the update is answered once.
 */
export async function markHandled(store: Pick<InboxStore, "markDone">, updateId: number): Promise<void> {
  if (!(await store.markDone(updateId))) throw new SpeanError("SPEAN_UPDATE_ALREADY_DONE", undefined, { updateId });
}

/** Updates of one chat share a lane; updates without a chat get a lane of their own. */
export function laneOf(update: InboundUpdate): string {
  const chatId = chatIdOf(update);
  return chatId === undefined ? `update:${update.update_id}` : `chat:${chatId}`;
}

/** The chat an update belongs to, when it has one. */
export function chatIdOf(update: Record<string, unknown>): number | undefined {
  for (const field of ["message", "edited_message", "callback_query", "my_chat_member", "channel_post"]) {
    const part = update[field] as Record<string, unknown> | undefined;
    if (!part || typeof part !== "object") continue;
    const holder = (field === "callback_query" ? (part.message as Record<string, unknown> | undefined) : part) ?? {};
    const chat = holder.chat as { id?: unknown } | undefined;
    if (typeof chat?.id === "number") return chat.id;
    const from = part.from as { id?: unknown } | undefined;
    if (typeof from?.id === "number") return from.id;
  }
  return undefined;
}
