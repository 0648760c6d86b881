/**
 * One behaviour, two databases: each function here defines the `it` cases of one store's interface, given a factory
 * that opens a store on an empty database (SQLite or PostgreSQL). test/unit/store-contracts.test.ts runs every
 * contract on both, so a PostgreSQL store is held to exactly what the SQLite store does, method by method.
 *
 * What is at rest is read with plain SQL that both dialects accept (`rows`), and time is the fixture's clock.
 */
import { expect, it } from "vitest";
import { SpeanError } from "../../src/base/errors.ts";
import type { Appointment, AppointmentStatus, WeeklyHours } from "../../src/booking/model.ts";
import type { BookingStore, CounsellorProfile, NewAppointment } from "../../src/booking/store.ts";
import type { ConversationStore } from "../../src/conversations/store.ts";
import type { Vars } from "../../src/engine/actions.ts";
import type { ConversationState } from "../../src/engine/interpreter.ts";
import type { CommitQueue } from "../../src/db/commit-queue.ts";
import type { InboundUpdate, InboxStore } from "../../src/inbox/store.ts";
import type { InteractionLog } from "../../src/interactions/log.ts";
import type { OutboxStore, QueuedMessage } from "../../src/outbox/store.ts";
import type { SafetyStore } from "../../src/safety/store.ts";

/** A store on an empty database, with that database's unit of work. */
export interface StoreFixture<S> {
  store: S;
  commits: CommitQueue;
  /** Runs `query` on the database directly: a select's rows, [] for a write (the SQL here suits both dialects). */
  rows(query: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Opens a fixture whose store reads the time from `clock`. */
export type StoreFactory<S> = (clock: () => number) => Promise<StoreFixture<S>>;

/** 2026-01-05 03:00 UTC: the fixtures' clock starts here. */
export const T0 = 1_767_582_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Telegram ids beyond 32 bits: a supergroup's chat id and a recent user id. */
const GROUP_CHAT = -1_002_345_678_901;
const BIG_USER = 7_012_345_678;
const KHMER = "ខ្ញុំត្រូវការជំនួយ";

/** A settable clock and a fixture opened with it, closed after `test`. */
function withFixture<S>(open: StoreFactory<S>, test: (f: StoreFixture<S>, clock: Clock) => Promise<void>) {
  return async () => {
    const clock = new Clock();
    const fixture = await open(() => clock.now);
    try {
      await test(fixture, clock);
    } finally {
      await fixture.close();
    }
  };
}

class Clock {
  now = T0;
  advance(ms: number): void {
    this.now += ms;
  }
}

/** A column read with `rows`, as a number (PostgreSQL's bigint arrives as a string from a raw query). */
const num = (value: unknown) => (value === null ? null : Number(value));

/** The outcomes of pieces submitted together: "ok" or the error's message. */
async function settled(pieces: Promise<unknown>[]): Promise<string[]> {
  return (await Promise.allSettled(pieces)).map((o) => (o.status === "fulfilled" ? "ok" : (o.reason as Error).message));
}

export function conversationStoreContract(open: StoreFactory<ConversationStore>): void {
  const state = (node: string, step: number, vars: Vars = {}, stack: string[] = []): ConversationState => ({
    node,
    step,
    stack,
    vars,
  });

  it(
    "touch: records a new resident with no locale, and returns the locale chosen since",
    withFixture(open, async ({ store, rows }) => {
      expect(await store.touch(GROUP_CHAT, BIG_USER)).toEqual({ locale: null });
      expect(await store.countUsers()).toBe(1);
      await store.setLocale(GROUP_CHAT, "en");
      expect(await store.touch(GROUP_CHAT, BIG_USER)).toEqual({ locale: "en" });
      expect(await store.countUsers()).toBe(1);
      const [user] = await rows("select chat_id, telegram_user_id, locale from users");
      expect([num(user?.["chat_id"]), num(user?.["telegram_user_id"]), user?.["locale"]]).toEqual([
        GROUP_CHAT,
        BIG_USER,
        "en",
      ]);
    }),
  );

  it(
    "touch: keeps the first-seen time and the first Telegram user id, moves last-seen and clears a block",
    withFixture(open, async ({ store, rows }, clock) => {
      await store.touch(5, 500);
      clock.advance(HOUR);
      await store.markBlocked(5);
      expect(await store.isBlocked(5)).toBe(true);
      clock.advance(HOUR);
      await store.touch(5, 501);
      expect(await store.isBlocked(5)).toBe(false);
      await store.touch(6, undefined);
      const users = await rows(
        "select chat_id, telegram_user_id, first_seen_at, last_seen_at, blocked_at from users order by chat_id",
      );
      expect(users.map((u) => Object.values(u).map(num))).toEqual([
        [5, 500, T0, T0 + 2 * HOUR, null],
        [6, null, T0 + 2 * HOUR, T0 + 2 * HOUR, null],
      ]);
    }),
  );

  it(
    "answers null, undefined and false for a chat it has never seen, and does not create it when set",
    withFixture(open, async ({ store }) => {
      expect(await store.localeOf(9)).toBeNull();
      expect(await store.districtOf(9)).toBeUndefined();
      expect(await store.isBlocked(9)).toBe(false);
      await store.setLocale(9, "km");
      await store.setDistrict(9, "khan-chamkarmon");
      await store.markBlocked(9);
      expect(await store.localeOf(9)).toBeNull();
      expect(await store.countUsers()).toBe(0);
    }),
  );

  it(
    "remembers the locale and the district of each resident, apart",
    withFixture(open, async ({ store }) => {
      await store.touch(1, 1);
      await store.touch(2, 2);
      await store.setLocale(1, "km");
      await store.setDistrict(1, "khan-chamkarmon");
      expect(await store.localeOf(1)).toBe("km");
      expect(await store.districtOf(1)).toBe("khan-chamkarmon");
      expect(await store.localeOf(2)).toBeNull();
      expect(await store.districtOf(2)).toBeUndefined();
      await store.setDistrict(1, "khan-daun-penh");
      expect(await store.districtOf(1)).toBe("khan-daun-penh");
    }),
  );

  it(
    "save and load: the state comes back as saved, its node split into flow and node, its answers encrypted",
    withFixture(open, async ({ store, rows }) => {
      expect(await store.load(GROUP_CHAT)).toBeUndefined();
      const saved = state("help.ask.district", 3, { answer: KHMER, n: 2, quote: '"ok" \\ ✓' }, [
        "help.start",
        "help.ask",
      ]);
      await store.save(GROUP_CHAT, saved);
      expect(await store.load(GROUP_CHAT)).toEqual(saved);
      const [row] = await rows("select chat_id, flow, node, step, stack, vars_enc, updated_at from conversations");
      expect([num(row?.["chat_id"]), row?.["flow"], row?.["node"], num(row?.["step"])]).toEqual([
        GROUP_CHAT,
        "help",
        "ask.district",
        3,
      ]);
      expect(num(row?.["updated_at"])).toBe(T0);
      const atRest = String(row?.["vars_enc"]);
      expect(atRest.startsWith("v1:")).toBe(true);
      expect(atRest).not.toContain(KHMER);
      expect(atRest).not.toContain("answer");
    }),
  );

  it(
    "save: a second save replaces the first (one row per chat), with the new time",
    withFixture(open, async ({ store, rows }, clock) => {
      await store.save(7, state("welcome.start", 1, { a: 1 }));
      await store.save(8, state("welcome.start", 1));
      clock.advance(5_000);
      await store.save(7, state("booking.pick", 2, { a: 2 }, ["welcome.start"]));
      expect(await store.load(7)).toEqual(state("booking.pick", 2, { a: 2 }, ["welcome.start"]));
      expect(await store.load(8)).toEqual(state("welcome.start", 1));
      const saved = await rows("select chat_id, updated_at from conversations order by chat_id");
      expect(saved.map((r) => [num(r["chat_id"]), num(r["updated_at"])])).toEqual([
        [7, T0 + 5_000],
        [8, T0],
      ]);
    }),
  );

  it(
    "forget ends the conversation only; erase deletes the conversation and the resident, of that chat only",
    withFixture(open, async ({ store }) => {
      for (const chat of [1, 2]) {
        await store.touch(chat, chat);
        await store.setLocale(chat, "en");
        await store.save(chat, state("help.start", 1));
      }
      await store.forget(1);
      expect(await store.load(1)).toBeUndefined();
      expect(await store.localeOf(1)).toBe("en");
      await store.save(1, state("help.start", 2));
      await store.erase(1);
      expect(await store.load(1)).toBeUndefined();
      expect(await store.localeOf(1)).toBeNull();
      expect(await store.countUsers()).toBe(1);
      expect(await store.load(2)).toEqual(state("help.start", 1));
      await store.erase(99);
      expect(await store.countUsers()).toBe(1);
    }),
  );

  it(
    "inside a unit of work: a piece sees its own writes; a failing piece's writes are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      const kept = commits.run(async () => {
        await store.touch(1, 1);
        await store.setLocale(1, "km");
        return store.localeOf(1);
      });
      const failing = commits.run(async () => {
        await store.touch(2, 2);
        await store.save(2, state("help.start", 1));
        throw new Error("turn failed");
      });
      expect(await settled([kept, failing])).toEqual(["ok", "turn failed"]);
      expect(await kept).toBe("km");
      expect(await store.countUsers()).toBe(1);
      expect(await store.load(2)).toBeUndefined();
    }),
  );
}

