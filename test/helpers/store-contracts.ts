/**
 * One behaviour, two databases: each function here defines the `it` cases of one store's interface, given a factory
 * that opens a store on an empty database (SQLite or PostgreSQL). test/unit/store-contracts.test.ts runs every
 * contract on both, so a PostgreSQL store is held to exactly what the SQLite store does, method by method.
 *
 * What is at rest is read with plain SQL that both dialects accept (`rows`), and time is the fixture's clock.
 */
import { expect, it } from "vitest";
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
