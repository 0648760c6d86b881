/**
 * The durable inbox (src/inbox/store.ts) over PostgreSQL, method for method the same as the SQLite store: every update
 * is written before Telegram is acknowledged, keyed by update_id (`on conflict do nothing`: a re-delivered update is
 * dropped, whichever instance received it), its payload encrypted and erased once the update is done. Every query
 * runs on `executor(db)`, so inside a unit of work it is part of the transaction.
 *
 * Several instances: a lane (chat) is handled by the instance holding its lease (src/cluster/lane-leases.ts), and
 * `nextInLane` takes the lane's oldest pending update `for update skip locked`. Inside a transaction that row stays
 * locked until COMMIT, and an instance that finds it locked is told the lane has nothing for it now: never the next
 * update, which would break the chat's order.
 */
import { and, desc, eq, inArray, lt, lte, sql } from "drizzle-orm";
import { SpeanError } from "../base/errors.ts";
import { withDriverErrors } from "../db/pg-errors.ts";
import { inbox, inboxFloods } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import { FORGOTTEN_LANE, type InboundUpdate, type InboxStore, laneOf, type PendingUpdate } from "./store.ts";

/** How many lanes (chats), oldest first, the worker looks at to find due ones. */
const LANE_LOOKAHEAD = 200;

/** A bigint or numeric aggregate (node-postgres returns them as strings) as a number; null stays null. */
const asNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** Creates the inbox store over PostgreSQL. `now` defaults to Date.now. */
export function createPgInboxStore(db: PgDb, cipher: FieldCipher, now: () => number = Date.now): InboxStore {
  const q = () => executor(db);
  const pending = eq(inbox.status, "pending");

  function decoded(row: typeof inbox.$inferSelect, payloadEnc: string): PendingUpdate {
    const base = { updateId: row.updateId, lane: row.lane, attempts: row.attempts };
    try {
      return { ...base, update: JSON.parse(cipher.decrypt(payloadEnc)) as InboundUpdate };
    } catch (err) {
      return { ...base, unreadable: err instanceof SpeanError ? err.code : "SPEAN_UPDATE_UNREADABLE" };
    }
  }

  return withDriverErrors<InboxStore>({
    async ingest(update) {
      const at = now();
      const result = await q()
        .insert(inbox)
        .values({
          updateId: update.update_id,
          lane: laneOf(update),
          payloadEnc: cipher.encrypt(JSON.stringify(update)),
          status: "pending",
          nextAttemptAt: at,
          receivedAt: at,
        })
        .onConflictDoNothing({ target: inbox.updateId });
      return result.rowCount === 1;
    },

    async dueLanes(busy, limit) {
      const at = now();
      // Each lane once, with its oldest pending update's due time, lanes in the order of those updates.
      const { rows } = await q().execute<{ lane: string; due: string }>(sql`
        select lane, next_attempt_at as due from (
          select distinct on (lane) lane, next_attempt_at, update_id from inbox
          where status = 'pending' order by lane, update_id
        ) oldest order by update_id limit ${LANE_LOOKAHEAD}`);
      const lanes: string[] = [];
      for (const row of rows) {
        if (Number(row.due) <= at && !busy.has(row.lane)) lanes.push(row.lane);
        if (lanes.length >= limit) break;
      }
      return lanes;
    },

    async pendingIn(lane) {
      const [row] = await q()
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(inbox)
        .where(and(pending, eq(inbox.lane, lane)));
      return row?.n ?? 0;
    },

    async backlog() {
      const [row] = await q()
        .select({ n: sql<number>`count(*)`.mapWith(Number), oldest: sql<unknown>`min(${inbox.receivedAt})` })
        .from(inbox)
        .where(pending);
      return { pending: row?.n ?? 0, oldestReceivedAt: asNumber(row?.oldest) ?? undefined };
    },

    async recordDrop(lane, notifyEveryMs) {
      const at = now();
      // The upsert locks the lane's row until COMMIT: inside a unit of work, two instances dropping for one chat
      // at once see each other's notice.
      const [row] = await q()
        .insert(inboxFloods)
        .values({ lane, dropped: 1, firstDroppedAt: at, lastDroppedAt: at })
        .onConflictDoUpdate({
          target: inboxFloods.lane,
          set: { dropped: sql`${inboxFloods.dropped} + 1`, lastDroppedAt: at },
        })
        .returning({ notifiedAt: inboxFloods.notifiedAt });
      if (row?.notifiedAt !== null && row?.notifiedAt !== undefined && at - row.notifiedAt < notifyEveryMs)
        return false;
      await q().update(inboxFloods).set({ notifiedAt: at }).where(eq(inboxFloods.lane, lane));
      return true;
    },

    async droppedSince(since) {
      const [row] = await q()
        .select({ n: sql<unknown>`sum(${inboxFloods.dropped})` })
        .from(inboxFloods)
        .where(sql`${inboxFloods.lastDroppedAt} >= ${since}`);
      return asNumber(row?.n) ?? 0;
    },

    async nextInLane(lane) {
      const oldest = q()
        .select({ id: sql`min(${inbox.updateId})` })
        .from(inbox)
        .where(and(eq(inbox.lane, lane), pending));
      const [row] = await q()
        .select()
        .from(inbox)
        .where(and(eq(inbox.updateId, sql`(${oldest})`), pending))
        .for("update", { skipLocked: true });
      if (!row || row.nextAttemptAt > now() || !row.payloadEnc) return undefined;
      return decoded(row, row.payloadEnc);
    },

    async nextDueAt() {
      const [row] = await q()
        .select({ at: sql<unknown>`min(${inbox.nextAttemptAt})` })
        .from(inbox)
        .where(pending);
      return asNumber(row?.at) ?? undefined;
    },

    async markDone(updateId) {
      const marked = await q()
        .update(inbox)
        .set({ status: "done", payloadEnc: null, doneAt: now() })
        .where(and(eq(inbox.updateId, updateId), pending));
      return marked.rowCount === 1;
    },

    async hasPending() {
      const rows = await q().select({ id: inbox.updateId }).from(inbox).where(pending).limit(1);
      return rows.length > 0;
    },

    async recordFailure(updateId, code, maxAttempts, retryDelayMs) {
      // One statement: the count read is the count written, even with another instance recording at once.
      const [row] = await q()
        .update(inbox)
        .set({
          attempts: sql`${inbox.attempts} + 1`,
          lastError: code,
          status: sql`case when ${inbox.attempts} + 1 >= ${maxAttempts} then 'quarantined' else 'pending' end`,
          nextAttemptAt: now() + retryDelayMs,
        })
        .where(and(eq(inbox.updateId, updateId), pending))
        .returning({ attempts: inbox.attempts });
      // No row: the update is done (elsewhere) or unknown, and is not to be set aside or announced.
      if (!row) return { attempts: 0, quarantined: false };
      return { attempts: row.attempts, quarantined: row.attempts >= maxAttempts };
    },

    async counts() {
      const rows = await q()
        .select({ status: inbox.status, n: sql<number>`count(*)`.mapWith(Number) })
        .from(inbox)
        .groupBy(inbox.status);
      const counts = { pending: 0, done: 0, quarantined: 0 };
      for (const r of rows) counts[r.status] = r.n;
      return counts;
    },

    async quarantined(limit = 50) {
      return q()
        .select({
          updateId: inbox.updateId,
          lane: inbox.lane,
          attempts: inbox.attempts,
          lastError: inbox.lastError,
          receivedAt: inbox.receivedAt,
        })
        .from(inbox)
        .where(eq(inbox.status, "quarantined"))
        .orderBy(desc(inbox.updateId))
        .limit(limit);
    },

    async forgetChat(chatId, current) {
      const lane = `chat:${chatId}`;
      await q()
        .delete(inbox)
        .where(and(eq(inbox.lane, lane), inArray(inbox.status, ["done", "quarantined"])));
      await q().update(inbox).set({ lane: FORGOTTEN_LANE }).where(eq(inbox.updateId, current));
      await q().delete(inboxFloods).where(eq(inboxFloods.lane, lane));
    },

    async pruneDone(olderThanMs) {
      await q()
        .delete(inboxFloods)
        .where(lt(inboxFloods.lastDroppedAt, now() - olderThanMs));
      const pruned = await q()
        .delete(inbox)
        .where(and(eq(inbox.status, "done"), lt(inbox.doneAt, now() - olderThanMs)));
      return pruned.rowCount ?? 0;
    },

    async eraseQuarantinedPayloads(olderThanMs) {
      const erased = await q()
        .update(inbox)
        .set({ payloadEnc: null })
        .where(and(eq(inbox.status, "quarantined"), lte(inbox.receivedAt, now() - olderThanMs)));
      return erased.rowCount ?? 0;
    },
  });
}