export function interactionLogContract(open: StoreFactory<InteractionLog>): void {
  it(
    "record and ofChat: a chat's entries oldest first, text decrypted, absent fields null, others' left out",
    withFixture(open, async ({ store }, clock) => {
      await store.record({ chatId: GROUP_CHAT, direction: "in", kind: "text", text: KHMER, updateId: 2_000_000_001 });
      clock.advance(1_000);
      await store.record({ chatId: 3, direction: "in", kind: "text", text: "someone else" });
      await store.record({ chatId: GROUP_CHAT, direction: "out", kind: "screen", flow: "help", node: "start" });
      await store.record({ chatId: GROUP_CHAT, direction: "in", kind: "text", text: "" });
      const entries = await store.ofChat(GROUP_CHAT);
      expect(
        entries.map(({ chatId, direction, kind, flow, node, updateId, createdAt, text }) => ({
          chatId,
          direction,
          kind,
          flow,
          node,
          updateId,
          createdAt,
          text,
        })),
      ).toEqual([
        {
          chatId: GROUP_CHAT,
          direction: "in",
          kind: "text",
          flow: null,
          node: null,
          updateId: 2_000_000_001,
          createdAt: T0,
          text: KHMER,
        },
        {
          chatId: GROUP_CHAT,
          direction: "out",
          kind: "screen",
          flow: "help",
          node: "start",
          updateId: null,
          createdAt: T0 + 1_000,
          text: null,
        },
        {
          chatId: GROUP_CHAT,
          direction: "in",
          kind: "text",
          flow: null,
          node: null,
          updateId: null,
          createdAt: T0 + 1_000,
          text: null,
        },
      ]);
      expect(entries[0]!.id).toBeLessThan(entries[1]!.id);
      expect(await store.ofChat(404)).toEqual([]);
    }),
  );

  it(
    "keeps text encrypted at rest",
    withFixture(open, async ({ store, rows }) => {
      await store.record({ chatId: 1, direction: "in", kind: "text", text: KHMER });
      const [row] = await rows("select text_enc from interactions");
      const atRest = String(row?.["text_enc"]);
      expect(atRest.startsWith("v1:")).toBe(true);
      expect(atRest).not.toContain(KHMER);
    }),
  );

  it(
    "countOf: entries and those still holding text, for one chat",
    withFixture(open, async ({ store }) => {
      expect(await store.countOf(1)).toEqual({ entries: 0, withText: 0 });
      await store.record({ chatId: 1, direction: "in", kind: "text", text: "a" });
      await store.record({ chatId: 1, direction: "out", kind: "screen" });
      await store.record({ chatId: 1, direction: "in", kind: "text", text: "b" });
      await store.record({ chatId: 2, direction: "in", kind: "text", text: "c" });
      expect(await store.countOf(1)).toEqual({ entries: 3, withText: 2 });
    }),
  );

  it(
    "takeDeletableMessageIds: the last 48 hours' ids by message id, then every id of the chat forgotten",
    withFixture(open, async ({ store, rows }, clock) => {
      await store.rememberMessage(GROUP_CHAT, 10, false, T0 - 49 * HOUR);
      await store.rememberMessage(GROUP_CHAT, 30, true, T0 - 48 * HOUR);
      await store.rememberMessage(GROUP_CHAT, 12, false);
      clock.advance(1_000);
      await store.rememberMessage(GROUP_CHAT, 11, true);
      await store.rememberMessage(GROUP_CHAT, 11, false); // the same message again: ignored
      await store.rememberMessage(2, 11, false);
      clock.advance(-1_000);
      expect(await store.takeDeletableMessageIds(GROUP_CHAT)).toEqual([11, 12, 30]);
      expect(await store.takeDeletableMessageIds(GROUP_CHAT)).toEqual([]);
      const left = await rows("select chat_id, message_id, from_bot from chat_messages");
      expect(left.map((r) => [num(r["chat_id"]), num(r["message_id"]), Boolean(r["from_bot"])])).toEqual([
        [2, 11, false],
      ]);
    }),
  );

  it(
    "purge: erases text past retention and forgets ids past 48 hours, returning how many; the rows stay",
    withFixture(open, async ({ store }, clock) => {
      await store.record({ chatId: 1, direction: "in", kind: "text", text: "old" });
      await store.record({ chatId: 1, direction: "out", kind: "screen" });
      await store.rememberMessage(1, 1, false);
      clock.advance(31 * DAY);
      await store.record({ chatId: 1, direction: "in", kind: "text", text: "new" });
      await store.rememberMessage(1, 2, false);
      expect(await store.purge(30)).toEqual({ textsErased: 1, messageIdsForgotten: 1 });
      expect(await store.purge(30)).toEqual({ textsErased: 0, messageIdsForgotten: 0 });
      expect((await store.ofChat(1)).map((e) => e.text)).toEqual([null, null, "new"]);
      expect(await store.countOf(1)).toEqual({ entries: 3, withText: 1 });
      expect(await store.takeDeletableMessageIds(1)).toEqual([2]);
    }),
  );

  it(
    "erase deletes a chat's entries and ids; forgetMessage forgets one id",
    withFixture(open, async ({ store, rows }) => {
      for (const chat of [1, 2]) {
        await store.record({ chatId: chat, direction: "in", kind: "text", text: "x" });
        await store.rememberMessage(chat, 1, false);
        await store.rememberMessage(chat, 2, true);
      }
      await store.erase(1);
      expect(await store.countOf(1)).toEqual({ entries: 0, withText: 0 });
      expect(await store.countOf(2)).toEqual({ entries: 1, withText: 1 });
      await store.forgetMessage(2, 1);
      await store.forgetMessage(2, 404);
      const left = await rows("select chat_id, message_id from chat_messages");
      expect(left.map((r) => [num(r["chat_id"]), num(r["message_id"])])).toEqual([[2, 2]]);
    }),
  );

  it(
    "inside a unit of work: a failing piece's entries are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      const outcomes = await settled([
        commits.run(() => store.record({ chatId: 1, direction: "in", kind: "text", text: "kept" })),
        commits.run(async () => {
          await store.record({ chatId: 1, direction: "in", kind: "text", text: "lost" });
          await store.rememberMessage(1, 5, false);
          throw new Error("turn failed");
        }),
        commits.run(async () => {
          await store.rememberMessage(1, 6, true);
          return store.takeDeletableMessageIds(1);
        }),
      ]);
      expect(outcomes).toEqual(["ok", "turn failed", "ok"]);
      expect((await store.ofChat(1)).map((e) => e.text)).toEqual(["kept"]);
      expect(await store.takeDeletableMessageIds(1)).toEqual([]);
    }),
  );
}

export function safetyStoreContract(open: StoreFactory<SafetyStore>): void {
  it(
    "weekly: four empty 7-day windows ending now by default, newest first",
    withFixture(open, async ({ store }) => {
      expect(await store.weekly()).toEqual(
        [0, 1, 2, 3].map((w) => ({ from: T0 - (w + 1) * WEEK, shown: 0, safe: 0, help: 0 })),
      );
    }),
  );

  it(
    "weekly: counts each event in the window it falls in, and nothing from before the first window",
    withFixture(open, async ({ store }, clock) => {
      const at = async (msAgo: number, event: "shown" | "safe" | "help") => {
        clock.now = T0 - msAgo;
        await store.record(event);
      };
      await at(0, "shown");
      await at(0, "shown");
      await at(WEEK - 1, "safe");
      await at(WEEK, "help"); // exactly a week ago: the second window
      await at(3 * WEEK + DAY, "shown");
      await at(4 * WEEK, "help"); // the start of the oldest window's range: counted in none
      await at(5 * WEEK, "shown");
      clock.now = T0;
      expect(await store.weekly()).toEqual([
        { from: T0 - WEEK, shown: 2, safe: 1, help: 0 },
        { from: T0 - 2 * WEEK, shown: 0, safe: 0, help: 1 },
        { from: T0 - 3 * WEEK, shown: 0, safe: 0, help: 0 },
        { from: T0 - 4 * WEEK, shown: 1, safe: 0, help: 0 },
      ]);
      expect(await store.weekly(2)).toEqual([
        { from: T0 - WEEK, shown: 2, safe: 1, help: 0 },
        { from: T0 - 2 * WEEK, shown: 0, safe: 0, help: 1 },
      ]);
    }),
  );

  it(
    "keeps no chat id and no text, only the event and its time",
    withFixture(open, async ({ store, rows }) => {
      await store.record("help");
      const [row] = await rows("select * from safety_checks");
      expect(Object.keys(row ?? {}).sort()).toEqual(["created_at", "event", "id"]);
      expect([row?.["event"], num(row?.["created_at"])]).toEqual(["help", T0]);
    }),
  );

  it(
    "inside a unit of work: a failing piece's events are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      const outcomes = await settled([
        commits.run(() => store.record("shown")),
        commits.run(async () => {
          await store.record("help");
          throw new Error("turn failed");
        }),
        commits.run(async () => {
          await store.record("safe");
          return store.weekly(1);
        }),
      ]);
      expect(outcomes).toEqual(["ok", "turn failed", "ok"]);
      expect(await store.weekly(1)).toEqual([{ from: T0 - WEEK, shown: 1, safe: 1, help: 0 }]);
    }),
  );
}

/** A private-chat message update, as Telegram sends it. */
function messageUpdate(updateId: number, chatId: number, text = KHMER): InboundUpdate {
  return { update_id: updateId, message: { message_id: updateId, chat: { id: chatId, type: "private" }, text } };
}

export function inboxStoreContract(open: StoreFactory<InboxStore>): void {
  it(
    "ingest: keeps an update once (a re-delivery is dropped), in its chat's lane, its payload encrypted",
    withFixture(open, async ({ store, rows }) => {
      const update = messageUpdate(3_000_000_001, GROUP_CHAT);
      expect(await store.ingest(update)).toBe(true);
      expect(await store.ingest(update)).toBe(false);
      expect(await store.ingest({ update_id: 5, poll: { id: "p" } })).toBe(true);
      expect(await store.counts()).toEqual({ pending: 2, done: 0, quarantined: 0 });
      const stored = await rows("select update_id, lane, payload_enc, status from inbox order by update_id");
      expect(stored.map((r) => [num(r["update_id"]), r["lane"], r["status"]])).toEqual([
        [5, "update:5", "pending"],
        [3_000_000_001, `chat:${GROUP_CHAT}`, "pending"],
      ]);
      const atRest = String(stored[1]?.["payload_enc"]);
      expect(atRest.startsWith("v1:")).toBe(true);
      expect(atRest).not.toContain(KHMER);
      expect(atRest).not.toContain(String(GROUP_CHAT));
    }),
  );

  it(
    "nextInLane: the lane's oldest pending update, decrypted; nothing when the lane is empty",
    withFixture(open, async ({ store }) => {
      expect(await store.nextInLane("chat:1")).toBeUndefined();
      await store.ingest(messageUpdate(12, 1, "second"));
      await store.ingest(messageUpdate(11, 1, "first"));
      await store.ingest(messageUpdate(10, 2));
      expect(await store.nextInLane("chat:1")).toEqual({
        updateId: 11,
        lane: "chat:1",
        attempts: 0,
        update: messageUpdate(11, 1, "first"),
      });
      await store.markDone(11);
      expect((await store.nextInLane("chat:1"))?.updateId).toBe(12);
    }),
  );

  it(
    "nextInLane: nothing while the oldest waits to be retried (never the next one), then it again",
    withFixture(open, async ({ store }, clock) => {
      await store.ingest(messageUpdate(1, 7));
      await store.ingest(messageUpdate(2, 7));
      expect(await store.recordFailure(1, "SPEAN_ACTION_FAILED", 5, 1_000)).toEqual({
        attempts: 1,
        quarantined: false,
      });
      expect(await store.nextInLane("chat:7")).toBeUndefined();
      expect(await store.nextDueAt()).toBe(T0);
      clock.advance(1_000);
      expect(await store.nextInLane("chat:7")).toMatchObject({ updateId: 1, attempts: 1 });
    }),
  );

  it(
    "nextInLane: an update whose payload cannot be read comes back unreadable, with the error's code",
    withFixture(open, async ({ store, rows }) => {
      await store.ingest(messageUpdate(1, 7));
      await rows("update inbox set payload_enc = 'v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' where update_id = 1");
      expect(await store.nextInLane("chat:7")).toEqual({
        updateId: 1,
        lane: "chat:7",
        attempts: 0,
        unreadable: "SPEAN_CRYPTO_FAILED",
      });
    }),
  );

  it(
    "dueLanes: each lane once, in the order of its oldest update, leaving out busy lanes and lanes waiting to retry",
    withFixture(open, async ({ store }, clock) => {
      for (const [id, chat] of [
        [1, 3],
        [2, 1],
        [3, 3],
        [4, 2],
        [5, 4],
        [6, 1],
      ] as const)
        await store.ingest(messageUpdate(id, chat));
      expect(await store.dueLanes(new Set(), 10)).toEqual(["chat:3", "chat:1", "chat:2", "chat:4"]);
      expect(await store.dueLanes(new Set(["chat:1"]), 2)).toEqual(["chat:3", "chat:2"]);
      await store.recordFailure(2, "SPEAN_ACTION_FAILED", 5, 60_000);
      expect(await store.dueLanes(new Set(), 10)).toEqual(["chat:3", "chat:2", "chat:4"]);
      await store.markDone(1);
      expect(await store.dueLanes(new Set(), 10)).toEqual(["chat:3", "chat:2", "chat:4"]);
      clock.advance(60_000);
      expect(await store.dueLanes(new Set(), 10)).toEqual(["chat:1", "chat:3", "chat:2", "chat:4"]);
    }),
  );

  it(
    "pendingIn, backlog, hasPending and nextDueAt describe what waits",
    withFixture(open, async ({ store }, clock) => {
      expect(await store.backlog()).toEqual({ pending: 0, oldestReceivedAt: undefined });
      expect(await store.hasPending()).toBe(false);
      expect(await store.nextDueAt()).toBeUndefined();
      await store.ingest(messageUpdate(1, 7));
      clock.advance(500);
      await store.ingest(messageUpdate(2, 7));
      await store.ingest(messageUpdate(3, 8));
      expect(await store.pendingIn("chat:7")).toBe(2);
      expect(await store.pendingIn("chat:9")).toBe(0);
      expect(await store.backlog()).toEqual({ pending: 3, oldestReceivedAt: T0 });
      expect(await store.hasPending()).toBe(true);
      await store.recordFailure(1, "X", 5, 10_000);
      expect(await store.nextDueAt()).toBe(T0 + 500);
      for (const id of [1, 2, 3]) await store.markDone(id);
      expect(await store.backlog()).toEqual({ pending: 0, oldestReceivedAt: undefined });
      expect(await store.hasPending()).toBe(false);
    }),
  );

  it(
    "markDone: done, payload erased, time kept; a second call and a quarantined update are left alone",
    withFixture(open, async ({ store, rows }, clock) => {
      await store.ingest(messageUpdate(1, 7));
      await store.ingest(messageUpdate(2, 7));
      await store.recordFailure(2, "X", 1, 0);
      clock.advance(100);
      await store.markDone(1);
      clock.advance(100);
      await store.markDone(1);
      await store.markDone(2);
      const stored = await rows("select update_id, status, payload_enc, done_at from inbox order by update_id");
      expect(stored.map((r) => [num(r["update_id"]), r["status"], r["payload_enc"], num(r["done_at"])])).toEqual([
        [1, "done", null, T0 + 100],
        [2, "quarantined", expect.stringMatching(/^v1:/), null],
      ]);
    }),
  );

  it(
    "recordFailure: counts attempts, keeps the error code, quarantines after maxAttempts; quarantined() newest first",
    withFixture(open, async ({ store, rows }) => {
      await store.ingest(messageUpdate(1, 7));
      await store.ingest(messageUpdate(2, 8));
      expect(await store.recordFailure(1, "A", 3, 0)).toEqual({ attempts: 1, quarantined: false });
      expect(await store.recordFailure(1, "B", 3, 0)).toEqual({ attempts: 2, quarantined: false });
      expect(await store.recordFailure(1, "C", 3, 0)).toEqual({ attempts: 3, quarantined: true });
      expect(await store.recordFailure(2, "D", 1, 0)).toEqual({ attempts: 1, quarantined: true });
      expect(await store.recordFailure(404, "E", 2, 0)).toEqual({ attempts: 1, quarantined: false });
      expect(await store.counts()).toEqual({ pending: 0, done: 0, quarantined: 2 });
      expect(await store.quarantined()).toEqual([
        { updateId: 2, lane: "chat:8", attempts: 1, lastError: "D", receivedAt: T0 },
        { updateId: 1, lane: "chat:7", attempts: 3, lastError: "C", receivedAt: T0 },
      ]);
      expect(await store.quarantined(1)).toHaveLength(1);
      const [kept] = await rows("select payload_enc from inbox where update_id = 1");
      expect(String(kept?.["payload_enc"])).toMatch(/^v1:/);
    }),
  );

  it(
    "recordDrop: asks a flooding chat to wait once per interval; droppedSince sums the recent drops",
    withFixture(open, async ({ store }, clock) => {
      expect(await store.recordDrop("chat:7", 60_000)).toBe(true);
      expect(await store.recordDrop("chat:7", 60_000)).toBe(false);
      expect(await store.recordDrop("chat:8", 60_000)).toBe(true);
      clock.advance(60_000);
      expect(await store.recordDrop("chat:7", 60_000)).toBe(true);
      expect(await store.droppedSince(T0)).toBe(4);
      expect(await store.droppedSince(T0 + 1)).toBe(3);
      expect(await store.droppedSince(T0 + 60_001)).toBe(0);
    }),
  );

  it(
    "forgetChat: deletes the chat's handled and set-aside updates and floods, renames the current one",
    withFixture(open, async ({ store, rows }) => {
      for (const id of [1, 2, 3, 4]) await store.ingest(messageUpdate(id, 7));
      await store.ingest(messageUpdate(5, 8));
      await store.markDone(1);
      await store.recordFailure(2, "X", 1, 0);
      await store.recordDrop("chat:7", 1);
      await store.markDone(5);
      await store.forgetChat(7, 3);
      const left = await rows("select update_id, lane, status from inbox order by update_id");
      expect(left.map((r) => [num(r["update_id"]), r["lane"], r["status"]])).toEqual([
        [3, "forgotten", "pending"],
        [4, "chat:7", "pending"],
        [5, "chat:8", "done"],
      ]);
      expect(await store.droppedSince(0)).toBe(0);
    }),
  );

  it(
    "pruneDone and eraseQuarantinedPayloads: old rows only, returning how many",
    withFixture(open, async ({ store, rows }, clock) => {
      for (const id of [1, 2, 3, 4]) await store.ingest(messageUpdate(id, 7));
      await store.markDone(1);
      await store.recordFailure(3, "X", 1, 0);
      await store.recordDrop("chat:7", 1);
      clock.advance(DAY);
      await store.markDone(2);
      await store.recordDrop("chat:8", 1);
      expect(await store.pruneDone(DAY)).toBe(0);
      clock.advance(1);
      expect(await store.pruneDone(DAY)).toBe(1);
      expect(await store.droppedSince(0)).toBe(1);
      expect(await store.eraseQuarantinedPayloads(DAY + 1)).toBe(1);
      expect(await store.eraseQuarantinedPayloads(2 * DAY)).toBe(0);
      const left = await rows("select update_id, status, payload_enc from inbox order by update_id");
      expect(left.map((r) => [num(r["update_id"]), r["status"], r["payload_enc"] === null])).toEqual([
        [2, "done", true],
        [3, "quarantined", true],
        [4, "pending", false],
      ]);
    }),
  );

  it(
    "inside a unit of work: a failing piece's updates are rolled back (ingested again later), the others kept",
    withFixture(open, async ({ store, commits }) => {
      const outcomes = await settled([
        commits.run(() => store.ingest(messageUpdate(1, 7))),
        commits.run(async () => {
          await store.ingest(messageUpdate(2, 7));
          await store.markDone(1);
          throw new Error("turn failed");
        }),
      ]);
      expect(outcomes).toEqual(["ok", "turn failed"]);
      expect(await store.ingest(messageUpdate(2, 7))).toBe(true);
      expect(await store.counts()).toEqual({ pending: 2, done: 0, quarantined: 0 });
    }),
  );
}

/** A queued text message to `chatId`. */
function queued(dedupeKey: string, chatId: number, extra: Partial<QueuedMessage> = {}): QueuedMessage {
  return { dedupeKey, chatId, purpose: "reply", message: { kind: "text", text: `${KHMER} ${dedupeKey}` }, ...extra };
}

export function outboxStoreContract(open: StoreFactory<OutboxStore>): void {
  it(
    "enqueue: returns the row's id, undefined for a dedupe key queued before; the message encrypted at rest",
    withFixture(open, async ({ store, rows }) => {
      const first = await store.enqueue(queued("a", GROUP_CHAT));
      expect(first).toEqual(expect.any(Number));
      expect(await store.enqueue(queued("a", 5))).toBeUndefined();
      const second = await store.enqueue(queued("b", 5));
      expect(second).toBeGreaterThan(first!);
      const [row] = await rows("select chat_id, method, payload_enc, status from outbox where dedupe_key = 'a'");
      expect([num(row?.["chat_id"]), row?.["method"], row?.["status"]]).toEqual([GROUP_CHAT, "text", "pending"]);
      expect(String(row?.["payload_enc"])).toMatch(/^v1:/);
      expect(String(row?.["payload_enc"])).not.toContain(KHMER);
    }),
  );

  it(
    "due: rows due now in send order, at most limit, with their message, subject and attempts",
    withFixture(open, async ({ store }) => {
      const a = await store.enqueue(queued("a", 1, { purpose: "alert", subject: { kind: "case", id: 9, rung: 2 } }));
      await store.enqueue(queued("later", 1, { notBefore: T0 + 1 }));
      const b = await store.enqueue(queued("b", 2, { subject: { kind: "case", id: 9 }, notBefore: T0 - 5 }));
      const c = await store.enqueue(queued("c", 3, { message: { kind: "delete", messageIds: [4, 5] } }));
      expect(await store.due(10)).toEqual([
        {
          id: a,
          dedupeKey: "a",
          chatId: 1,
          purpose: "alert",
          message: { kind: "text", text: `${KHMER} a` },
          subject: { kind: "case", id: 9, rung: 2 },
          attempts: 0,
        },
        {
          id: b,
          dedupeKey: "b",
          chatId: 2,
          purpose: "reply",
          message: { kind: "text", text: `${KHMER} b` },
          subject: { kind: "case", id: 9 },
          attempts: 0,
        },
        {
          id: c,
          dedupeKey: "c",
          chatId: 3,
          purpose: "reply",
          message: { kind: "delete", messageIds: [4, 5] },
          subject: undefined,
          attempts: 0,
        },
      ]);
      expect((await store.due(2)).map((r) => r.dedupeKey)).toEqual(["a", "b"]);
    }),
  );

  it(
    "due: a row from before messages (a Bot API call) comes back as legacy; an unreadable one is marked failed",
    withFixture(open, async ({ store, rows }) => {
      await store.enqueue(queued("old", 1));
      await store.enqueue(queued("bad", 1));
      await store.enqueue(queued("good", 1));
      await rows("update outbox set method = 'sendMessage' where dedupe_key = 'old'");
      await rows("update outbox set payload_enc = 'v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' where dedupe_key = 'bad'");
      const due = await store.due(10);
      expect(due.map((r) => [r.dedupeKey, r.message])).toEqual([
        ["old", { kind: "legacy", method: "sendMessage", params: { kind: "text", text: `${KHMER} old` } }],
        ["good", { kind: "text", text: `${KHMER} good` }],
      ]);
      const [bad] = await rows("select status, last_error from outbox where dedupe_key = 'bad'");
      expect([bad?.["status"], bad?.["last_error"]]).toEqual(["failed", "SPEAN_CRYPTO_FAILED"]);
    }),
  );

  it(
    "pendingByIds: the pending rows among the ids, in id order",
    withFixture(open, async ({ store }) => {
      const a = (await store.enqueue(queued("a", 1)))!;
      const b = (await store.enqueue(queued("b", 1, { notBefore: T0 + HOUR })))!;
      const c = (await store.enqueue(queued("c", 1)))!;
      await store.claim(c);
      expect((await store.pendingByIds([b, c, 404, a])).map((r) => r.id)).toEqual([a, b]);
      expect(await store.pendingByIds([])).toEqual([]);
    }),
  );

  it(
    "claim takes a pending row once; markSent records the message id, the time and the attempt",
    withFixture(open, async ({ store, rows }, clock) => {
      const a = (await store.enqueue(queued("a", 1, { subject: { kind: "case", id: 3 } })))!;
      const b = (await store.enqueue(queued("b", 1, { subject: { kind: "case", id: 3 } })))!;
      const c = (await store.enqueue(queued("c", 1, { subject: { kind: "case", id: 3 } })))!;
      expect(await store.claim(a)).toBe(true);
      expect(await store.claim(a)).toBe(false);
      expect(await store.claim(404)).toBe(false);
      expect((await store.due(10)).map((r) => r.id)).toEqual([b, c]);
      clock.advance(250);
      await store.markSent(a, 3_000_000_123);
      await store.claim(b);
      await store.markSent(b, undefined);
      await store.claim(c);
      await store.markSent(c, 77);
      const [sent] = await rows(`select status, attempts, sent_at, telegram_message_id from outbox where id = ${a}`);
      expect([
        sent?.["status"],
        num(sent?.["attempts"]),
        num(sent?.["sent_at"]),
        num(sent?.["telegram_message_id"]),
      ]).toEqual(["sent", 1, T0 + 250, 3_000_000_123]);
      expect(await store.sentMessageIds("case", 3)).toEqual([3_000_000_123, 77]);
      expect(await store.sentMessageIds("case", 4)).toEqual([]);
      expect(await store.counts()).toEqual({ sent: 3 });
    }),
  );

  it(
    "retryLater, markFailed and markCancelled settle a claimed row, counting attempts as asked",
    withFixture(open, async ({ store, rows }) => {
      const a = (await store.enqueue(queued("a", 1)))!;
      const b = (await store.enqueue(queued("b", 1)))!;
      const c = (await store.enqueue(queued("c", 1)))!;
      for (const id of [a, b, c]) await store.claim(id);
      await store.retryLater(a, T0 + 1_000, "PACED", false);
      await store.claim(b);
      await store.markFailed(b, "TELEGRAM_403");
      await store.markCancelled(c);
      expect(await store.due(10)).toEqual([]);
      expect(await store.nextDueAt()).toBe(T0 + 1_000);
      await store.claim(a);
      await store.retryLater(a, T0, "TELEGRAM_500", true);
      const stored = await rows("select status, attempts, last_error from outbox order by id");
      expect(stored.map((r) => [r["status"], num(r["attempts"]), r["last_error"]])).toEqual([
        ["pending", 1, "TELEGRAM_500"],
        ["failed", 1, "TELEGRAM_403"],
        ["cancelled", 0, null],
      ]);
      expect(await store.counts()).toEqual({ pending: 1, failed: 1, cancelled: 1 });
    }),
  );

  it(
    "cancelAbout and cancelForChat cancel pending rows only, returning how many",
    withFixture(open, async ({ store }) => {
      const reminder = (minutes: number) => ({ subject: { kind: "reminder", id: 5, rung: minutes } });
      const a = (await store.enqueue(queued("a", 1, reminder(60))))!;
      await store.enqueue(queued("b", 1, reminder(10)));
      await store.enqueue(queued("c", 2, { subject: { kind: "reminder", id: 6 } }));
      await store.enqueue(queued("d", 3));
      await store.enqueue(queued("e", 3));
      await store.claim(a);
      expect(await store.cancelAbout("reminder", 5)).toBe(1);
      expect(await store.cancelAbout("reminder", 5)).toBe(0);
      expect(await store.cancelForChat(3)).toBe(2);
      expect(await store.counts()).toEqual({ sending: 1, cancelled: 3, pending: 1 });
    }),
  );

  it(
    "eraseChat, erase and eraseSettled delete rows, returning how many",
    withFixture(open, async ({ store }) => {
      await store.enqueue(queued("a", 1));
      await store.enqueue(queued("b", 1));
      const c = (await store.enqueue(queued("c", 2, { subject: { kind: "case", id: 1 } })))!;
      const d = (await store.enqueue(queued("d", 2, { subject: { kind: "case", id: 2 } })))!;
      await store.enqueue(queued("e", 2, { subject: { kind: "case", id: 3 } }));
      const f = (await store.enqueue(queued("f", 2)))!;
      expect(await store.eraseChat(1)).toBe(2);
      expect(await store.eraseChat(1)).toBe(0);
      await store.claim(c);
      await store.markSent(c, 1);
      await store.claim(d);
      await store.markFailed(d, "X");
      expect(await store.eraseSettled("case")).toBe(2);
      await store.erase(f);
      expect((await store.due(10)).map((r) => r.dedupeKey)).toEqual(["e"]);
    }),
  );

  it(
    "retryAfterOutage: rows backing off after an outage are due now; 429 holds and scheduled rows keep their time",
    withFixture(open, async ({ store }) => {
      const ids: number[] = [];
      for (const key of ["net", "429", "rate", "far", "past"]) ids.push((await store.enqueue(queued(key, 1)))!);
      for (const id of ids) await store.claim(id);
      await store.retryLater(ids[0]!, T0 + HOUR, "ETIMEDOUT", true);
      await store.retryLater(ids[1]!, T0 + HOUR, "TELEGRAM_429", true);
      await store.retryLater(ids[2]!, T0 + HOUR, "RATE_LIMITED", false);
      await store.enqueue(queued("reminder", 1, { notBefore: T0 + DAY }));
      await store.retryLater(ids[3]!, T0 + DAY, "TELEGRAM_502", true);
      await store.retryLater(ids[4]!, T0 - 1, "TELEGRAM_502", true);
      expect(await store.retryAfterOutage()).toBe(2);
      expect((await store.due(10)).map((r) => r.dedupeKey)).toEqual(["net", "far", "past"]);
    }),
  );

  it(
    "recoverInterrupted puts rows left sending back to pending, returning how many",
    withFixture(open, async ({ store }) => {
      const a = (await store.enqueue(queued("a", 1)))!;
      await store.enqueue(queued("b", 1));
      await store.claim(a);
      expect(await store.recoverInterrupted()).toBe(1);
      expect(await store.recoverInterrupted()).toBe(0);
      expect(await store.counts()).toEqual({ pending: 2 });
    }),
  );

  it(
    "waitingFor, hasHeldBefore and nextDueAt describe a chat's queue",
    withFixture(open, async ({ store }) => {
      expect(await store.nextDueAt()).toBeUndefined();
      const a = (await store.enqueue(queued("a", 1)))!;
      await store.enqueue(queued("b", 1, { notBefore: T0 + 1_500 }));
      await store.enqueue(queued("c", 1, { notBefore: T0 + 2_500 }));
      const d = (await store.enqueue(queued("d", 1)))!;
      await store.enqueue(queued("e", 2));
      expect(await store.waitingFor(1)).toBe(3);
      expect(await store.waitingFor(1, 3_000)).toBe(4);
      expect(await store.hasHeldBefore(1, d)).toBe(false);
      await store.claim(a);
      await store.retryLater(a, T0, "PACED", false);
      expect(await store.hasHeldBefore(1, d)).toBe(true);
      expect(await store.hasHeldBefore(1, a)).toBe(false);
      expect(await store.hasHeldBefore(2, d)).toBe(false);
      expect(await store.nextDueAt()).toBe(T0);
    }),
  );

  it(
    "inside a unit of work: a failing piece's claim and queued rows are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      const a = (await store.enqueue(queued("a", 1)))!;
      const outcomes = await settled([
        commits.run(async () => {
          await store.enqueue(queued("kept", 1));
          return store.claim(a);
        }),
        commits.run(async () => {
          await store.enqueue(queued("lost", 1));
          throw new Error("turn failed");
        }),
      ]);
      expect(outcomes).toEqual(["ok", "turn failed"]);
      expect(await store.counts()).toEqual({ pending: 1, sending: 1 });
      expect(await store.enqueue(queued("lost", 1))).toEqual(expect.any(Number));
    }),
  );
}

/** Counsellors: a recent Telegram user id beyond 32 bits, and two older ones. */
const SOKHA = BIG_USER;
const BOPHA = 5_101_234;
const VANNA = 5_109_876;
/** Residents' private chats. */
const SREY = 8_123_456_789;
const DARA = 6_200_000_001;
const SREY_MOM = "ស្រីមុំ";
const PHONE = "+855 12 345 678";

/** A one-hour session at Prek Pnov, for the resident themself, as the booking desk asks for it. */
function session(chatId: number, counsellorId: number, startsAt: number, more: Partial<NewAppointment> = {}) {
  return {
    chatId,
    counsellorId,
    topic: "legal",
    site: "prek_pnov",
    startsAt,
    endsAt: startsAt + HOUR,
    forWhom: "self",
    locale: "km",
    ...more,
  } satisfies NewAppointment;
}

/** The rejection's SpeanError code, or "resolved". */
async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return "resolved";
  } catch (err) {
    return err instanceof SpeanError ? err.code : `not a SpeanError: ${String(err)}`;
  }
}

/** A staff member (the booking store reads staff_members, which the staff store writes). */
async function addStaff(rows: StoreFixture<unknown>["rows"], telegramUserId: number, active: boolean): Promise<void> {
  await rows(
    "insert into staff_members (telegram_user_id, role, display_name, active, created_at) " +
      `values (${telegramUserId}, 'counsellor', 'staff ${telegramUserId}', ${active}, ${T0})`,
  );
}

const MONDAY_MORNING: WeeklyHours = { site: "prek_pnov", weekday: 1, startMinute: 8 * 60, endMinute: 12 * 60 };
const MONDAY_AFTERNOON: WeeklyHours = { site: "phone", weekday: 1, startMinute: 14 * 60, endMinute: 17 * 60 };
const THURSDAY: WeeklyHours = { site: "russey_keo", weekday: 4, startMinute: 9 * 60, endMinute: 16 * 60 + 30 };

export function bookingStoreContract(open: StoreFactory<BookingStore>): void {
  const profile = (telegramUserId: number, displayName: string, more: Partial<CounsellorProfile> = {}) =>
    ({
      telegramUserId,
      displayName,
      sites: ["prek_pnov", "phone"],
      topics: ["legal", "family"],
      ...more,
    }) satisfies CounsellorProfile;

  it(
    "saveCounsellor and counsellor: a new profile (60-minute slots, not demo), then updated and active again",
    withFixture(open, async ({ store, rows }, clock) => {
      expect(await store.counsellor(SOKHA)).toBeUndefined();
      await store.saveCounsellor(profile(SOKHA, "Sokha"));
      expect(await store.counsellor(SOKHA)).toEqual({
        telegramUserId: SOKHA,
        displayName: "Sokha",
        sites: ["prek_pnov", "phone"],
        topics: ["legal", "family"],
        slotMinutes: 60,
        active: true,
        demo: false,
        hours: [],
      });
      await store.setCounsellorActive(SOKHA, false);
      expect((await store.counsellor(SOKHA))?.active).toBe(false);
      clock.advance(DAY);
      await store.saveCounsellor(
        profile(SOKHA, "សុខា", { sites: ["chbar_ampov"], topics: ["health"], slotMinutes: 45, demo: true }),
      );
      expect(await store.counsellor(SOKHA)).toEqual({
        telegramUserId: SOKHA,
        displayName: "សុខា",
        sites: ["chbar_ampov"],
        topics: ["health"],
        slotMinutes: 45,
        active: true,
        demo: true,
        hours: [],
      });
      const saved = await rows("select telegram_user_id, created_at from counsellors");
      expect(saved.map((r) => [num(r["telegram_user_id"]), num(r["created_at"])])).toEqual([[SOKHA, T0]]);
    }),
  );

  it(
    "setHours replaces a counsellor's weekly hours, which come back by weekday and start; others' are kept",
    withFixture(open, async ({ store }) => {
      await store.saveCounsellor(profile(SOKHA, "Sokha"));
      await store.saveCounsellor(profile(BOPHA, "Bopha"));
      await store.setHours(SOKHA, [THURSDAY, MONDAY_AFTERNOON, MONDAY_MORNING]);
      await store.setHours(BOPHA, [MONDAY_MORNING]);
      expect((await store.counsellor(SOKHA))?.hours).toEqual([MONDAY_MORNING, MONDAY_AFTERNOON, THURSDAY]);
      await store.setHours(SOKHA, [MONDAY_AFTERNOON]);
      expect((await store.counsellor(SOKHA))?.hours).toEqual([MONDAY_AFTERNOON]);
      await store.setHours(SOKHA, []);
      expect((await store.counsellor(SOKHA))?.hours).toEqual([]);
      expect((await store.counsellor(BOPHA))?.hours).toEqual([MONDAY_MORNING]);
    }),
  );

  it(
    "setHours inside a unit of work: a failing piece's new hours are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      await store.saveCounsellor(profile(SOKHA, "Sokha"));
      await store.saveCounsellor(profile(BOPHA, "Bopha"));
      await store.setHours(SOKHA, [MONDAY_MORNING]);
      const outcomes = await settled([
        commits.run(() => store.setHours(BOPHA, [THURSDAY])),
        commits.run(async () => {
          await store.setHours(SOKHA, [THURSDAY, MONDAY_AFTERNOON]);
          throw new Error("turn failed");
        }),
        commits.run(async () => (await store.counsellor(BOPHA))?.hours),
      ]);
      expect(outcomes).toEqual(["ok", "turn failed", "ok"]);
      expect((await store.counsellor(SOKHA))?.hours).toEqual([MONDAY_MORNING]);
      expect((await store.counsellor(BOPHA))?.hours).toEqual([THURSDAY]);
    }),
  );

  it(
    "activeCounsellors: active here and active staff, by Telegram id, each with their hours",
    withFixture(open, async ({ store, rows }) => {
      expect(await store.activeCounsellors()).toEqual([]);
      await store.saveCounsellor(profile(SOKHA, "Sokha"));
      await store.saveCounsellor(profile(VANNA, "Vanna"));
      await store.saveCounsellor(profile(BOPHA, "Bopha"));
      await store.saveCounsellor(profile(42, "no staff row"));
      await store.saveCounsellor(profile(43, "left the staff"));
      await store.saveCounsellor(profile(44, "paused here"));
      for (const id of [SOKHA, VANNA, BOPHA, 44]) await addStaff(rows, id, true);
      await addStaff(rows, 43, false);
      await store.setCounsellorActive(44, false);
      await store.setHours(BOPHA, [THURSDAY]);
      await store.setHours(SOKHA, [MONDAY_AFTERNOON, MONDAY_MORNING]);
      const active = await store.activeCounsellors();
      expect(active.map((c) => [c.telegramUserId, c.displayName, c.hours])).toEqual([
        [BOPHA, "Bopha", [THURSDAY]],
        [VANNA, "Vanna", []],
        [SOKHA, "Sokha", [MONDAY_MORNING, MONDAY_AFTERNOON]],
      ]);
    }),
  );

  it(
    "addTimeOff, timeOff and removeTimeOff: days off ending on or after a date, by start, for one or all",
    withFixture(open, async ({ store, rows }) => {
      await store.addTimeOff(SOKHA, "2026-01-12", "2026-01-16", 900);
      await store.addTimeOff(BOPHA, "2026-01-02", "2026-01-05", null);
      await store.addTimeOff(SOKHA, "2025-12-29", "2026-01-04", 900); // over before the date asked about
      await store.addTimeOff(BOPHA, "2026-02-09", "2026-02-09", 900);
      const all = await store.timeOff("2026-01-05");
      expect(all.map(({ counsellorId, from, to }) => [counsellorId, from, to])).toEqual([
        [BOPHA, "2026-01-02", "2026-01-05"],
        [SOKHA, "2026-01-12", "2026-01-16"],
        [BOPHA, "2026-02-09", "2026-02-09"],
      ]);
      const bopha = await store.timeOff("2026-01-05", BOPHA);
      expect(bopha.map((t) => t.from)).toEqual(["2026-01-02", "2026-02-09"]);
      expect(await store.removeTimeOff(bopha[1]!.id, SOKHA)).toBe(false); // not Sokha's
      expect(await store.removeTimeOff(bopha[1]!.id, BOPHA)).toBe(true);
      expect(await store.removeTimeOff(bopha[1]!.id, BOPHA)).toBe(false);
      expect((await store.timeOff("2026-01-01")).map((t) => t.from)).toEqual([
        "2025-12-29",
        "2026-01-02",
        "2026-01-12",
      ]);
      const stored = await rows("select created_by, created_at from counsellor_time_off order by id");
      expect(stored.map((r) => [num(r["created_by"]), num(r["created_at"])])).toEqual([
        [900, T0],
        [null, T0],
        [900, T0],
      ]);
    }),
  );

  it(
    "insert and get: a booked appointment comes back whole, the family member's name and phone decrypted",
    withFixture(open, async ({ store }) => {
      const request = session(SREY, SOKHA, T0 + DAY, {
        topic: "family",
        site: "phone",
        forWhom: "family",
        familyName: SREY_MOM,
        phone: PHONE,
        rescheduledFrom: 41,
        locale: "en",
      });
      const inserted = await store.insert(request);
      const expected: Appointment = {
        id: inserted.id,
        chatId: SREY,
        counsellorId: SOKHA,
        topic: "family",
        site: "phone",
        startsAt: T0 + DAY,
        endsAt: T0 + DAY + HOUR,
        forWhom: "family",
        familyName: SREY_MOM,
        phone: PHONE,
        locale: "en",
        status: "booked",
        flag: null,
        rescheduledFrom: 41,
        confirmedAt: null,
        markedBy: null,
        markedAt: null,
        createdAt: T0,
      };
      expect(inserted).toEqual(expected);
      expect(await store.get(inserted.id)).toEqual(expected);
      const plain = await store.insert(session(DARA, SOKHA, T0 + 2 * DAY));
      expect(await store.get(plain.id)).toMatchObject({
        familyName: undefined,
        phone: undefined,
        rescheduledFrom: null,
      });
      expect(plain.id).toBeGreaterThan(inserted.id);
      expect(await store.get(404)).toBeUndefined();
    }),
  );

  it(
    "keeps the family member's name and the phone number encrypted at rest",
    withFixture(open, async ({ store, rows }) => {
      await store.insert(session(SREY, SOKHA, T0, { forWhom: "family", familyName: SREY_MOM, phone: PHONE }));
      const [row] = await rows("select family_name_enc, phone_enc from appointments");
      for (const atRest of [String(row?.["family_name_enc"]), String(row?.["phone_enc"])]) {
        expect(atRest.startsWith("v1:")).toBe(true);
        expect(atRest).not.toContain(SREY_MOM);
        expect(atRest).not.toContain("345");
      }
    }),
  );

  it(
    "insert refuses a second appointment in a held slot (SPEAN_SLOT_TAKEN); a cancelled or moved one frees it",
    withFixture(open, async ({ store, rows }) => {
      const first = await store.insert(session(SREY, SOKHA, T0 + DAY));
      expect(await codeOf(store.insert(session(DARA, SOKHA, T0 + DAY)))).toBe("SPEAN_SLOT_TAKEN");
      // Another counsellor at that time, or the same one an hour later: free.
      const other = await store.insert(session(DARA, BOPHA, T0 + DAY));
      await store.insert(session(DARA, SOKHA, T0 + DAY + HOUR));
      // Attended and no-show appointments still hold their slot.
      await store.setStatus(other.id, "no_show", SOKHA);
      expect(await codeOf(store.insert(session(SREY, BOPHA, T0 + DAY)))).toBe("SPEAN_SLOT_TAKEN");
      expect(await store.setStatus(first.id, "cancelled")).toBe(true);
      const again = await store.insert(session(DARA, SOKHA, T0 + DAY));
      expect(await store.setStatus(again.id, "rescheduled")).toBe(true);
      expect((await store.insert(session(SREY, SOKHA, T0 + DAY))).status).toBe("booked");
      const stored = await rows("select status from appointments order by id");
      expect(stored.map((r) => r["status"])).toEqual(["cancelled", "no_show", "booked", "rescheduled", "booked"]);
    }),
  );

  it(
    "insert inside a unit of work: a piece that meets a taken slot and books the next counsellor commits",
    withFixture(open, async ({ store, commits }) => {
      await store.insert(session(DARA, SOKHA, T0 + DAY));
      const booked = await commits.run(async () => {
        // What the booking desk does: on SPEAN_SLOT_TAKEN, the next counsellor with the slot free.
        for (const counsellorId of [SOKHA, BOPHA]) {
          try {
            return await store.insert(session(SREY, counsellorId, T0 + DAY));
          } catch (err) {
            if (!(err instanceof SpeanError && err.code === "SPEAN_SLOT_TAKEN")) throw err;
          }
        }
        return undefined;
      });
      expect(booked?.counsellorId).toBe(BOPHA);
      expect(await store.get(booked!.id)).toEqual(booked);
      expect((await store.upcoming(SREY)).map((a) => a.counsellorId)).toEqual([BOPHA]);
    }),
  );

  it(
    "heldSlots: slots of booked, attended and no-show appointments starting before the end and not ended before",
    withFixture(open, async ({ store }) => {
      const from = T0 + DAY;
      const to = T0 + 2 * DAY;
      await store.insert(session(SREY, SOKHA, from - HOUR)); // ends exactly at `from`: still held
      await store.insert(session(SREY, SOKHA, from - 2 * HOUR)); // ended before
      await store.insert(session(DARA, BOPHA, from + 3 * HOUR));
      const attended = await store.insert(session(DARA, SOKHA, from + 2 * HOUR));
      await store.setStatus(attended.id, "attended", SOKHA);
      const cancelled = await store.insert(session(DARA, SOKHA, from + 4 * HOUR));
      await store.setStatus(cancelled.id, "cancelled");
      await store.insert(session(SREY, BOPHA, to - HOUR, { endsAt: to - HOUR / 2 }));
      await store.insert(session(SREY, SOKHA, to)); // starts at the end: not in
      const held = await store.heldSlots(from, to);
      // The SQLite store's order is its index's (status, start), not the documented one: compared as a set.
      const sorted = [...held].sort((a, b) => a.counsellorId - b.counsellorId || a.startsAt - b.startsAt);
      expect(sorted).toEqual([
        { counsellorId: BOPHA, startsAt: from + 3 * HOUR, endsAt: from + 4 * HOUR },
        { counsellorId: BOPHA, startsAt: to - HOUR, endsAt: to - HOUR / 2 },
        { counsellorId: SOKHA, startsAt: from - HOUR, endsAt: from },
        { counsellorId: SOKHA, startsAt: from + 2 * HOUR, endsAt: from + 3 * HOUR },
      ]);
      expect(await store.heldSlots(to + DAY, to + 2 * DAY)).toEqual([]);
    }),
  );

  it(
    "upcoming: a chat's booked appointments that have not ended, soonest first",
    withFixture(open, async ({ store }, clock) => {
      const later = await store.insert(session(SREY, SOKHA, T0 + 3 * DAY));
      const soon = await store.insert(session(SREY, BOPHA, T0 + DAY));
      const now = await store.insert(session(SREY, SOKHA, T0 - HOUR / 2)); // under way: ends in half an hour
      await store.insert(session(SREY, SOKHA, T0 - 2 * HOUR)); // over
      await store.insert(session(DARA, SOKHA, T0 + 2 * DAY)); // another chat
      const cancelled = await store.insert(session(SREY, SOKHA, T0 + 4 * DAY));
      await store.setStatus(cancelled.id, "cancelled");
      expect((await store.upcoming(SREY)).map((a) => a.id)).toEqual([now.id, soon.id, later.id]);
      clock.advance(HOUR / 2);
      expect((await store.upcoming(SREY)).map((a) => a.id)).toEqual([now.id, soon.id, later.id]); // ends now
      clock.advance(1);
      expect((await store.upcoming(SREY)).map((a) => a.id)).toEqual([soon.id, later.id]);
      expect(await store.upcoming(404)).toEqual([]);
    }),
  );

  it(
    "forCounsellor: one counsellor's appointments starting in [from, to) that hold their slot, by time",
    withFixture(open, async ({ store }) => {
      const from = T0;
      const to = T0 + DAY;
      const b = await store.insert(session(SREY, SOKHA, from + 5 * HOUR));
      const a = await store.insert(session(DARA, SOKHA, from, { forWhom: "family", familyName: SREY_MOM }));
      const c = await store.insert(session(SREY, SOKHA, from + 6 * HOUR));
      await store.setStatus(c.id, "attended", SOKHA);
      const moved = await store.insert(session(DARA, SOKHA, from + HOUR));
      await store.setStatus(moved.id, "rescheduled");
      await store.insert(session(SREY, SOKHA, to));
      await store.insert(session(SREY, SOKHA, from - HOUR));
      await store.insert(session(SREY, BOPHA, from + 2 * HOUR));
      const listed = await store.forCounsellor(SOKHA, from, to);
      expect(listed.map((x) => [x.id, x.status])).toEqual([
        [a.id, "booked"],
        [b.id, "booked"],
        [c.id, "attended"],
      ]);
      expect(listed[0]?.familyName).toBe(SREY_MOM);
    }),
  );

  it(
    "bookedStartedBetween: booked appointments that started in [from, to], both ends included, by start",
    withFixture(open, async ({ store }) => {
      const from = T0 - DAY;
      const to = T0;
      const last = await store.insert(session(SREY, SOKHA, to));
      const first = await store.insert(session(DARA, BOPHA, from));
      const middle = await store.insert(session(DARA, SOKHA, from + HOUR));
      const marked = await store.insert(session(SREY, BOPHA, from + 2 * HOUR));
      await store.setStatus(marked.id, "no_show", BOPHA);
      await store.insert(session(SREY, SOKHA, from - 1));
      await store.insert(session(SREY, SOKHA, to + 1));
      expect((await store.bookedStartedBetween(from, to)).map((a) => a.id)).toEqual([first.id, middle.id, last.id]);
    }),
  );

  it(
    "setStatus: only a booked appointment moves, except that a mark may be corrected; says whether it moved",
    withFixture(open, async ({ store, rows }, clock) => {
      const a = await store.insert(session(SREY, SOKHA, T0 - 2 * HOUR));
      const b = await store.insert(session(DARA, SOKHA, T0 + DAY));
      clock.advance(HOUR);
      expect(await store.setStatus(a.id, "attended", SOKHA)).toBe(true);
      expect(await store.get(a.id)).toMatchObject({ status: "attended", markedBy: SOKHA, markedAt: T0 + HOUR });
      clock.advance(HOUR);
      expect(await store.setStatus(a.id, "no_show")).toBe(true); // corrected, by someone unknown
      expect(await store.get(a.id)).toMatchObject({ status: "no_show", markedBy: null, markedAt: T0 + 2 * HOUR });
      expect(await store.setStatus(a.id, "cancelled")).toBe(false);
      expect(await store.setStatus(b.id, "cancelled")).toBe(true);
      expect(await store.setStatus(b.id, "cancelled")).toBe(false);
      expect(await store.setStatus(b.id, "attended", SOKHA)).toBe(false);
      expect(await store.setStatus(b.id, "rescheduled")).toBe(false);
      expect(await store.setStatus(404, "cancelled")).toBe(false);
      expect(await store.get(b.id)).toMatchObject({ status: "cancelled", markedBy: null, markedAt: null });
      const stored = await rows("select updated_at from appointments order by id");
      expect(stored.map((r) => num(r["updated_at"]))).toEqual([T0 + 2 * HOUR, T0 + 2 * HOUR]);
    }),
  );

  it(
    "setFlag and confirm record why staff should call and when the family confirmed",
    withFixture(open, async ({ store, rows }, clock) => {
      const a = await store.insert(session(SREY, SOKHA, T0 + DAY));
      const b = await store.insert(session(DARA, SOKHA, T0 + 2 * DAY));
      clock.advance(HOUR);
      await store.setFlag(a.id, "unreachable");
      clock.advance(HOUR);
      await store.confirm(b.id);
      await store.setFlag(b.id, "reminders_off");
      expect(await store.get(a.id)).toMatchObject({ flag: "unreachable", confirmedAt: null });
      expect(await store.get(b.id)).toMatchObject({ flag: "reminders_off", confirmedAt: T0 + 2 * HOUR });
      const stored = await rows("select updated_at from appointments order by id");
      expect(stored.map((r) => num(r["updated_at"]))).toEqual([T0 + HOUR, T0 + 2 * HOUR]);
    }),
  );

  it(
    "bookedIds: a chat's booked appointments, past or coming, by start",
    withFixture(open, async ({ store }) => {
      const later = await store.insert(session(GROUP_CHAT, SOKHA, T0 + 2 * DAY));
      const past = await store.insert(session(GROUP_CHAT, BOPHA, T0 - 2 * DAY));
      const soon = await store.insert(session(GROUP_CHAT, SOKHA, T0 + DAY));
      const cancelled = await store.insert(session(GROUP_CHAT, SOKHA, T0 + 3 * DAY));
      await store.setStatus(cancelled.id, "cancelled");
      await store.insert(session(SREY, BOPHA, T0 + DAY));
      expect(await store.bookedIds(GROUP_CHAT)).toEqual([past.id, soon.id, later.id]);
      expect(await store.bookedIds(404)).toEqual([]);
    }),
  );

  it(
    "forgetChat moves a chat's appointments to an anonymous id without the name and phone; others are kept",
    withFixture(open, async ({ store }) => {
      const details = { forWhom: "family", familyName: SREY_MOM, phone: PHONE } as const;
      const a = await store.insert(session(SREY, SOKHA, T0 + DAY, details));
      const b = await store.insert(session(SREY, BOPHA, T0 - DAY));
      const other = await store.insert(session(DARA, SOKHA, T0 + 2 * DAY, details));
      await store.forgetChat(SREY, -1);
      expect(await store.upcoming(SREY)).toEqual([]);
      expect(await store.get(a.id)).toMatchObject({ chatId: -1, familyName: undefined, phone: undefined });
      expect((await store.get(b.id))?.chatId).toBe(-1);
      expect(await store.get(other.id)).toMatchObject({ chatId: DARA, familyName: SREY_MOM, phone: PHONE });
    }),
  );

  it(
    "purge erases names and phones of appointments ended more than the retention ago, returning how many",
    withFixture(open, async ({ store }, clock) => {
      const named = { forWhom: "family", familyName: SREY_MOM } as const;
      const old = await store.insert(session(SREY, SOKHA, T0 - 31 * DAY - HOUR, named)); // ended 31 days ago
      const oldPhone = await store.insert(session(DARA, SOKHA, T0 - 40 * DAY, { site: "phone", phone: PHONE }));
      await store.insert(session(DARA, BOPHA, T0 - 40 * DAY)); // nothing to erase
      const edge = await store.insert(session(SREY, BOPHA, T0 - 30 * DAY - HOUR, named)); // ended exactly 30 days ago
      const recent = await store.insert(session(SREY, SOKHA, T0 - 29 * DAY, named));
      expect(await store.purge(30)).toBe(3);
      expect(await store.purge(30)).toBe(0);
      for (const id of [old.id, oldPhone.id, edge.id])
        expect(await store.get(id)).toMatchObject({ familyName: undefined, phone: undefined, status: "booked" });
      expect((await store.get(recent.id))?.familyName).toBe(SREY_MOM);
      clock.advance(DAY + HOUR);
      expect(await store.purge(30)).toBe(1);
    }),
  );

  it(
    "sessionCounts: nothing over no appointments, as numbers",
    withFixture(open, async ({ store }) => {
      expect(await store.sessionCounts(T0 - WEEK, T0, T0)).toEqual({
        attended: 0,
        families: 0,
        windowFamilies: 0,
        unmarked: 0,
        needCall: 0,
        byCounsellor: [],
      });
    }),
  );

  it(
    "sessionCounts: sessions and families overall and in the window, by counsellor name (none first), moved left out",
    withFixture(open, async ({ store }) => {
      await store.saveCounsellor(profile(SOKHA, "Sokha"));
      await store.saveCounsellor(profile(BOPHA, "bopha")); // typed in lower case: after "Sokha", byte by byte
      await store.saveCounsellor(profile(VANNA, "Vanna"));
      const from = T0 - WEEK;
      const mark = async (chatId: number, counsellorId: number, startsAt: number, status?: AppointmentStatus) => {
        const a = await store.insert(session(chatId, counsellorId, startsAt));
        if (status) await store.setStatus(a.id, status, counsellorId);
        return a;
      };
      await mark(1, SOKHA, T0 - 3 * DAY, "attended");
      await mark(2, SOKHA, T0 - 2 * DAY, "attended");
      await mark(10, SOKHA, T0 - 2 * WEEK, "attended"); // before the window
      await mark(3, SOKHA, T0 - DAY, "no_show");
      await mark(4, SOKHA, T0 - 2 * HOUR); // ended an hour ago, not marked
      await mark(5, SOKHA, T0 - 4 * DAY, "cancelled");
      await mark(6, SOKHA, T0 - 5 * DAY, "rescheduled");
      await mark(2, BOPHA, T0 - DAY, "attended");
      const flagged = await mark(7, BOPHA, T0 + DAY);
      await store.setFlag(flagged.id, "reminders_off");
      const now = await mark(8, BOPHA, T0 - HOUR / 2); // under way
      await store.setFlag(now.id, "unreachable");
      await mark(11, BOPHA, T0 + 2 * DAY);
      await mark(12, VANNA, T0 - DAY, "rescheduled"); // Vanna's only one in the window: moved
      await mark(9, 999, T0 - 6 * DAY, "attended"); // a counsellor with no profile any more
      expect(await store.sessionCounts(from, T0, T0)).toEqual({
        attended: 5,
        families: 4,
        windowFamilies: 3,
        unmarked: 1,
        needCall: 2,
        byCounsellor: [
          { name: "", attended: 1, noShow: 0, cancelled: 0, unmarked: 0, booked: 0 },
          { name: "Sokha", attended: 2, noShow: 1, cancelled: 1, unmarked: 1, booked: 0 },
          { name: "bopha", attended: 1, noShow: 0, cancelled: 0, unmarked: 0, booked: 1 },
        ],
      });
    }),
  );

  it(
    "unmarkedFor: a counsellor's booked appointments started in [from, to) and ended by `at`, oldest first",
    withFixture(open, async ({ store }) => {
      const from = T0 - WEEK;
      const endsAtNow = await store.insert(session(SREY, SOKHA, T0 - HOUR));
      const second = await store.insert(session(DARA, SOKHA, T0 - 2 * DAY));
      const first = await store.insert(session(SREY, SOKHA, from));
      await store.insert(session(SREY, SOKHA, from - DAY));
      await store.insert(session(SREY, SOKHA, T0 - HOUR / 2)); // under way
      const marked = await store.insert(session(DARA, SOKHA, T0 - DAY));
      await store.setStatus(marked.id, "attended", SOKHA);
      await store.insert(session(DARA, BOPHA, T0 - DAY));
      expect((await store.unmarkedFor(SOKHA, from, T0, T0)).map((a) => a.id)).toEqual([
        first.id,
        second.id,
        endsAtNow.id,
      ]);
      expect(await store.unmarkedFor(SOKHA, from, T0, T0 - 3 * DAY)).toMatchObject([{ id: first.id }]);
    }),
  );
}
