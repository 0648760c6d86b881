/**
 * One behaviour, two databases: each function here defines the `it` cases of one store's interface, given a factory
 * that opens a store on an empty database (SQLite or PostgreSQL). test/unit/store-contracts.test.ts runs every
 * contract on both, so a PostgreSQL store is held to exactly what the SQLite store does, method by method.
 *
 * What is at rest is read with plain SQL that both dialects accept (`rows`), and time is the fixture's clock.
 */
import { createHash, createHmac } from "node:crypto";
import { expect, it } from "vitest";
import { ERROR_CODES, SpeanError } from "../../src/base/errors.ts";
import type { Appointment, AppointmentStatus, WeeklyHours } from "../../src/booking/model.ts";
import type { BookingStore, CounsellorProfile, NewAppointment } from "../../src/booking/store.ts";
import type { ConversationStore } from "../../src/conversations/store.ts";
import type { Vars } from "../../src/engine/actions.ts";
import type { ConversationState } from "../../src/engine/interpreter.ts";
import type { CommitQueue } from "../../src/db/commit-queue.ts";
import type { Role } from "../../src/features/roles.ts";
import { type InboundUpdate, type InboxStore, markHandled } from "../../src/inbox/store.ts";
import type { InteractionLog } from "../../src/interactions/log.ts";
import { normalizeText } from "../../src/khmer/normalize.ts";
import type { KnowledgeStore, QuestionRecord } from "../../src/knowledge/store.ts";
import type { WordingsStore } from "../../src/knowledge/wordings-store.ts";
import type { OutboxStore, QueuedMessage } from "../../src/outbox/store.ts";
import {
  type ActivityInput,
  type ActivityStore,
  PARTICIPANT_KEYS,
  type ParticipantKey,
} from "../../src/programme/activities.ts";
import type { NeedsAnswer, NeedsStore } from "../../src/programme/needs.ts";
import type { RecordingStore, StaffRecording } from "../../src/recordings/store.ts";
import type { RecordingTarget } from "../../src/recordings/targets.ts";
import type { MediaItem, MediaStore } from "../../src/referrals/media-store.ts";
import type { NewReferral, Referral, ReferralStore } from "../../src/referrals/store.ts";
import type { SafetyStore } from "../../src/safety/store.ts";
import type { StaffStore } from "../../src/staff/store.ts";

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
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
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
    "markDone: true when this call marked the update, false when it was done already, quarantined or unknown",
    withFixture(open, async ({ store }) => {
      await store.ingest(messageUpdate(1, 7));
      await store.ingest(messageUpdate(2, 7));
      await store.recordFailure(2, "X", 1, 0);
      expect(await store.markDone(1)).toBe(true);
      expect(await store.markDone(1)).toBe(false);
      expect(await store.markDone(2)).toBe(false);
      expect(await store.markDone(404)).toBe(false);
    }),
  );

  it(
    "markHandled: marks a pending update done; one done already (another instance) is SPEAN_UPDATE_ALREADY_DONE",
    withFixture(open, async ({ store }) => {
      await store.ingest(messageUpdate(1, 7));
      await markHandled(store, 1);
      expect(await store.counts()).toEqual({ pending: 0, done: 1, quarantined: 0 });
      const refused = await markHandled(store, 1).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(SpeanError);
      expect(refused).toMatchObject({ code: "SPEAN_UPDATE_ALREADY_DONE", context: { updateId: 1 } });
    }),
  );

  it(
    "markHandled inside a unit of work: refused, the piece's other writes are rolled back",
    withFixture(open, async ({ store, commits }) => {
      await store.ingest(messageUpdate(1, 7));
      await store.markDone(1); // handled by another instance first
      const outcomes = await settled([
        commits.run(async () => {
          await store.ingest(messageUpdate(2, 7));
          await markHandled(store, 1);
        }),
      ]);
      expect(outcomes).toEqual([ERROR_CODES.SPEAN_UPDATE_ALREADY_DONE]);
      expect(await store.counts()).toEqual({ pending: 0, done: 1, quarantined: 0 });
    }),
  );

  it(
    "recordFailure on an update done already (handled elsewhere meanwhile) leaves it done, its attempts untouched",
    withFixture(open, async ({ store, rows }, clock) => {
      await store.ingest(messageUpdate(1, 7));
      await store.recordFailure(1, "A", 5, 0);
      await store.markDone(1);
      clock.advance(1_000);
      await store.recordFailure(1, "B", 5, 0);
      // Not set aside, so the worker announces no quarantine for an update that was answered.
      expect(await store.recordFailure(1, "C", 1, 0)).toMatchObject({ quarantined: false });
      const [row] = await rows("select status, attempts, last_error, done_at from inbox where update_id = 1");
      expect([row?.["status"], num(row?.["attempts"]), row?.["last_error"], num(row?.["done_at"])]).toEqual([
        "done",
        1,
        "A",
        T0,
      ]);
      expect(await store.counts()).toEqual({ pending: 0, done: 1, quarantined: 0 });
      expect(await store.nextInLane("chat:7")).toBeUndefined();
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
      // An unknown update: nothing is recorded.
      expect(await store.recordFailure(404, "E", 2, 0)).toEqual({ attempts: 0, quarantined: false });
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
      // While a chat has a message on its way, its next ones are not due: they must not overtake it.
      expect((await store.due(10)).map((r) => r.id)).toEqual([]);
      const other = (await store.enqueue(queued("other", 2)))!;
      expect((await store.due(10)).map((r) => r.id)).toEqual([other]);
      await store.erase(other);
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
    "recoverInterrupted(staleAfterMs): only rows claimed at least that long ago by the store's clock",
    withFixture(open, async ({ store }, clock) => {
      const a = (await store.enqueue(queued("a", 1)))!;
      const b = (await store.enqueue(queued("b", 2)))!;
      expect(await store.claim(a)).toBe(true);
      expect(await store.recoverInterrupted(60_000)).toBe(0);
      expect(await store.counts()).toEqual({ pending: 1, sending: 1 });
      clock.advance(30_000);
      expect(await store.claim(b)).toBe(true);
      expect(await store.recoverInterrupted(60_000)).toBe(0);
      clock.advance(30_001); // a: claimed just over 60 s ago; b: 30 s ago
      expect(await store.recoverInterrupted(60_000)).toBe(1);
      expect(await store.counts()).toEqual({ pending: 1, sending: 1 });
      // Put back, a is due at once (its claim time is in the past).
      expect((await store.due(10)).map((r) => r.id)).toEqual([a]);
      expect(await store.claim(a)).toBe(true); // claimed again: its clock starts again
      expect(await store.recoverInterrupted(60_000)).toBe(0);
    }),
  );

  it(
    "recoverInterrupted() with no age puts back every row left sending, even one claimed this instant",
    withFixture(open, async ({ store }, clock) => {
      const a = (await store.enqueue(queued("a", 1)))!;
      const b = (await store.enqueue(queued("b", 2)))!;
      await store.enqueue(queued("c", 3));
      await store.claim(a);
      clock.advance(10);
      await store.claim(b);
      expect(await store.recoverInterrupted()).toBe(2);
      expect(await store.counts()).toEqual({ pending: 3 });
      expect((await store.due(10)).map((r) => r.dedupeKey)).toEqual(["a", "b", "c"]);
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

/** What a resident asked to be called on, as they typed it. */
const CALL_ME = "012 345 678";
/** A caseworker's note and relayed texts, in Khmer, one holding the resident's mother's number. */
const NOTE = "ម្តាយរបស់គាត់ចង់ឱ្យទូរស័ព្ទនៅពេលល្ងាច 012 345 678";
const GREETING = "សួស្តី ខ្ញុំឈ្មោះសុខា មកពីអង្គការ";

/** A resident's request as the help flow makes it after their yes: a call in the evening, first re-post in 15 min. */
function request(chatId: number, more: Partial<NewReferral> = {}): NewReferral {
  return {
    chatId,
    category: "housing",
    urgency: "normal",
    district: "khan-chamkarmon",
    consentVersion: "consent-3f9a",
    contact: { method: "call", time: "evening", phone: CALL_ME },
    firstEscalationAt: T0 + 15 * MINUTE,
    ...more,
  };
}

/** A case's timeline: each event's status, actor and time. */
async function timeline(store: ReferralStore, id: number) {
  return (await store.eventsOf(id)).map((e) => [e.status, e.actor, e.at]);
}

const idsOf = (cases: readonly { id: number }[]) => cases.map((c) => c.id);

export function referralStoreContract(open: StoreFactory<ReferralStore>): void {
  it(
    "create and get: an open case with its escalation time, and 'open' in its timeline",
    withFixture(open, async ({ store, rows }) => {
      const created = await store.create(request(SREY));
      const expected: Referral = {
        id: created.id,
        chatId: SREY,
        category: "housing",
        urgency: "normal",
        district: "khan-chamkarmon",
        status: "open",
        assignedTo: null,
        createdAt: T0,
        claimedAt: null,
        closedAt: null,
        escalations: 0,
        nextEscalationAt: T0 + 15 * MINUTE,
      };
      expect(created).toEqual(expected);
      expect(await store.get(created.id)).toEqual(expected);
      const urgent = await store.create(
        request(GROUP_CHAT, { urgency: "urgent", district: undefined, firstEscalationAt: T0 + 5 * MINUTE }),
      );
      expect(urgent.id).toBeGreaterThan(created.id);
      expect(await store.get(urgent.id)).toMatchObject({ chatId: GROUP_CHAT, urgency: "urgent", district: null });
      expect(await store.get(404)).toBeUndefined();
      expect(await store.eventsOf(created.id)).toEqual([
        { id: expect.any(Number), referralId: created.id, status: "open", actor: null, at: T0 },
      ]);
      expect(await store.eventsOf(404)).toEqual([]);
      const [row] = await rows(
        `select consent_version, consent_at, updated_at from referrals where id = ${created.id}`,
      );
      expect([row?.["consent_version"], num(row?.["consent_at"]), num(row?.["updated_at"])]).toEqual([
        "consent-3f9a",
        T0,
        T0,
      ]);
    }),
  );

  it(
    "contactOf: the contact preference decrypted, encrypted at rest",
    withFixture(open, async ({ store, rows }) => {
      const call = await store.create(request(SREY));
      const telegram = await store.create(request(DARA, { contact: { method: "telegram", time: "any" } }));
      expect(await store.contactOf(call.id)).toEqual({ method: "call", time: "evening", phone: CALL_ME });
      expect(await store.contactOf(telegram.id)).toEqual({ method: "telegram", time: "any" });
      expect(await store.contactOf(404)).toBeUndefined();
      const [row] = await rows(`select contact_enc from referrals where id = ${call.id}`);
      const atRest = String(row?.["contact_enc"]);
      expect(atRest.startsWith("v1:")).toBe(true);
      for (const plain of ["345", "evening", "call", "phone"]) expect(atRest).not.toContain(plain);
    }),
  );

  it(
    "claim: an open case once; it is assigned, its re-posts stop, and the claim is in its timeline",
    withFixture(open, async ({ store, rows }, clock) => {
      const created = await store.create(request(SREY));
      clock.advance(5 * MINUTE);
      expect(await store.claim(created.id, SOKHA)).toBe(true);
      clock.advance(MINUTE);
      expect(await store.claim(created.id, BOPHA)).toBe(false);
      expect(await store.claim(404, BOPHA)).toBe(false);
      expect(await store.get(created.id)).toEqual({
        ...created,
        status: "claimed",
        assignedTo: SOKHA,
        claimedAt: T0 + 5 * MINUTE,
        nextEscalationAt: null,
      });
      expect(await timeline(store, created.id)).toEqual([
        ["open", null, T0],
        ["claimed", SOKHA, T0 + 5 * MINUTE],
      ]);
      const [row] = await rows(`select updated_at from referrals where id = ${created.id}`);
      expect(num(row?.["updated_at"])).toBe(T0 + 5 * MINUTE);
    }),
  );

  it(
    "startConversation, endConversation and close move a case only from the statuses they name",
    withFixture(open, async ({ store, rows }, clock) => {
      const a = await store.create(request(SREY));
      expect(await store.startConversation(a.id, SOKHA)).toBe(false); // not claimed yet
      await store.claim(a.id, SOKHA);
      clock.advance(MINUTE);
      expect(await store.startConversation(a.id, SOKHA)).toBe(true);
      expect(await store.startConversation(a.id, SOKHA)).toBe(false);
      expect((await store.get(a.id))?.status).toBe("in_conversation");
      clock.advance(MINUTE);
      expect(await store.endConversation(a.id, null)).toBe(true); // the resident left
      expect(await store.endConversation(a.id, null)).toBe(false);
      expect((await store.get(a.id))?.status).toBe("claimed");
      clock.advance(MINUTE);
      expect(await store.close(a.id, "resolved", SOKHA)).toBe(true);
      expect(await store.close(a.id, "closed_unreachable", SOKHA)).toBe(false);
      expect(await store.claim(a.id, BOPHA)).toBe(false);
      expect(await store.get(a.id)).toMatchObject({ status: "resolved", closedAt: T0 + 3 * MINUTE, assignedTo: SOKHA });
      expect(await timeline(store, a.id)).toEqual([
        ["open", null, T0],
        ["claimed", SOKHA, T0],
        ["in_conversation", SOKHA, T0 + MINUTE],
        ["claimed", null, T0 + 2 * MINUTE],
        ["resolved", SOKHA, T0 + 3 * MINUTE],
      ]);
      const [row] = await rows(`select conversation_at from referrals where id = ${a.id}`);
      expect(num(row?.["conversation_at"])).toBe(T0 + MINUTE);

      // An open case can be closed (nobody could reach them); one in conversation too (the resident used /forget).
      const b = await store.create(request(DARA));
      expect(await store.close(b.id, "closed_unreachable", null)).toBe(true);
      expect(await store.get(b.id)).toMatchObject({ status: "closed_unreachable", nextEscalationAt: null });
      const c = await store.create(request(GROUP_CHAT));
      await store.claim(c.id, BOPHA);
      await store.startConversation(c.id, BOPHA);
      expect(await store.close(c.id, "closed_by_resident", null)).toBe(true);
      expect(await store.endConversation(c.id, BOPHA)).toBe(false);
      expect(await store.close(404, "resolved", SOKHA)).toBe(false);
    }),
  );

  it(
    "activeForChat: the resident's newest case still being handled; inConversation: the one in conversation",
    withFixture(open, async ({ store }) => {
      const closed = await store.create(request(SREY));
      await store.close(closed.id, "resolved", SOKHA);
      expect(await store.activeForChat(SREY)).toBeUndefined();
      const claimed = await store.create(request(SREY));
      await store.claim(claimed.id, SOKHA);
      const newer = await store.create(request(SREY));
      await store.create(request(DARA));
      expect((await store.activeForChat(SREY))?.id).toBe(newer.id);
      await store.close(newer.id, "closed_unreachable", null);
      expect(await store.activeForChat(SREY)).toEqual(await store.get(claimed.id));
      expect(await store.activeForChat(404)).toBeUndefined();

      expect(await store.inConversation(SREY)).toBeUndefined();
      await store.startConversation(claimed.id, SOKHA);
      expect(await store.inConversation(SREY)).toEqual(await store.get(claimed.id));
      expect(await store.inConversation(DARA)).toBeUndefined();
      // Never two at once for a resident; if there were, the older.
      const second = await store.create(request(SREY));
      await store.claim(second.id, BOPHA);
      await store.startConversation(second.id, BOPHA);
      await store.endConversation(claimed.id, null);
      await store.startConversation(claimed.id, SOKHA);
      expect((await store.inConversation(SREY))?.id).toBe(claimed.id);
    }),
  );

  it(
    "dueEscalations: open cases whose re-post is due, by due time then id, at most limit",
    withFixture(open, async ({ store }, clock) => {
      const later = await store.create(request(1, { firstEscalationAt: T0 + 10 * MINUTE }));
      const first = await store.create(request(2, { firstEscalationAt: T0 - 5 * MINUTE }));
      const tieA = await store.create(request(3, { firstEscalationAt: T0 - MINUTE }));
      const tieB = await store.create(request(4, { firstEscalationAt: T0 }));
      await store.markEscalated(tieA.id, T0); // now due at the same time as tieB, written after it
      await store.create(request(5, { firstEscalationAt: T0 + HOUR }));
      const claimed = await store.create(request(6, { firstEscalationAt: T0 - HOUR }));
      await store.claim(claimed.id, SOKHA);
      const closed = await store.create(request(7, { firstEscalationAt: T0 - HOUR }));
      await store.close(closed.id, "closed_unreachable", null);
      expect(idsOf(await store.dueEscalations())).toEqual([first.id, tieA.id, tieB.id]);
      clock.advance(10 * MINUTE);
      expect(idsOf(await store.dueEscalations())).toEqual([first.id, tieA.id, tieB.id, later.id]);
      expect(idsOf(await store.dueEscalations(2))).toEqual([first.id, tieA.id]);
      expect((await store.dueEscalations()).map((r) => r.escalations)).toEqual([0, 1, 0, 0]);
    }),
  );

  it(
    "markEscalated: counts a re-post and sets the next, only while the case is open",
    withFixture(open, async ({ store, rows }, clock) => {
      const a = await store.create(request(SREY));
      clock.advance(15 * MINUTE);
      expect(await store.markEscalated(a.id, T0 + 45 * MINUTE)).toBe(true);
      expect(await store.get(a.id)).toMatchObject({ escalations: 1, nextEscalationAt: T0 + 45 * MINUTE });
      clock.advance(30 * MINUTE);
      expect(await store.markEscalated(a.id, T0 + 105 * MINUTE)).toBe(true);
      expect(await store.get(a.id)).toMatchObject({ escalations: 2, nextEscalationAt: T0 + 105 * MINUTE });
      await store.claim(a.id, SOKHA); // a claim in between wins
      expect(await store.markEscalated(a.id, T0 + 165 * MINUTE)).toBe(false);
      expect(await store.get(a.id)).toMatchObject({ escalations: 2, nextEscalationAt: null, status: "claimed" });
      expect(await store.markEscalated(404, T0)).toBe(false);
      const [row] = await rows(`select updated_at from referrals where id = ${a.id}`);
      expect(num(row?.["updated_at"])).toBe(T0 + 45 * MINUTE);
      expect(await timeline(store, a.id)).toEqual([
        ["open", null, T0],
        ["claimed", SOKHA, T0 + 45 * MINUTE],
      ]);
    }),
  );

  it(
    "active: cases still being handled, oldest first, everyone's or one caseworker's",
    withFixture(open, async ({ store }) => {
      const ids: number[] = [];
      for (const chat of [1, 2, 3, 4, 5]) ids.push((await store.create(request(chat))).id);
      const [a, b, c, d, e] = ids as [number, number, number, number, number];
      await store.claim(e, SOKHA);
      await store.startConversation(e, SOKHA);
      await store.claim(c, BOPHA);
      await store.claim(a, SOKHA);
      await store.claim(d, SOKHA);
      await store.close(d, "resolved", SOKHA);
      expect(idsOf(await store.active())).toEqual([a, b, c, e]);
      expect(idsOf(await store.active(SOKHA))).toEqual([a, e]);
      expect(idsOf(await store.active(BOPHA))).toEqual([c]);
      expect(await store.active(VANNA)).toEqual([]);
      expect((await store.active())[0]).toEqual(await store.get(a));
    }),
  );

  it(
    "queue: cases still being handled and those closed since a time, newest first, at most 500",
    withFixture(open, async ({ store, rows }, clock) => {
      const old = await store.create(request(1));
      await store.close(old.id, "resolved", SOKHA);
      clock.advance(HOUR);
      const recent = await store.create(request(2));
      await store.claim(recent.id, SOKHA);
      await store.close(recent.id, "closed_unreachable", SOKHA);
      const claimed = await store.create(request(3));
      await store.claim(claimed.id, BOPHA);
      const waiting = await store.create(request(4));
      expect(idsOf(await store.queue(T0 + HOUR))).toEqual([waiting.id, claimed.id, recent.id]);
      expect(idsOf(await store.queue(T0))).toEqual([waiting.id, claimed.id, recent.id, old.id]);
      expect(idsOf(await store.queue(T0 + HOUR + 1))).toEqual([waiting.id, claimed.id]);
      await rows(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 600) " +
          "insert into referrals (chat_id, category, urgency, consent_version, consent_at, status, created_at, " +
          `updated_at) select 1000 + i, 'housing', 'normal', 'c', ${T0}, 'open', ${T0}, ${T0} from n`,
      );
      const queue = await store.queue(T0);
      expect(queue).toHaveLength(500);
      expect(queue[0]!.id).toBeGreaterThan(waiting.id);
      expect(queue.every((r, i) => i === 0 || r.id < queue[i - 1]!.id)).toBe(true);
      expect(queue.map((r) => r.id)).not.toContain(waiting.id);
    }),
  );

  it(
    "reassign: a claimed or in-conversation case goes to another caseworker, recorded; not an open or closed one",
    withFixture(open, async ({ store, rows }, clock) => {
      const a = await store.create(request(SREY));
      expect(await store.reassign(a.id, BOPHA, VANNA)).toBe(false);
      await store.claim(a.id, SOKHA);
      clock.advance(MINUTE);
      expect(await store.reassign(a.id, BOPHA, VANNA)).toBe(true);
      expect(await store.get(a.id)).toMatchObject({ status: "claimed", assignedTo: BOPHA, claimedAt: T0 });
      await store.startConversation(a.id, BOPHA);
      clock.advance(MINUTE);
      expect(await store.reassign(a.id, SOKHA, VANNA)).toBe(true);
      expect(await store.get(a.id)).toMatchObject({ status: "in_conversation", assignedTo: SOKHA });
      const [row] = await rows(`select updated_at from referrals where id = ${a.id}`);
      expect(num(row?.["updated_at"])).toBe(T0 + 2 * MINUTE);
      await store.close(a.id, "resolved", SOKHA);
      expect(await store.reassign(a.id, BOPHA, VANNA)).toBe(false);
      expect(await store.reassign(404, BOPHA, VANNA)).toBe(false);
      expect(await timeline(store, a.id)).toEqual([
        ["open", null, T0],
        ["claimed", SOKHA, T0],
        ["reassigned", VANNA, T0 + MINUTE],
        ["in_conversation", BOPHA, T0 + MINUTE],
        ["reassigned", VANNA, T0 + 2 * MINUTE],
        ["resolved", SOKHA, T0 + 2 * MINUTE],
      ]);
    }),
  );

  it(
    "logMessage and messagesOf: a case's relayed messages in order, text decrypted (none for a sticker)",
    withFixture(open, async ({ store }, clock) => {
      const a = await store.create(request(SREY));
      const b = await store.create(request(DARA));
      await store.logMessage(a.id, "to_resident", SOKHA, "text", GREETING);
      clock.advance(MINUTE);
      await store.logMessage(b.id, "from_resident", BOPHA, "text", "other case");
      await store.logMessage(a.id, "from_resident", SOKHA, "text", KHMER);
      await store.logMessage(a.id, "from_resident", SOKHA, "sticker", undefined);
      const messages = await store.messagesOf(a.id);
      expect(messages).toEqual([
        {
          id: expect.any(Number),
          referralId: a.id,
          direction: "to_resident",
          staffId: SOKHA,
          kind: "text",
          textEnc: expect.stringMatching(/^v1:/),
          at: T0,
          text: GREETING,
        },
        {
          id: expect.any(Number),
          referralId: a.id,
          direction: "from_resident",
          staffId: SOKHA,
          kind: "text",
          textEnc: expect.stringMatching(/^v1:/),
          at: T0 + MINUTE,
          text: KHMER,
        },
        {
          id: expect.any(Number),
          referralId: a.id,
          direction: "from_resident",
          staffId: SOKHA,
          kind: "sticker",
          textEnc: null,
          at: T0 + MINUTE,
          text: null,
        },
      ]);
      expect(messages[0]!.id).toBeLessThan(messages[1]!.id);
      expect((await store.messagesOf(b.id)).map((m) => m.text)).toEqual(["other case"]);
      expect(await store.messagesOf(404)).toEqual([]);
    }),
  );

  it(
    "addNote and notesOf: a case's notes in order, text decrypted",
    withFixture(open, async ({ store }, clock) => {
      const a = await store.create(request(SREY));
      const b = await store.create(request(DARA));
      await store.addNote(a.id, SOKHA, NOTE);
      clock.advance(MINUTE);
      await store.addNote(b.id, BOPHA, "other case");
      await store.addNote(a.id, BOPHA, KHMER);
      expect(await store.notesOf(a.id)).toEqual([
        { id: expect.any(Number), staffId: SOKHA, at: T0, text: NOTE },
        { id: expect.any(Number), staffId: BOPHA, at: T0 + MINUTE, text: KHMER },
      ]);
      expect(await store.notesOf(404)).toEqual([]);
    }),
  );

  it(
    "keeps relayed texts and notes encrypted at rest",
    withFixture(open, async ({ store, rows }) => {
      const a = await store.create(request(SREY));
      await store.logMessage(a.id, "from_resident", SOKHA, "text", NOTE);
      await store.addNote(a.id, SOKHA, NOTE);
      const stored = [
        ...(await rows("select text_enc from case_messages")),
        ...(await rows("select text_enc from case_notes")),
      ];
      expect(stored).toHaveLength(2);
      for (const row of stored) {
        const atRest = String(row["text_enc"]);
        expect(atRest.startsWith("v1:")).toBe(true);
        expect(atRest).not.toContain("ម្តាយ");
        expect(atRest).not.toContain("345");
      }
    }),
  );

  it(
    "setOutcome and outcomeOf: what came of a case, once; a later record replaces it",
    withFixture(open, async ({ store, rows }, clock) => {
      const a = await store.create(request(SREY));
      const b = await store.create(request(DARA));
      expect(await store.outcomeOf(a.id)).toBeUndefined();
      await store.setOutcome(a.id, "referred_on", "legal-aid-cls", SOKHA);
      await store.setOutcome(b.id, "unreachable", null, null);
      expect(await store.outcomeOf(a.id)).toEqual({
        referralId: a.id,
        outcome: "referred_on",
        serviceId: "legal-aid-cls",
        staffId: SOKHA,
        at: T0,
      });
      clock.advance(DAY);
      await store.setOutcome(a.id, "job_or_training", null, BOPHA);
      expect(await store.outcomeOf(a.id)).toEqual({
        referralId: a.id,
        outcome: "job_or_training",
        serviceId: null,
        staffId: BOPHA,
        at: T0 + DAY,
      });
      expect(await store.outcomeOf(b.id)).toMatchObject({ outcome: "unreachable", staffId: null, at: T0 });
      expect(await rows("select referral_id from case_outcomes")).toHaveLength(2);
    }),
  );

  it(
    "forgetChat: the chat's cases move to the anonymous id without contact, texts and notes; others are kept",
    withFixture(open, async ({ store, rows }) => {
      const active = await store.create(request(SREY));
      await store.claim(active.id, SOKHA);
      const closed = await store.create(request(SREY, { category: "work" }));
      await store.close(closed.id, "resolved", SOKHA);
      const other = await store.create(request(DARA));
      for (const id of [active.id, closed.id, other.id]) {
        await store.logMessage(id, "from_resident", SOKHA, "text", KHMER);
        await store.addNote(id, SOKHA, NOTE);
      }
      await store.forgetChat(SREY, -42);
      expect(await store.activeForChat(SREY)).toBeUndefined();
      expect(await store.activeForChat(-42)).toMatchObject({ id: active.id, status: "claimed", assignedTo: SOKHA });
      expect(await store.get(closed.id)).toMatchObject({ chatId: -42, category: "work", status: "resolved" });
      for (const id of [active.id, closed.id]) {
        expect(await store.contactOf(id)).toBeUndefined();
        expect(await store.messagesOf(id)).toMatchObject([{ kind: "text", textEnc: null, text: null }]);
        expect(await store.notesOf(id)).toMatchObject([{ staffId: SOKHA, text: null }]);
      }
      expect(await store.contactOf(other.id)).toMatchObject({ phone: CALL_ME });
      expect((await store.messagesOf(other.id))[0]?.text).toBe(KHMER);
      expect((await store.notesOf(other.id))[0]?.text).toBe(NOTE);
      const kept = await rows("select chat_id from referrals order by id");
      expect(kept.map((r) => num(r["chat_id"]))).toEqual([-42, -42, DARA]);
      await store.forgetChat(404, -43);
    }),
  );

  it(
    "purge erases contact, texts and notes of cases closed more than the retention ago, returning how many",
    withFixture(open, async ({ store }, clock) => {
      const old = await store.create(request(1));
      await store.close(old.id, "resolved", SOKHA);
      const forgotten = await store.create(request(2));
      await store.close(forgotten.id, "resolved", SOKHA);
      await store.logMessage(forgotten.id, "from_resident", SOKHA, "text", KHMER);
      await store.forgetChat(2, -1); // erased already: not counted again
      const open = await store.create(request(3)); // never closed, however old
      clock.advance(DAY);
      const edge = await store.create(request(4));
      await store.close(edge.id, "closed_unreachable", null);
      for (const id of [old.id, open.id, edge.id]) {
        await store.logMessage(id, "to_resident", SOKHA, "text", GREETING);
        await store.addNote(id, SOKHA, NOTE);
      }
      clock.advance(30 * DAY); // `edge` closed exactly 30 days ago
      expect(await store.purge(30)).toBe(1);
      expect(await store.purge(30)).toBe(0);
      expect(await store.contactOf(old.id)).toBeUndefined();
      expect((await store.messagesOf(old.id)).map((m) => m.text)).toEqual([null]);
      expect((await store.notesOf(old.id)).map((n) => n.text)).toEqual([null]);
      expect(await store.get(old.id)).toMatchObject({ status: "resolved", category: "housing", closedAt: T0 });
      for (const id of [open.id, edge.id]) {
        expect(await store.contactOf(id)).toMatchObject({ phone: CALL_ME });
        expect((await store.messagesOf(id)).map((m) => m.text)).toEqual([GREETING]);
        expect((await store.notesOf(id)).map((n) => n.text)).toEqual([NOTE]);
      }
      clock.advance(1);
      expect(await store.purge(30)).toBe(1);
      expect(await store.contactOf(edge.id)).toBeUndefined();
      expect((await store.notesOf(edge.id)).map((n) => n.text)).toEqual([null]);
      expect(await store.contactOf(open.id)).toMatchObject({ phone: CALL_ME });
    }),
  );

  it(
    "inside a unit of work: a failing piece's case, claim, note and events are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      const a = await store.create(request(SREY));
      const b = await store.create(request(DARA));
      const outcomes = await settled([
        commits.run(() => store.claim(a.id, SOKHA)),
        commits.run(async () => {
          await store.claim(b.id, SOKHA);
          await store.addNote(b.id, SOKHA, NOTE);
          await store.create(request(GROUP_CHAT));
          throw new Error("turn failed");
        }),
        commits.run(() => store.claim(b.id, BOPHA)),
        commits.run(() => store.claim(a.id, BOPHA)),
      ]);
      expect(outcomes).toEqual(["ok", "turn failed", "ok", "ok"]);
      expect(await store.get(a.id)).toMatchObject({ status: "claimed", assignedTo: SOKHA });
      expect(await store.get(b.id)).toMatchObject({ status: "claimed", assignedTo: BOPHA });
      expect(await timeline(store, b.id)).toEqual([
        ["open", null, T0],
        ["claimed", BOPHA, T0],
      ]);
      expect(await store.notesOf(b.id)).toEqual([]);
      expect(await store.activeForChat(GROUP_CHAT)).toBeUndefined();
      expect(idsOf(await store.queue(0))).toEqual([b.id, a.id]);
    }),
  );
}

/** A case for the media store to read: only its id and when it was closed matter. */
async function addCase(rows: StoreFixture<unknown>["rows"], id: number, closedAt: number | null): Promise<void> {
  await rows(
    "insert into referrals (id, chat_id, category, urgency, consent_version, consent_at, status, created_at, " +
      `updated_at, closed_at) values (${id}, ${SREY}, 'message', 'normal', 'c', ${T0}, ` +
      `'${closedAt === null ? "claimed" : "resolved"}', ${T0}, ${T0}, ${closedAt ?? "null"})`,
  );
}

/** A media row as the store gives it back: the whole row, not yet copied to a caseworker. */
function stored(item: Omit<MediaItem, "id">): MediaItem {
  return { id: expect.any(Number) as number, ...item, relayedAt: null } as MediaItem;
}

export function mediaStoreContract(open: StoreFactory<MediaStore>): void {
  it(
    "add and pending: a chat's media waiting for a yes, in order, with kind and duration (null when none)",
    withFixture(open, async ({ store }, clock) => {
      await store.add({ chatId: SREY, messageId: 3_000_000_101, kind: "voice", duration: 42 });
      clock.advance(MINUTE);
      await store.add({ chatId: DARA, messageId: 7, kind: "photo" });
      await store.add({ chatId: SREY, messageId: 102, kind: "photo" });
      await store.add({ chatId: SREY, messageId: 103, kind: "video_note", duration: 9, referralId: 5 });
      await store.add({ chatId: SREY, messageId: 104, kind: "document" });
      const pending = await store.pending(SREY);
      expect(pending).toEqual([
        stored({
          chatId: SREY,
          messageId: 3_000_000_101,
          kind: "voice",
          duration: 42,
          referralId: null,
          createdAt: T0,
        }),
        stored({
          chatId: SREY,
          messageId: 102,
          kind: "photo",
          duration: null,
          referralId: null,
          createdAt: T0 + MINUTE,
        }),
        stored({
          chatId: SREY,
          messageId: 104,
          kind: "document",
          duration: null,
          referralId: null,
          createdAt: T0 + MINUTE,
        }),
      ]);
      expect(pending[0]!.id).toBeLessThan(pending[1]!.id);
      expect(pending[1]!.id).toBeLessThan(pending[2]!.id);
      expect(await store.pending(404)).toEqual([]);
    }),
  );

  it(
    "lastAt: when the chat last sent media, waiting or attached; undefined when never",
    withFixture(open, async ({ store }, clock) => {
      expect(await store.lastAt(SREY)).toBeUndefined();
      await store.add({ chatId: SREY, messageId: 1, kind: "voice", duration: 5 });
      clock.advance(5 * MINUTE);
      await store.add({ chatId: SREY, messageId: 2, kind: "audio", duration: 60, referralId: 3 });
      clock.advance(MINUTE);
      await store.add({ chatId: DARA, messageId: 3, kind: "photo" });
      expect(await store.lastAt(SREY)).toBe(T0 + 5 * MINUTE);
      expect(await store.lastAt(DARA)).toBe(T0 + 6 * MINUTE);
    }),
  );

  it(
    "attach: the waiting media join the case, returning how many; unrelayed and markRelayed copy them once",
    withFixture(open, async ({ store, rows }, clock) => {
      await store.add({ chatId: SREY, messageId: 1, kind: "voice", duration: 30 });
      await store.add({ chatId: SREY, messageId: 2, kind: "photo" });
      await store.add({ chatId: DARA, messageId: 3, kind: "voice", duration: 4 });
      await store.add({ chatId: SREY, messageId: 4, kind: "video", duration: 12, referralId: 8 });
      expect(await store.attach(SREY, 9)).toBe(2);
      expect(await store.attach(SREY, 10)).toBe(0);
      expect(await store.pending(SREY)).toEqual([]);
      expect((await store.pending(DARA)).map((m) => m.messageId)).toEqual([3]);
      const unrelayed = await store.unrelayed(9);
      expect(unrelayed).toEqual([
        stored({ chatId: SREY, messageId: 1, kind: "voice", duration: 30, referralId: 9, createdAt: T0 }),
        stored({ chatId: SREY, messageId: 2, kind: "photo", duration: null, referralId: 9, createdAt: T0 }),
      ]);
      clock.advance(MINUTE);
      await store.markRelayed([unrelayed[0]!.id]);
      await store.markRelayed([]);
      expect((await store.unrelayed(9)).map((m) => m.messageId)).toEqual([2]);
      expect((await store.unrelayed(8)).map((m) => m.messageId)).toEqual([4]);
      expect(await store.unrelayed(404)).toEqual([]);
      const relayed = await rows("select message_id, relayed_at from case_media where relayed_at is not null");
      expect(relayed.map((r) => [num(r["message_id"]), num(r["relayed_at"])])).toEqual([[1, T0 + MINUTE]]);
    }),
  );

  it(
    "dropPending deletes the chat's waiting media; eraseChat every row of the chat; both return how many",
    withFixture(open, async ({ store }) => {
      await store.add({ chatId: SREY, messageId: 1, kind: "voice", duration: 3 });
      await store.add({ chatId: SREY, messageId: 2, kind: "photo" });
      await store.add({ chatId: SREY, messageId: 3, kind: "photo", referralId: 4 });
      await store.add({ chatId: DARA, messageId: 4, kind: "voice", duration: 8 });
      expect(await store.dropPending(SREY)).toBe(2);
      expect(await store.dropPending(SREY)).toBe(0);
      expect((await store.unrelayed(4)).map((m) => m.messageId)).toEqual([3]);
      await store.add({ chatId: SREY, messageId: 5, kind: "voice", duration: 6 });
      expect(await store.eraseChat(SREY)).toBe(2);
      expect(await store.eraseChat(SREY)).toBe(0);
      expect(await store.unrelayed(4)).toEqual([]);
      expect(await store.lastAt(SREY)).toBeUndefined();
      expect((await store.pending(DARA)).map((m) => m.messageId)).toEqual([4]);
    }),
  );

  it(
    "purge deletes media of cases closed more than the retention ago and media never answered for as long",
    withFixture(open, async ({ store, rows }, clock) => {
      await addCase(rows, 1, T0); // closed long ago
      await addCase(rows, 2, T0 + DAY); // closed exactly at the retention's edge
      await addCase(rows, 3, null); // still being handled
      await store.add({ chatId: SREY, messageId: 1, kind: "voice", duration: 3, referralId: 1 });
      await store.add({ chatId: SREY, messageId: 2, kind: "photo", referralId: 2 });
      await store.add({ chatId: SREY, messageId: 3, kind: "photo", referralId: 3 });
      await store.add({ chatId: DARA, messageId: 4, kind: "voice", duration: 8 }); // never answered
      clock.advance(DAY);
      await store.add({ chatId: DARA, messageId: 5, kind: "voice", duration: 2 }); // at the edge
      await store.add({ chatId: SREY, messageId: 6, kind: "document", referralId: 404 }); // a case that is gone
      clock.advance(30 * DAY);
      expect(await store.purge(30)).toBe(2);
      expect(await store.purge(30)).toBe(0);
      const left = await rows("select message_id from case_media order by id");
      expect(left.map((r) => num(r["message_id"]))).toEqual([2, 3, 5, 6]);
      clock.advance(1);
      expect(await store.purge(30)).toBe(2);
      expect(await store.purge(0)).toBe(0); // the open case's media stay, however old
      expect((await store.unrelayed(3)).map((m) => m.messageId)).toEqual([3]);
    }),
  );

  it(
    "inside a unit of work: a failing piece's media are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      await store.add({ chatId: SREY, messageId: 1, kind: "voice", duration: 3 });
      const outcomes = await settled([
        commits.run(() => store.add({ chatId: DARA, messageId: 2, kind: "photo" })),
        commits.run(async () => {
          await store.attach(SREY, 7);
          await store.add({ chatId: SREY, messageId: 3, kind: "photo" });
          throw new Error("turn failed");
        }),
        commits.run(() => store.pending(SREY)),
      ]);
      expect(outcomes).toEqual(["ok", "turn failed", "ok"]);
      expect((await store.pending(SREY)).map((m) => m.messageId)).toEqual([1]);
      expect((await store.pending(DARA)).map((m) => m.messageId)).toEqual([2]);
      expect(await store.unrelayed(7)).toEqual([]);
    }),
  );
}

/** The recording store of any bot, all on one database (a token change gives the same database another bot). */
export type RecordingStores = (botKey: string) => RecordingStore;

/** The bot in use, and the one whose token was used before. */
const BOT = "7123456789";
const OLD_BOT = "6543210987";
/** Telegram file ids of staff voice notes. */
const VOICE_A = "AwACAgUAAxkBAAIBQ2Z4c1vK9mPqR0aVn3xYk2LwJfT8AAJQEQAC5hPBV7x1Vd0kq3yNNQQ";
const VOICE_B = "AwACAgUAAxkBAAIBR2Z4c3Hn0qWm8Ztp4sYbV1cUeDk3AAJTEQAC5hPBV_2Lr6oYd1PwNQQ";
const VOICE_C = "AwACAgUAAxkBAAIBS2Z4dAa7yPq1xZ8mTnCkR4wVbHs9AAJVEQAC5hPBV0mX3kQ2n8uPNQQ";
/** Content hashes of two audio files shipped in the repository. */
const WELCOME_SHA = "5f3c9a1e8b7d4c2a6e0f1b9d8c7a6e5f4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a";
const EMERGENCY_SHA = "a0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddeeff";

/** A recording as /recording attaches it: Sokha's voice, today. */
function recording(
  target: RecordingTarget,
  fileId: string,
  more: Partial<Omit<StaffRecording, "id">> = {},
): Omit<StaffRecording, "id"> {
  return { target, fileId, duration: 47, speaker: "ស.ម", recordedOn: "2026-01-05", addedBy: SOKHA, ...more };
}

export function recordingStoreContract(open: StoreFactory<RecordingStores>): void {
  it(
    "attach and get: a new recording, then one replacing it under the same id with the new time; each bot its own",
    withFixture(open, async ({ store: storeOf, rows }, clock) => {
      const store = storeOf(BOT);
      expect(store.botKey).toBe(BOT);
      expect(await store.get("article:passport")).toBeUndefined();
      expect(await store.attach(recording("article:passport", VOICE_A))).toEqual({ replaced: false });
      const first = await store.get("article:passport");
      expect(first).toEqual({ id: expect.any(Number), ...recording("article:passport", VOICE_A) });
      clock.advance(DAY);
      const again = recording("article:passport", VOICE_B, {
        duration: 63,
        speaker: "ប.ផ",
        recordedOn: "2026-01-06",
        addedBy: BOPHA,
      });
      expect(await store.attach(again)).toEqual({ replaced: true });
      expect(await store.get("article:passport")).toEqual({ id: first!.id, ...again });
      const old = storeOf(OLD_BOT);
      expect(await old.get("article:passport")).toBeUndefined();
      expect(await old.attach(recording("article:passport", VOICE_C))).toEqual({ replaced: false });
      expect((await store.get("article:passport"))?.fileId).toBe(VOICE_B);
      expect(await store.get("screen:start")).toBeUndefined();
      const atRest = await rows("select target, bot_key, file_id, created_at from voice_recordings order by id");
      expect(atRest.map((r) => [r["target"], r["bot_key"], r["file_id"], num(r["created_at"])])).toEqual([
        ["article:passport", BOT, VOICE_B, T0 + DAY],
        ["article:passport", OLD_BOT, VOICE_C, T0 + DAY],
      ]);
    }),
  );

  it(
    "otherBots counts the recordings attached under other bots' tokens; remove deletes this bot's only",
    withFixture(open, async ({ store: storeOf }) => {
      const [store, old, older] = [storeOf(BOT), storeOf(OLD_BOT), storeOf("5000000001")];
      expect(await store.otherBots()).toBe(0);
      await store.attach(recording("screen:start", VOICE_A));
      expect(await store.otherBots()).toBe(0);
      await old.attach(recording("screen:start", VOICE_B));
      await old.attach(recording("screen:emergency", VOICE_C));
      await older.attach(recording("article:passport", VOICE_C));
      expect(await store.otherBots()).toBe(3);
      expect(await old.otherBots()).toBe(2);
      expect(await store.remove("screen:emergency")).toBe(false); // only the old bot has one
      expect(await store.remove("screen:start")).toBe(true);
      expect(await store.remove("screen:start")).toBe(false);
      expect(await store.get("screen:start")).toBeUndefined();
      expect((await old.get("screen:start"))?.fileId).toBe(VOICE_B);
      expect(await store.otherBots()).toBe(3);
      expect(await old.otherBots()).toBe(1);
    }),
  );

  it(
    "forgetFileId deletes this bot's recordings of a file Telegram refused, returning how many",
    withFixture(open, async ({ store: storeOf }) => {
      const [store, old] = [storeOf(BOT), storeOf(OLD_BOT)];
      await store.attach(recording("article:passport", VOICE_A));
      await store.attach(recording("article:work_permit", VOICE_A));
      await store.attach(recording("screen:start", VOICE_B));
      await old.attach(recording("article:passport", VOICE_A));
      expect(await store.forgetFileId(VOICE_A)).toBe(2);
      expect(await store.forgetFileId(VOICE_A)).toBe(0);
      expect(await store.get("article:passport")).toBeUndefined();
      expect(await store.get("article:work_permit")).toBeUndefined();
      expect((await store.get("screen:start"))?.fileId).toBe(VOICE_B);
      expect((await old.get("article:passport"))?.fileId).toBe(VOICE_A);
    }),
  );

  it(
    "keepDraft and drafts: a member's voice notes for this bot, newest first, with duration and time",
    withFixture(open, async ({ store: storeOf }, clock) => {
      const [store, old] = [storeOf(BOT), storeOf(OLD_BOT)];
      expect(await store.drafts(SOKHA)).toEqual([]);
      await store.keepDraft(SOKHA, VOICE_A, 31);
      clock.advance(MINUTE);
      await old.keepDraft(SOKHA, VOICE_C, 5);
      await store.keepDraft(BOPHA, VOICE_C, 12);
      await store.keepDraft(SOKHA, VOICE_B, 58);
      const drafts = await store.drafts(SOKHA);
      expect(drafts).toEqual([
        { id: expect.any(Number), staffId: SOKHA, fileId: VOICE_B, duration: 58, createdAt: T0 + MINUTE },
        { id: expect.any(Number), staffId: SOKHA, fileId: VOICE_A, duration: 31, createdAt: T0 },
      ]);
      expect(drafts[0]!.id).toBeGreaterThan(drafts[1]!.id);
      expect((await old.drafts(SOKHA)).map((d) => d.fileId)).toEqual([VOICE_C]);
      expect((await store.drafts(BOPHA)).map((d) => [d.staffId, d.fileId])).toEqual([[BOPHA, VOICE_C]]);
    }),
  );

  it(
    "keepDraft keeps a member's ten latest for this bot: older ones go, those kept under another bot too",
    withFixture(open, async ({ store: storeOf }) => {
      const [store, old] = [storeOf(BOT), storeOf(OLD_BOT)];
      const fileIds = async () => (await store.drafts(SOKHA)).map((d) => d.fileId);
      /** note-<to> down to note-<from>: newest first. */
      const notes = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `note-${to - i}`);
      await old.keepDraft(SOKHA, "before the token changed", 9);
      await store.keepDraft(BOPHA, "Bopha's", 9);
      for (let n = 1; n <= 9; n++) await store.keepDraft(SOKHA, `note-${n}`, n);
      expect(await fileIds()).toEqual(notes(1, 9));
      expect((await old.drafts(SOKHA)).length).toBe(1);
      await store.keepDraft(SOKHA, "note-10", 10);
      expect(await fileIds()).toEqual(notes(1, 10));
      // As over SQLite: the drafts older than the member's tenth latest here go, whichever bot they were sent to.
      expect(await old.drafts(SOKHA)).toEqual([]);
      await store.keepDraft(SOKHA, "note-11", 11);
      expect(await fileIds()).toEqual(notes(2, 11));
      await store.keepDraft(SOKHA, "note-12", 12);
      expect(await fileIds()).toEqual(notes(3, 12));
      expect((await store.drafts(BOPHA)).map((d) => d.fileId)).toEqual(["Bopha's"]);
    }),
  );

  it(
    "dropDraft forgets a member's draft by file id, under any bot; other members' are kept",
    withFixture(open, async ({ store: storeOf }) => {
      const [store, old] = [storeOf(BOT), storeOf(OLD_BOT)];
      await store.keepDraft(SOKHA, VOICE_A, 10);
      await store.keepDraft(SOKHA, VOICE_B, 20);
      await old.keepDraft(SOKHA, VOICE_A, 10);
      await store.keepDraft(BOPHA, VOICE_A, 10);
      await store.dropDraft(SOKHA, VOICE_A);
      await store.dropDraft(SOKHA, VOICE_C);
      expect((await store.drafts(SOKHA)).map((d) => d.fileId)).toEqual([VOICE_B]);
      expect(await old.drafts(SOKHA)).toEqual([]);
      expect((await store.drafts(BOPHA)).map((d) => d.fileId)).toEqual([VOICE_A]);
    }),
  );

  it(
    "purgeDrafts forgets the drafts older than the retention, of every bot and member, returning how many",
    withFixture(open, async ({ store: storeOf }, clock) => {
      const [store, old] = [storeOf(BOT), storeOf(OLD_BOT)];
      await store.keepDraft(SOKHA, VOICE_A, 10);
      await old.keepDraft(BOPHA, VOICE_B, 10);
      clock.advance(DAY);
      await store.keepDraft(SOKHA, VOICE_C, 10); // exactly at the retention's edge below: kept
      clock.advance(30 * DAY);
      expect(await store.purgeDrafts(30)).toBe(2);
      expect(await store.purgeDrafts(30)).toBe(0);
      expect((await store.drafts(SOKHA)).map((d) => d.fileId)).toEqual([VOICE_C]);
      expect(await old.drafts(BOPHA)).toEqual([]);
      clock.advance(1);
      expect(await store.purgeDrafts(30)).toBe(1);
    }),
  );

  it(
    "rememberUpload and uploaded: a shipped file's id by content hash and bot; a new upload replaces it",
    withFixture(open, async ({ store: storeOf, rows }, clock) => {
      const [store, old] = [storeOf(BOT), storeOf(OLD_BOT)];
      expect(await store.uploaded(WELCOME_SHA)).toBeUndefined();
      await store.rememberUpload(WELCOME_SHA, VOICE_A);
      await old.rememberUpload(WELCOME_SHA, VOICE_C);
      expect(await store.uploaded(WELCOME_SHA)).toBe(VOICE_A);
      expect(await store.uploaded(EMERGENCY_SHA)).toBeUndefined();
      clock.advance(HOUR);
      await store.rememberUpload(WELCOME_SHA, VOICE_B);
      expect(await store.uploaded(WELCOME_SHA)).toBe(VOICE_B);
      expect(await old.uploaded(WELCOME_SHA)).toBe(VOICE_C);
      const atRest = await rows("select bot_key, file_id, uploaded_at from shipped_voice_uploads order by bot_key");
      expect(atRest.map((r) => [r["bot_key"], r["file_id"], num(r["uploaded_at"])])).toEqual([
        [OLD_BOT, VOICE_C, T0],
        [BOT, VOICE_B, T0 + HOUR],
      ]);
    }),
  );

  it(
    "forgetUpload forgets this bot's cached uploads of a refused file id, so the next press uploads again",
    withFixture(open, async ({ store: storeOf }) => {
      const [store, old] = [storeOf(BOT), storeOf(OLD_BOT)];
      await store.rememberUpload(WELCOME_SHA, VOICE_A);
      await store.rememberUpload(EMERGENCY_SHA, VOICE_B);
      await old.rememberUpload(WELCOME_SHA, VOICE_A);
      await store.forgetUpload(VOICE_A);
      await store.forgetUpload(VOICE_C);
      expect(await store.uploaded(WELCOME_SHA)).toBeUndefined();
      expect(await store.uploaded(EMERGENCY_SHA)).toBe(VOICE_B);
      expect(await old.uploaded(WELCOME_SHA)).toBe(VOICE_A);
    }),
  );

  it(
    "inside a unit of work: a failing piece's recording, draft and upload are rolled back, the others kept",
    withFixture(open, async ({ store: storeOf, commits }) => {
      const store = storeOf(BOT);
      const outcomes = await settled([
        commits.run(() => store.attach(recording("screen:start", VOICE_A))),
        commits.run(async () => {
          await store.attach(recording("screen:emergency", VOICE_B));
          await store.keepDraft(SOKHA, VOICE_B, 4);
          await store.rememberUpload(WELCOME_SHA, VOICE_C);
          throw new Error("turn failed");
        }),
        commits.run(async () => (await store.get("screen:start"))?.fileId),
      ]);
      expect(outcomes).toEqual(["ok", "turn failed", "ok"]);
      expect((await store.get("screen:start"))?.fileId).toBe(VOICE_A);
      expect(await store.get("screen:emergency")).toBeUndefined();
      expect(await store.drafts(SOKHA)).toEqual([]);
      expect(await store.uploaded(WELCOME_SHA)).toBeUndefined();
    }),
  );
}

/** The key of the needs survey's chat hashes in the contract's stores (the service derives it from ENCRYPTION_KEY). */
export const NEEDS_SECRET = Buffer.from("4e2b7c9d1a3f5e8b0c6d2a4f7e9b1c3d5a7f9e2b4c6d8a0f1e3b5c7d9a2f4e6b", "hex");

/** What marks a chat as having answered, worked out here: HMAC-SHA256 of "needs:<chat id>", hex. */
const needsMarkOf = (chatId: number) => createHmac("sha256", NEEDS_SECRET).update(`needs:${chatId}`).digest("hex");

/** A resident's answer from Sangkat Samraong: water, drainage and jobs, and yes to a meeting. */
function answer(date: string, more: Partial<NeedsAnswer> = {}): NeedsAnswer {
  return {
    date,
    khan: "prek_pnov",
    sangkat: "prek_pnov_samraong",
    needs: ["water", "drainage", "jobs_training"],
    meeting: "yes",
    ...more,
  };
}

export function needsStoreContract(open: StoreFactory<NeedsStore>): void {
  it(
    "save: once a quarter per chat (a second answer is refused and not kept); hasAnswered by chat and quarter",
    withFixture(open, async ({ store, rows }) => {
      expect(await store.hasAnswered(SREY, "2026-Q1")).toBe(false);
      expect(await store.save(SREY, "2026-Q1", answer("2026-01-05"))).toBe(true);
      expect(await store.hasAnswered(SREY, "2026-Q1")).toBe(true);
      expect(await store.hasAnswered(SREY, "2026-Q2")).toBe(false);
      expect(await store.hasAnswered(DARA, "2026-Q1")).toBe(false);
      const refused = answer("2026-02-10", { needs: ["safety"], meeting: "no" });
      expect(await store.save(SREY, "2026-Q1", refused)).toBe(false);
      const dara = answer("2026-03-31", {
        khan: "chbar_ampov",
        sangkat: undefined,
        needs: ["waste"],
        meeting: "maybe",
      });
      expect(await store.save(DARA, "2026-Q1", dara)).toBe(true);
      expect(await store.save(SREY, "2026-Q2", answer("2026-04-01", { needs: ["health_post", "safety"] }))).toBe(true);
      expect(await store.between("2026-01-01", "2026-07-01")).toEqual([
        answer("2026-01-05"),
        dara,
        answer("2026-04-01", { needs: ["health_post", "safety"] }),
      ]);
      const counts = await rows(
        "select (select count(*) from needs_answered) as marks, (select count(*) from needs_responses) as answers",
      );
      expect(counts.map((c) => [num(c["marks"]), num(c["answers"])])).toEqual([[3, 3]]);
    }),
  );

  it(
    "keeps the chat only as a keyed hash of its id, apart from the answer, which has a random id",
    withFixture(open, async ({ store, rows }) => {
      await store.save(SREY, "2026-Q1", answer("2026-01-05"));
      await store.save(DARA, "2026-Q1", answer("2026-01-05"));
      await store.save(GROUP_CHAT, "2026-Q1", answer("2026-01-06"));
      const marks = await rows("select chat_hash, quarter from needs_answered order by chat_hash");
      expect(marks).toEqual(
        [SREY, DARA, GROUP_CHAT]
          .map((chat) => ({ chat_hash: needsMarkOf(chat), quarter: "2026-Q1" }))
          .sort((a, b) => (a.chat_hash < b.chat_hash ? -1 : 1)),
      );
      const answers = await rows("select * from needs_responses order by date, id");
      expect(Object.keys(answers[0] ?? {}).sort()).toEqual([
        "date",
        "id",
        "khan",
        "meeting",
        "need1",
        "need2",
        "need3",
        "sangkat",
      ]);
      expect(answers[0]).toMatchObject({
        date: "2026-01-05",
        khan: "prek_pnov",
        sangkat: "prek_pnov_samraong",
        need1: "water",
        need2: "drainage",
        need3: "jobs_training",
        meeting: "yes",
      });
      const ids = answers.map((a) => num(a["id"])!);
      for (const id of ids) expect(id >= 1 && id < 2 ** 47).toBe(true);
      expect(ids).not.toEqual([1, 2, 3]);
      expect(JSON.stringify([marks, answers])).not.toContain(String(SREY));

      // A mark made with the same key elsewhere (the other database's store) is honoured.
      await rows(`insert into needs_answered (chat_hash, quarter) values ('${needsMarkOf(VANNA)}', '2026-Q1')`);
      expect(await store.hasAnswered(VANNA, "2026-Q1")).toBe(true);
      expect(await store.save(VANNA, "2026-Q1", answer("2026-01-07"))).toBe(false);
    }),
  );

  it(
    "between: the answers dated in [from, to), by date and then id, each need in its place, no sangkat undefined",
    withFixture(open, async ({ store, rows }) => {
      const insert = (id: number, date: string, sangkat: string | null, needs: string[], meeting: string) =>
        rows(
          "insert into needs_responses (id, date, khan, sangkat, need1, need2, need3, meeting) values " +
            `(${id}, '${date}', 'russey_keo', ${sangkat === null ? "null" : `'${sangkat}'`}, ` +
            `${[0, 1, 2].map((i) => (needs[i] ? `'${needs[i]}'` : "null")).join(", ")}, '${meeting}')`,
        );
      await insert(90_000_000_000, "2026-03-31", "russey_keo_svay_pak", ["roads_lighting"], "maybe");
      await insert(7, "2026-03-31", null, ["health_post", "school_childcare"], "no");
      await insert(500, "2026-01-01", "russey_keo_kilomaetr_6", ["water", "waste", "safety"], "yes");
      await insert(3, "2025-12-31", null, ["water"], "yes"); // before the quarter
      await insert(4, "2026-04-01", null, ["water"], "yes"); // the day after it
      const svayPak = "russey_keo_svay_pak";
      expect(await store.between("2026-01-01", "2026-04-01")).toEqual([
        {
          date: "2026-01-01",
          khan: "russey_keo",
          sangkat: "russey_keo_kilomaetr_6",
          needs: ["water", "waste", "safety"],
          meeting: "yes",
        },
        {
          date: "2026-03-31",
          khan: "russey_keo",
          sangkat: undefined,
          needs: ["health_post", "school_childcare"],
          meeting: "no",
        },
        { date: "2026-03-31", khan: "russey_keo", sangkat: svayPak, needs: ["roads_lighting"], meeting: "maybe" },
      ]);
      expect((await store.between("2026-03-31", "2026-04-01")).map((a) => a.meeting)).toEqual(["no", "maybe"]);
      expect(await store.between("2026-04-02", "2026-07-01")).toEqual([]);
    }),
  );

  it(
    "forget: the chat's marks go, returning how many, so it may answer again; answers and other chats' marks stay",
    withFixture(open, async ({ store }) => {
      await store.save(SREY, "2025-Q4", answer("2025-12-20"));
      await store.save(SREY, "2026-Q1", answer("2026-01-05"));
      await store.save(DARA, "2026-Q1", answer("2026-01-05"));
      expect(await store.forget(SREY)).toBe(2);
      expect(await store.forget(SREY)).toBe(0);
      expect(await store.hasAnswered(SREY, "2026-Q1")).toBe(false);
      expect(await store.hasAnswered(DARA, "2026-Q1")).toBe(true);
      expect((await store.between("2025-10-01", "2026-04-01")).length).toBe(3);
      expect(await store.save(SREY, "2026-Q1", answer("2026-01-06"))).toBe(true);
    }),
  );

  it(
    "purgeMarks erases the marks of every quarter but the current one, returning how many; answers stay",
    withFixture(open, async ({ store }) => {
      await store.save(SREY, "2025-Q3", answer("2025-09-30"));
      await store.save(SREY, "2025-Q4", answer("2025-12-20"));
      await store.save(DARA, "2025-Q4", answer("2025-10-01"));
      await store.save(SREY, "2026-Q1", answer("2026-01-05"));
      await store.save(GROUP_CHAT, "2026-Q1", answer("2026-02-14"));
      await store.save(VANNA, "2026-Q2", answer("2026-04-01")); // ahead of the current quarter: not it either
      expect(await store.purgeMarks("2026-Q1")).toBe(4);
      expect(await store.purgeMarks("2026-Q1")).toBe(0);
      expect(await store.hasAnswered(SREY, "2025-Q4")).toBe(false);
      expect(await store.hasAnswered(SREY, "2026-Q1")).toBe(true);
      expect(await store.hasAnswered(GROUP_CHAT, "2026-Q1")).toBe(true);
      expect(await store.hasAnswered(VANNA, "2026-Q2")).toBe(false);
      expect((await store.between("2025-07-01", "2026-07-01")).length).toBe(6);
    }),
  );

  it(
    "inside a unit of work: a failing piece's mark and answer are rolled back; a second save in the batch is refused",
    withFixture(open, async ({ store, commits }) => {
      const first = commits.run(() => store.save(SREY, "2026-Q1", answer("2026-01-05")));
      const failing = commits.run(async () => {
        await store.save(DARA, "2026-Q1", answer("2026-01-05"));
        throw new Error("turn failed");
      });
      const again = commits.run(() => store.save(SREY, "2026-Q1", answer("2026-01-06")));
      expect(await settled([first, failing, again])).toEqual(["ok", "turn failed", "ok"]);
      expect([await first, await again]).toEqual([true, false]);
      expect(await store.hasAnswered(DARA, "2026-Q1")).toBe(false);
      expect(await store.between("2026-01-01", "2026-04-01")).toEqual([answer("2026-01-05")]);
    }),
  );
}

/** Every participant count, 0 where none is given. */
function participants(counts: Partial<Record<ParticipantKey, number>>): Record<ParticipantKey, number> {
  return Object.fromEntries(PARTICIPANT_KEYS.map((key) => [key, counts[key] ?? 0])) as Record<ParticipantKey, number>;
}

/** A children's protection session in a pagoda hall in Svay Pak, as a caseworker enters it. */
function activity(date: string, more: Partial<ActivityInput> = {}): ActivityInput {
  return {
    date,
    khan: "russey_keo",
    sangkat: "russey_keo_svay_pak",
    kind: "child_protection",
    organisation: "អង្គការ មិត្តសម្លាញ់",
    place: "សាលាឆាន់ វត្តស្វាយប៉ាក",
    participants: participants({ female_0_11: 6, male_0_11: 4, female_12_17: 3, male_12_17: 2, female_25_up: 5 }),
    firstTime: 7,
    ...more,
  };
}

export function activityStoreContract(open: StoreFactory<ActivityStore>): void {
  it(
    "record and get: the record as entered, with who recorded it and when; counts kept as JSON",
    withFixture(open, async ({ store, rows }, clock) => {
      expect(await store.get(1)).toBeUndefined();
      const id = await store.record(activity("2026-01-03"), SOKHA);
      expect(await store.get(id)).toEqual({ id, ...activity("2026-01-03"), recordedBy: SOKHA, createdAt: T0 });
      clock.advance(HOUR);
      const meeting = activity("2026-01-04", {
        khan: "chbar_ampov",
        sangkat: undefined,
        kind: "community_meeting",
        organisation: "Khan Chbar Ampov office",
        place: "Sangkat hall",
        participants: participants({ female_18_24: 12, female_25_up: 40, male_25_up: 35 }),
        firstTime: 20,
      });
      const second = await store.record(meeting, BOPHA);
      expect(second).toBeGreaterThan(id);
      expect(await store.get(second)).toEqual({ id: second, ...meeting, recordedBy: BOPHA, createdAt: T0 + HOUR });
      expect(await store.get(second + 1)).toBeUndefined();
      const [row] = await rows(
        `select sangkat, participants, first_time, withdrawn_at from group_activities where id = ${second}`,
      );
      expect([row?.["sangkat"], num(row?.["first_time"]), row?.["withdrawn_at"]]).toEqual([null, 20, null]);
      expect(JSON.parse(String(row?.["participants"]))).toEqual(meeting.participants);
    }),
  );

  it(
    "withdraw: once (then false, and false for no such record); a withdrawn record is in no list any more",
    withFixture(open, async ({ store, rows }, clock) => {
      const mistake = await store.record(activity("2026-01-02"), SOKHA);
      const kept = await store.record(activity("2026-01-03"), SOKHA);
      clock.advance(HOUR);
      expect(await store.withdraw(mistake)).toBe(true);
      clock.advance(HOUR);
      expect(await store.withdraw(mistake)).toBe(false);
      expect(await store.withdraw(kept + 1_000)).toBe(false);
      expect(await store.get(mistake)).toBeUndefined();
      expect((await store.get(kept))?.id).toBe(kept);
      expect((await store.between("2026-01-01", "2026-02-01")).map((r) => r.id)).toEqual([kept]);
      expect((await store.latest()).map((r) => r.id)).toEqual([kept]);
      const atRest = await rows("select id, withdrawn_at from group_activities order by id");
      expect(atRest.map((r) => [num(r["id"]), num(r["withdrawn_at"])])).toEqual([
        [mistake, T0 + HOUR],
        [kept, null],
      ]);
    }),
  );

  it(
    "between: the records dated in [from, to), by date and then in the order entered",
    withFixture(open, async ({ store }) => {
      const mid = await store.record(activity("2026-01-15"), SOKHA);
      await store.record(activity("2025-12-31"), SOKHA);
      const first = await store.record(activity("2026-01-01", { kind: "health" }), BOPHA);
      const midLater = await store.record(activity("2026-01-15", { kind: "migration_law" }), VANNA);
      await store.record(activity("2026-02-01"), SOKHA);
      const last = await store.record(activity("2026-01-31", { kind: "childcare" }), SOKHA);
      const january = await store.between("2026-01-01", "2026-02-01");
      expect(january.map((r) => r.id)).toEqual([first, mid, midLater, last]);
      expect(january[0]).toEqual({
        id: first,
        ...activity("2026-01-01", { kind: "health" }),
        recordedBy: BOPHA,
        createdAt: T0,
      });
      expect(await store.between("2026-03-01", "2026-04-01")).toEqual([]);
    }),
  );

  it(
    "latest: the newest dates first, the last entered first within a day; 50 unless told",
    withFixture(open, async ({ store }) => {
      const a = await store.record(activity("2026-01-10"), SOKHA);
      const b = await store.record(activity("2026-01-12"), SOKHA);
      const c = await store.record(activity("2026-01-10"), SOKHA);
      const d = await store.record(activity("2026-01-11"), SOKHA);
      expect((await store.latest()).map((r) => r.id)).toEqual([b, d, c, a]);
      expect((await store.latest(2)).map((r) => r.id)).toEqual([b, d]);
      expect((await store.latest(1))[0]).toEqual({
        id: b,
        ...activity("2026-01-12"),
        recordedBy: SOKHA,
        createdAt: T0,
      });
      for (let n = 0; n < 50; n++) await store.record(activity("2025-06-01"), BOPHA);
      const latest = await store.latest();
      expect(latest.length).toBe(50);
      expect(latest.slice(0, 4).map((r) => r.id)).toEqual([b, d, c, a]);
      expect((await store.latest(100)).length).toBe(54);
    }),
  );

  it(
    "inside a unit of work: a failing piece's record and withdrawal are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      const standing = await store.record(activity("2026-01-02"), SOKHA);
      const kept = commits.run(() => store.record(activity("2026-01-03"), BOPHA));
      const failing = commits.run(async () => {
        await store.withdraw(standing);
        await store.record(activity("2026-01-04"), VANNA);
        throw new Error("turn failed");
      });
      expect(await settled([kept, failing])).toEqual(["ok", "turn failed"]);
      expect((await store.latest()).map((r) => [r.id, r.recordedBy])).toEqual([
        [await kept, BOPHA],
        [standing, SOKHA],
      ]);
    }),
  );
}

/** A resident's chat (a private chat's id is the user's, beyond 32 bits) and another resident's. */
const RESIDENT = 8_234_567_890;
const NEIGHBOUR = 6_345_678_901;
/** Where /forget moves a chat's rows. */
const ANONYMOUS = -1;

/** "How do I get an ID Poor card?", typed without spaces, as residents do. */
const ID_POOR = "តើខ្ញុំធ្វើប័ណ្ណក្រីក្រដោយរបៀបណា";
/** "My landlord wants to evict me tomorrow", with a zero-width space inside and Khmer digits. */
const EVICTION = "ម្ចាស់ផ្ទះចង់\u200bដេញខ្ញុំចេញថ្ងៃស្អែក ម៉ោង៩";
/** Romanised Khmer with English mixed in: "how do I get the NSSF card". */
const ROMANISED = "knhom chong ban kat NSSF yang mec";

function asked(chatId: number, text: string, more: Partial<QuestionRecord> = {}): QuestionRecord {
  return { chatId, text, locale: "km", answeredWith: "idpoor-card", score: 0.8766, ...more };
}

export function knowledgeStoreContract(open: StoreFactory<KnowledgeStore>): void {
  it(
    "recordQuestion: returns ascending ids; the text is encrypted at rest, the score kept in thousandths",
    withFixture(open, async ({ store, rows }, clock) => {
      const first = await store.recordQuestion(asked(RESIDENT, ID_POOR));
      clock.advance(MINUTE);
      const second = await store.recordQuestion(
        asked(NEIGHBOUR, ROMANISED, { locale: "en", answeredWith: undefined, score: 0.31249 }),
      );
      expect(second).toBeGreaterThan(first);
      const atRest = await rows(
        "select id, chat_id, text_enc, locale, answered_with, score_milli, vote, created_at from questions order by id",
      );
      expect(atRest.map((r) => [num(r["id"]), num(r["chat_id"]), r["locale"], r["answered_with"]])).toEqual([
        [first, RESIDENT, "km", "idpoor-card"],
        [second, NEIGHBOUR, "en", null],
      ]);
      expect(atRest.map((r) => [num(r["score_milli"]), r["vote"], num(r["created_at"])])).toEqual([
        [877, null, T0],
        [312, null, T0 + MINUTE],
      ]);
      for (const r of atRest) {
        expect(String(r["text_enc"])).not.toContain("ក្រីក្រ");
        expect(String(r["text_enc"])).not.toContain("NSSF");
      }
      expect((await store.needingContent(1, 10)).map((r) => [r.id, r.text])).toEqual([[second, ROMANISED]]);
    }),
  );

  it(
    "recordFeedback: always records the vote; the question takes it only when it is this chat's own",
    withFixture(open, async ({ store, rows }, clock) => {
      const mine = await store.recordQuestion(asked(RESIDENT, ID_POOR));
      const theirs = await store.recordQuestion(asked(NEIGHBOUR, EVICTION, { answeredWith: "eviction-rights" }));
      clock.advance(MINUTE);
      await store.recordFeedback(RESIDENT, "idpoor-card", "down", mine);
      await store.recordFeedback(RESIDENT, "eviction-rights", "up", theirs);
      await store.recordFeedback(NEIGHBOUR, "nssf-card", "up", undefined);
      clock.advance(MINUTE);
      await store.recordFeedback(RESIDENT, "idpoor-card", "up", mine);
      const feedback = await rows(
        "select chat_id, article_id, vote, question_id, created_at from article_feedback order by id",
      );
      expect(feedback.map((r) => [num(r["chat_id"]), r["article_id"], r["vote"], num(r["question_id"])])).toEqual([
        [RESIDENT, "idpoor-card", "down", mine],
        [RESIDENT, "eviction-rights", "up", theirs],
        [NEIGHBOUR, "nssf-card", "up", null],
        [RESIDENT, "idpoor-card", "up", mine],
      ]);
      expect(feedback.map((r) => num(r["created_at"]))).toEqual([
        T0 + MINUTE,
        T0 + MINUTE,
        T0 + MINUTE,
        T0 + 2 * MINUTE,
      ]);
      const votes = await rows("select id, vote from questions order by id");
      expect(votes.map((r) => [num(r["id"]), r["vote"]])).toEqual([
        [mine, "up"],
        [theirs, null],
      ]);
      expect(await store.summary(1)).toEqual({ asked: 2, unanswered: 0, up: 3, down: 1 });
    }),
  );

  it(
    "needingContent: unanswered or 👎-rated questions of the last days, newest first (last recorded first), limited",
    withFixture(open, async ({ store }, clock) => {
      const old = await store.recordQuestion(asked(RESIDENT, "ប្រាក់ខែអប្បបរមា", { answeredWith: undefined }));
      clock.advance(3 * DAY);
      const answered = await store.recordQuestion(asked(RESIDENT, ID_POOR));
      const unanswered = await store.recordQuestion(asked(NEIGHBOUR, EVICTION, { answeredWith: undefined }));
      const sameTime = await store.recordQuestion(asked(RESIDENT, ROMANISED, { answeredWith: undefined }));
      clock.advance(HOUR);
      const disliked = await store.recordQuestion(asked(NEIGHBOUR, "wifi ខូច owner មិនជួសជុល"));
      const liked = await store.recordQuestion(asked(RESIDENT, "កូនខ្ញុំឈឺ hospital ណាជិតបំផុត"));
      await store.recordFeedback(NEIGHBOUR, "idpoor-card", "down", disliked);
      await store.recordFeedback(RESIDENT, "idpoor-card", "up", liked);
      clock.advance(HOUR);
      const week = await store.needingContent(7, 10);
      expect(week.map((r) => r.id)).toEqual([disliked, sameTime, unanswered, old]);
      expect(week[0]).toEqual({
        id: disliked,
        text: "wifi ខូច owner មិនជួសជុល",
        answeredWith: "idpoor-card",
        vote: "down",
        createdAt: T0 + 3 * DAY + HOUR,
      });
      expect(week[2]).toEqual({
        id: unanswered,
        text: EVICTION,
        answeredWith: null,
        vote: null,
        createdAt: T0 + 3 * DAY,
      });
      expect((await store.needingContent(1, 10)).map((r) => r.id)).toEqual([disliked, sameTime, unanswered]);
      expect((await store.needingContent(7, 2)).map((r) => r.id)).toEqual([disliked, sameTime]);
      expect(answered).toBeLessThan(unanswered);
      await store.forgetChat(NEIGHBOUR, ANONYMOUS);
      expect((await store.needingContent(7, 2)).map((r) => [r.id, r.text])).toEqual([
        [disliked, null],
        [sameTime, ROMANISED],
      ]);
    }),
  );

  it(
    "summary: questions asked, unanswered and votes in the last days, as numbers, 0 when there are none",
    withFixture(open, async ({ store }, clock) => {
      expect(await store.summary(7)).toEqual({ asked: 0, unanswered: 0, up: 0, down: 0 });
      const old = await store.recordQuestion(asked(RESIDENT, ID_POOR, { answeredWith: undefined }));
      await store.recordFeedback(RESIDENT, "idpoor-card", "down", old);
      clock.advance(10 * DAY);
      await store.recordQuestion(asked(RESIDENT, ID_POOR));
      await store.recordQuestion(asked(NEIGHBOUR, EVICTION, { answeredWith: undefined }));
      await store.recordQuestion(asked(NEIGHBOUR, ROMANISED, { answeredWith: undefined, locale: "en" }));
      await store.recordFeedback(NEIGHBOUR, "eviction-rights", "up", undefined);
      await store.recordFeedback(RESIDENT, "idpoor-card", "up", undefined);
      const week = await store.summary(7);
      expect(week).toEqual({ asked: 3, unanswered: 2, up: 2, down: 0 });
      for (const n of Object.values(week)) expect(typeof n).toBe("number");
      expect(await store.summary(30)).toEqual({ asked: 4, unanswered: 3, up: 2, down: 1 });
      clock.advance(8 * DAY);
      expect(await store.summary(7)).toEqual({ asked: 0, unanswered: 0, up: 0, down: 0 });
    }),
  );

  it(
    "isResidentQuestion: a resident's words however they were spaced or spelt, never once the text is erased",
    withFixture(open, async ({ store }, clock) => {
      expect(await store.isResidentQuestion(ID_POOR, normalizeText)).toBe(false);
      await store.recordQuestion(asked(RESIDENT, EVICTION));
      await store.recordQuestion(asked(NEIGHBOUR, ROMANISED, { answeredWith: undefined }));
      expect(await store.isResidentQuestion("ម្ចាស់ផ្ទះចង់ដេញខ្ញុំចេញថ្ងៃស្អែក ម៉ោង 9", normalizeText)).toBe(true);
      expect(await store.isResidentQuestion("Knhom chong ban kat nssf yang mec", normalizeText)).toBe(true);
      expect(await store.isResidentQuestion("knhom chong ban kat nssf", normalizeText)).toBe(false);
      expect(await store.isResidentQuestion(ID_POOR, normalizeText)).toBe(false);
      expect(await store.isResidentQuestion(EVICTION, (t) => t)).toBe(true);
      clock.advance(40 * DAY);
      await store.recordQuestion(asked(RESIDENT, ID_POOR));
      expect(await store.purge(30)).toBe(2);
      expect(await store.isResidentQuestion(EVICTION, normalizeText)).toBe(false);
      expect(await store.isResidentQuestion(ROMANISED, normalizeText)).toBe(false);
      expect(await store.isResidentQuestion(ID_POOR, normalizeText)).toBe(true);
      await store.forgetChat(RESIDENT, ANONYMOUS);
      expect(await store.isResidentQuestion(ID_POOR, normalizeText)).toBe(false);
    }),
  );

  it(
    "countFor and forgetChat: a chat's questions and votes move to the anonymous id, their text erased",
    withFixture(open, async ({ store, rows }) => {
      expect(await store.countFor(RESIDENT)).toBe(0);
      const first = await store.recordQuestion(asked(RESIDENT, ID_POOR));
      await store.recordQuestion(asked(RESIDENT, EVICTION, { answeredWith: undefined }));
      const kept = await store.recordQuestion(asked(NEIGHBOUR, ROMANISED));
      await store.recordFeedback(RESIDENT, "idpoor-card", "down", first);
      await store.recordFeedback(NEIGHBOUR, "nssf-card", "up", kept);
      expect([await store.countFor(RESIDENT), await store.countFor(NEIGHBOUR)]).toEqual([2, 1]);
      expect(typeof (await store.countFor(RESIDENT))).toBe("number");
      await store.forgetChat(RESIDENT, ANONYMOUS);
      expect([
        await store.countFor(RESIDENT),
        await store.countFor(ANONYMOUS),
        await store.countFor(NEIGHBOUR),
      ]).toEqual([0, 2, 1]);
      const questionRows = await rows("select chat_id, text_enc, vote from questions order by id");
      expect(questionRows.map((r) => [num(r["chat_id"]), r["text_enc"] === null, r["vote"]])).toEqual([
        [ANONYMOUS, true, "down"],
        [ANONYMOUS, true, null],
        [NEIGHBOUR, false, "up"],
      ]);
      const feedback = await rows("select chat_id, article_id from article_feedback order by id");
      expect(feedback.map((r) => [num(r["chat_id"]), r["article_id"]])).toEqual([
        [ANONYMOUS, "idpoor-card"],
        [NEIGHBOUR, "nssf-card"],
      ]);
      expect(await store.summary(1)).toEqual({ asked: 3, unanswered: 1, up: 1, down: 1 });
      await store.forgetChat(RESIDENT, ANONYMOUS);
      expect(await store.countFor(ANONYMOUS)).toBe(2);
    }),
  );

  it(
    "purge: erases the text of questions older than the retention period, returns how many; the rows stay counted",
    withFixture(open, async ({ store, rows }, clock) => {
      expect(await store.purge(30)).toBe(0);
      await store.recordQuestion(asked(RESIDENT, ID_POOR));
      await store.recordQuestion(asked(NEIGHBOUR, EVICTION, { answeredWith: undefined }));
      clock.advance(20 * DAY);
      const recent = await store.recordQuestion(asked(RESIDENT, ROMANISED, { answeredWith: undefined }));
      clock.advance(10 * DAY);
      expect(await store.purge(30)).toBe(0); // exactly 30 days old is not older than 30 days
      clock.advance(1);
      expect(await store.purge(30)).toBe(2);
      expect(await store.purge(30)).toBe(0);
      const atRest = await rows("select id, text_enc from questions order by id");
      expect(atRest.map((r) => r["text_enc"] === null)).toEqual([true, true, false]);
      expect(await store.summary(31)).toEqual({ asked: 3, unanswered: 2, up: 0, down: 0 });
      expect((await store.needingContent(31, 10)).map((r) => [r.id, r.text])).toEqual([
        [recent, ROMANISED],
        [recent - 1, null],
      ]);
    }),
  );

  it(
    "inside a unit of work: a failing piece's question and vote are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      const standing = await store.recordQuestion(asked(RESIDENT, ID_POOR));
      const kept = commits.run(() => store.recordQuestion(asked(NEIGHBOUR, EVICTION, { answeredWith: undefined })));
      const failing = commits.run(async () => {
        await store.recordFeedback(RESIDENT, "idpoor-card", "down", standing);
        await store.recordQuestion(asked(RESIDENT, ROMANISED, { answeredWith: undefined }));
        await store.forgetChat(RESIDENT, ANONYMOUS);
        throw new Error("turn failed");
      });
      expect(await settled([kept, failing])).toEqual(["ok", "turn failed"]);
      expect(await store.summary(1)).toEqual({ asked: 2, unanswered: 1, up: 0, down: 0 });
      expect(await store.countFor(RESIDENT)).toBe(1);
      expect((await store.needingContent(1, 10)).map((r) => [r.id, r.text])).toEqual([[await kept, EVICTION]]);
    }),
  );
}

/** A reviewer of the knowledge team (staff ids are Telegram user ids). */
const REVIEWER = 5_234_000_111;

export function wordingsStoreContract(open: StoreFactory<WordingsStore>): void {
  it(
    "propose and get: a pending wording in the staff member's own words, nobody's review yet",
    withFixture(open, async ({ store, rows }, clock) => {
      expect(await store.get(1)).toBeUndefined();
      const khmer = await store.propose("idpoor-card", "ធ្វើប័ណ្ណក្រីក្រនៅឃុំ", SOKHA);
      clock.advance(MINUTE);
      const mixed = await store.propose("nssf-card", "kat NSSF បាត់ ធ្វើថ្មី", BOPHA);
      expect(mixed).toBeGreaterThan(khmer);
      expect(await store.get(khmer)).toEqual({
        id: khmer,
        articleId: "idpoor-card",
        wording: "ធ្វើប័ណ្ណក្រីក្រនៅឃុំ",
        status: "pending",
        proposedBy: SOKHA,
        reviewedBy: null,
      });
      expect((await store.get(mixed))?.wording).toBe("kat NSSF បាត់ ធ្វើថ្មី");
      expect(await store.get(mixed + 1)).toBeUndefined();
      const atRest = await rows("select id, created_at, reviewed_at from learned_wordings order by id");
      expect(atRest.map((r) => [num(r["id"]), num(r["created_at"]), num(r["reviewed_at"])])).toEqual([
        [khmer, T0, null],
        [mixed, T0 + MINUTE, null],
      ]);
    }),
  );

  it(
    "review: moves a wording only from the given states, recording who and when; false otherwise",
    withFixture(open, async ({ store, rows }, clock) => {
      const approved = await store.propose("eviction-rights", "ម្ចាស់ផ្ទះដេញចេញ", SOKHA);
      const rejected = await store.propose("eviction-rights", "evict ផ្ទះជួល", SOKHA);
      clock.advance(HOUR);
      expect(await store.review(approved, ["pending"], "approved", REVIEWER)).toBe(true);
      expect(await store.review(rejected, ["pending"], "rejected", BOPHA)).toBe(true);
      clock.advance(HOUR);
      expect(await store.review(approved, ["pending"], "rejected", BOPHA)).toBe(false);
      expect(await store.review(rejected, ["pending", "approved"], "approved", REVIEWER)).toBe(false);
      expect(await store.review(approved, [], "removed", REVIEWER)).toBe(false);
      expect(await store.review(rejected + 100, ["pending"], "approved", REVIEWER)).toBe(false);
      expect(await store.get(approved)).toMatchObject({ status: "approved", reviewedBy: REVIEWER });
      expect(await store.get(rejected)).toMatchObject({ status: "rejected", reviewedBy: BOPHA });
      clock.advance(HOUR);
      expect(await store.review(approved, ["approved"], "removed", BOPHA)).toBe(true);
      expect(await store.review(approved, ["approved"], "removed", BOPHA)).toBe(false);
      expect(await store.get(approved)).toMatchObject({ status: "removed", reviewedBy: BOPHA, proposedBy: SOKHA });
      const atRest = await rows("select id, status, reviewed_by, reviewed_at from learned_wordings order by id");
      expect(atRest.map((r) => [num(r["id"]), r["status"], num(r["reviewed_by"]), num(r["reviewed_at"])])).toEqual([
        [approved, "removed", BOPHA, T0 + 3 * HOUR],
        [rejected, "rejected", BOPHA, T0 + HOUR],
      ]);
    }),
  );

  it(
    "list: the wordings in the given states, oldest first",
    withFixture(open, async ({ store }) => {
      expect(await store.list(["pending", "approved"])).toEqual([]);
      const a = await store.propose("idpoor-card", "ប័ណ្ណក្រីក្រ", SOKHA);
      const b = await store.propose("nssf-card", "ប.ស.ស ធានារ៉ាប់រង", BOPHA);
      const c = await store.propose("idpoor-card", "IDPoor ឃុំ", VANNA);
      const d = await store.propose("eviction-rights", "ដេញចេញពីផ្ទះជួល", SOKHA);
      await store.review(c, ["pending"], "approved", REVIEWER);
      await store.review(a, ["pending"], "approved", REVIEWER);
      await store.review(b, ["pending"], "rejected", REVIEWER);
      expect((await store.list(["approved"])).map((w) => w.id)).toEqual([a, c]);
      expect((await store.list(["pending", "approved"])).map((w) => w.id)).toEqual([a, c, d]);
      expect((await store.list(["rejected", "removed"])).map((w) => w.id)).toEqual([b]);
      expect(await store.list([])).toEqual([]);
      expect((await store.list(["approved"]))[1]).toEqual({
        id: c,
        articleId: "idpoor-card",
        wording: "IDPoor ឃុំ",
        status: "approved",
        proposedBy: VANNA,
        reviewedBy: REVIEWER,
      });
    }),
  );

  it(
    "inside a unit of work: a failing piece's proposal and review are rolled back, the others kept",
    withFixture(open, async ({ store, commits }) => {
      const pending = await store.propose("idpoor-card", "ប័ណ្ណក្រីក្រ", SOKHA);
      const kept = commits.run(() => store.propose("nssf-card", "kat NSSF", BOPHA));
      const failing = commits.run(async () => {
        expect(await store.review(pending, ["pending"], "approved", REVIEWER)).toBe(true);
        await store.propose("eviction-rights", "ដេញចេញ", VANNA);
        throw new Error("turn failed");
      });
      expect(await settled([kept, failing])).toEqual(["ok", "turn failed"]);
      expect((await store.list(["pending", "approved"])).map((w) => [w.id, w.status])).toEqual([
        [pending, "pending"],
        [await kept, "pending"],
      ]);
    }),
  );
}

/** An administrator who makes invite codes, and a resident who is not staff. */
const ADMIN = 6_543_210_987;
const NOT_STAFF = 8_765_432_109;
/** Invite codes last 7 days. */
const STAFF_INVITE_TTL = 7 * DAY;
const SECOND = 1_000;

/** How an invite code is stored: the SHA-256 of the code in capitals, in hex. */
const sha256 = (code: string) => createHash("sha256").update(code).digest("hex");

/** The member as stores return it. */
const member = (telegramUserId: number, role: Role, displayName: string, activeReferralId: number | null = null) => ({
  telegramUserId,
  role,
  displayName,
  activeReferralId,
});

export function staffStoreContract(open: StoreFactory<StaffStore>): void {
  it(
    "createInvite and redeem: a one-time code for a role, kept only as a hash; it registers the user once",
    withFixture(open, async ({ store, rows }, clock) => {
      const code = await store.createInvite("caseworker", ADMIN);
      expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{10}$/);
      const fromCli = await store.createInvite("admin", null);
      expect(fromCli).not.toBe(code);
      const invites = await rows(
        "select code_hash, role, created_by, expires_at, used_by, used_at, created_at from staff_invites order by id",
      );
      expect(
        invites.map((r) => [
          r["code_hash"],
          r["role"],
          num(r["created_by"]),
          num(r["expires_at"]),
          num(r["used_by"]),
          num(r["used_at"]),
          num(r["created_at"]),
        ]),
      ).toEqual([
        [sha256(code), "caseworker", ADMIN, T0 + STAFF_INVITE_TTL, null, null, T0],
        [sha256(fromCli), "admin", null, T0 + STAFF_INVITE_TTL, null, null, T0],
      ]);
      for (const r of invites) expect(String(r["code_hash"])).not.toContain(code);

      clock.advance(HOUR);
      expect(await store.redeem(code, SOKHA, "  Sokha ")).toEqual({
        ok: true,
        member: member(SOKHA, "caseworker", "Sokha"),
      });
      expect(await store.get(SOKHA)).toEqual(member(SOKHA, "caseworker", "Sokha"));
      clock.advance(HOUR);
      expect(await store.redeem(code, BOPHA, "Bopha")).toEqual({ ok: false, reason: "used" });
      expect(await store.redeem(code, SOKHA, "Sokha")).toEqual({ ok: false, reason: "used" });
      expect(await store.get(BOPHA)).toBeUndefined();
      const [used] = await rows(`select used_by, used_at from staff_invites where code_hash = '${sha256(code)}'`);
      expect([num(used?.["used_by"]), num(used?.["used_at"])]).toEqual([SOKHA, T0 + HOUR]);
      const [stored] = await rows(`select created_at from staff_members where telegram_user_id = ${SOKHA}`);
      expect(num(stored?.["created_at"])).toBe(T0 + HOUR);
    }),
  );

  it(
    "redeem: unknown, expired and used codes are refused; the last moment counts; case and spaces do not matter",
    withFixture(open, async ({ store, rows }, clock) => {
      expect(await store.redeem("ABCDEFGHJK", SOKHA, "Sokha")).toEqual({ ok: false, reason: "unknown" });
      expect(await store.redeem("", SOKHA, "Sokha")).toEqual({ ok: false, reason: "unknown" });
      const lastMoment = await store.createInvite("counsellor", ADMIN);
      const late = await store.createInvite("supervisor", ADMIN);
      const usedThenOld = await store.createInvite("content", ADMIN);
      expect(await store.redeem(` ${usedThenOld.toLowerCase()}\n`, VANNA, "Vanna")).toMatchObject({
        ok: true,
        member: { telegramUserId: VANNA, role: "content" },
      });
      clock.advance(STAFF_INVITE_TTL);
      expect(await store.redeem(lastMoment.toLowerCase(), SOKHA, "Sokha")).toEqual({
        ok: true,
        member: member(SOKHA, "counsellor", "Sokha"),
      });
      clock.advance(1);
      expect(await store.redeem(late, BOPHA, "Bopha")).toEqual({ ok: false, reason: "expired" });
      expect(await store.redeem(late, BOPHA, "Bopha")).toEqual({ ok: false, reason: "expired" });
      expect(await store.redeem(usedThenOld, BOPHA, "Bopha")).toEqual({ ok: false, reason: "used" });
      expect(await store.redeem(lastMoment, BOPHA, "Bopha")).toEqual({ ok: false, reason: "used" });
      expect(await store.get(BOPHA)).toBeUndefined();
      const atRest = await rows("select used_by, used_at from staff_invites order by id");
      expect(atRest.map((r) => [num(r["used_by"]), num(r["used_at"])])).toEqual([
        [SOKHA, T0 + STAFF_INVITE_TTL],
        [null, null],
        [VANNA, T0],
      ]);
      const staff = await rows("select telegram_user_id from staff_members order by telegram_user_id");
      expect(staff.map((r) => num(r["telegram_user_id"]))).toEqual([VANNA, SOKHA]);
    }),
  );

  it(
    "redeem: a member (even a deactivated one) takes the code's role and the new name, and is active again",
    withFixture(open, async ({ store }) => {
      await store.register(SOKHA, "counsellor", "Sokha");
      await store.register(BOPHA, "caseworker", "Bopha");
      await store.deactivate(BOPHA);
      const promotion = await store.createInvite("supervisor", ADMIN);
      const comeback = await store.createInvite("content", ADMIN);
      expect(await store.redeem(promotion, SOKHA, "Sokha K.")).toEqual({
        ok: true,
        member: member(SOKHA, "supervisor", "Sokha K."),
      });
      expect(await store.redeem(comeback, BOPHA, "   ")).toEqual({
        ok: true,
        member: member(BOPHA, "content", "Staff"),
      });
      expect(await store.members()).toEqual([
        member(SOKHA, "supervisor", "Sokha K."),
        member(BOPHA, "content", "Staff"),
      ]);
    }),
  );

  it(
    "register: trims the name, keeps its first 40 characters, 'Staff' when empty; again, it updates the member",
    withFixture(open, async ({ store, rows }, clock) => {
      const long = `${"ស្រីមុំ".repeat(6)} Chan`;
      expect(await store.register(SOKHA, "caseworker", "\t Sokha  ")).toEqual(member(SOKHA, "caseworker", "Sokha"));
      expect(await store.register(BOPHA, "counsellor", ` ${long} `)).toEqual(
        member(BOPHA, "counsellor", long.slice(0, 40)),
      );
      expect(long.trim().length).toBeGreaterThan(40);
      expect(await store.register(VANNA, "admin", " \n ")).toEqual(member(VANNA, "admin", "Staff"));
      expect(await store.register(DARA, "content", "")).toEqual(member(DARA, "content", "Staff"));
      expect(await store.get(BOPHA)).toEqual(member(BOPHA, "counsellor", long.slice(0, 40)));

      await store.setActiveReferral(SOKHA, 41);
      clock.advance(HOUR);
      expect(await store.register(SOKHA, "supervisor", "Sokha Chea")).toEqual(
        member(SOKHA, "supervisor", "Sokha Chea", 41),
      );
      const atRest = await rows(
        "select telegram_user_id, role, display_name, active, created_at from staff_members order by telegram_user_id",
      );
      expect(
        atRest.map((r) => [
          num(r["telegram_user_id"]),
          r["role"],
          r["display_name"],
          Boolean(r["active"]),
          num(r["created_at"]),
        ]),
      ).toEqual([
        [BOPHA, "counsellor", long.slice(0, 40), true, T0],
        [VANNA, "admin", "Staff", true, T0],
        [DARA, "content", "Staff", true, T0],
        [SOKHA, "supervisor", "Sokha Chea", true, T0],
      ]);
    }),
  );

  it(
    "get: the active member; undefined for no id, an unknown id and a deactivated member",
    withFixture(open, async ({ store }) => {
      expect(await store.get(undefined)).toBeUndefined();
      expect(await store.get(SOKHA)).toBeUndefined();
      await store.register(SOKHA, "caseworker", "Sokha");
      await store.register(BOPHA, "caseworker", "Bopha");
      expect(await store.get(SOKHA)).toEqual(member(SOKHA, "caseworker", "Sokha"));
      await store.deactivate(BOPHA);
      expect(await store.get(BOPHA)).toBeUndefined();
      expect(await store.get(undefined)).toBeUndefined();
      expect(await store.get(NOT_STAFF)).toBeUndefined();
    }),
  );

  it(
    "withRole: the active members with that role, by Telegram user id",
    withFixture(open, async ({ store }) => {
      expect(await store.withRole("supervisor")).toEqual([]);
      await store.register(SOKHA, "supervisor", "Sokha");
      await store.register(VANNA, "supervisor", "Vanna");
      await store.register(DARA, "caseworker", "Dara");
      await store.register(BOPHA, "supervisor", "Bopha");
      await store.register(ADMIN, "supervisor", "Admin");
      await store.deactivate(ADMIN);
      await store.setActiveReferral(VANNA, 7);
      expect(await store.withRole("supervisor")).toEqual([
        member(BOPHA, "supervisor", "Bopha"),
        member(VANNA, "supervisor", "Vanna", 7),
        member(SOKHA, "supervisor", "Sokha"),
      ]);
      expect(await store.withRole("caseworker")).toEqual([member(DARA, "caseworker", "Dara")]);
      expect(await store.withRole("admin")).toEqual([]);
    }),
  );

  it(
    "members: the active members by name, byte by byte (capitals first), equal names by Telegram user id",
    withFixture(open, async ({ store }) => {
      expect(await store.members()).toEqual([]);
      await store.register(SREY, "caseworker", SREY_MOM);
      await store.register(SOKHA, "caseworker", "Sokha");
      await store.register(DARA, "counsellor", "bopha");
      await store.register(VANNA, "supervisor", "Émile");
      await store.register(BOPHA, "counsellor", "Sokha");
      await store.register(ADMIN, "admin", "Vanna");
      await store.register(NOT_STAFF, "admin", "Aaron");
      await store.deactivate(NOT_STAFF);
      expect((await store.members()).map((m) => [m.displayName, m.telegramUserId])).toEqual([
        ["Sokha", BOPHA],
        ["Sokha", SOKHA],
        ["Vanna", ADMIN],
        ["bopha", DARA],
        ["Émile", VANNA],
        [SREY_MOM, SREY],
      ]);
      expect((await store.members())[0]).toEqual(member(BOPHA, "counsellor", "Sokha"));
    }),
  );

  it(
    "setRole: changes an active member's role; false for an unknown or deactivated member",
    withFixture(open, async ({ store }) => {
      await store.register(SOKHA, "counsellor", "Sokha");
      await store.register(BOPHA, "counsellor", "Bopha");
      await store.deactivate(BOPHA);
      expect(await store.setRole(SOKHA, "supervisor")).toBe(true);
      expect(await store.setRole(SOKHA, "supervisor")).toBe(true);
      expect(await store.setRole(BOPHA, "admin")).toBe(false);
      expect(await store.setRole(NOT_STAFF, "admin")).toBe(false);
      expect(await store.get(SOKHA)).toEqual(member(SOKHA, "supervisor", "Sokha"));
      expect(await store.withRole("admin")).toEqual([]);
      await store.register(BOPHA, "counsellor", "Bopha");
      expect(await store.get(BOPHA)).toEqual(member(BOPHA, "counsellor", "Bopha"));
      expect(await store.get(NOT_STAFF)).toBeUndefined();
    }),
  );

  it(
    "deactivate: the member is in no list any more, and their active case is cleared; others are untouched",
    withFixture(open, async ({ store, rows }) => {
      await store.register(SOKHA, "caseworker", "Sokha");
      await store.register(BOPHA, "caseworker", "Bopha");
      await store.setActiveReferral(SOKHA, 12);
      await store.setActiveReferral(BOPHA, 12);
      await store.deactivate(SOKHA);
      await store.deactivate(NOT_STAFF);
      expect(await store.get(SOKHA)).toBeUndefined();
      expect(await store.withRole("caseworker")).toEqual([member(BOPHA, "caseworker", "Bopha", 12)]);
      expect(await store.members()).toEqual([member(BOPHA, "caseworker", "Bopha", 12)]);
      const atRest = await rows(
        "select telegram_user_id, active, active_referral_id from staff_members order by telegram_user_id",
      );
      expect(
        atRest.map((r) => [num(r["telegram_user_id"]), Boolean(r["active"]), num(r["active_referral_id"])]),
      ).toEqual([
        [BOPHA, true, 12],
        [SOKHA, false, null],
      ]);
      expect(await store.register(SOKHA, "caseworker", "Sokha")).toEqual(member(SOKHA, "caseworker", "Sokha"));
    }),
  );

  it(
    "setActiveReferral and clearActiveReferral: the case a member's messages go to, cleared for everyone at once",
    withFixture(open, async ({ store, rows }) => {
      await store.register(SOKHA, "caseworker", "Sokha");
      await store.register(BOPHA, "caseworker", "Bopha");
      await store.register(VANNA, "supervisor", "Vanna");
      await store.setActiveReferral(SOKHA, 11);
      await store.setActiveReferral(BOPHA, 11);
      await store.setActiveReferral(VANNA, 12);
      await store.setActiveReferral(NOT_STAFF, 11);
      expect(await store.get(SOKHA)).toEqual(member(SOKHA, "caseworker", "Sokha", 11));
      await store.clearActiveReferral(11);
      expect((await store.members()).map((m) => [m.telegramUserId, m.activeReferralId])).toEqual([
        [BOPHA, null],
        [SOKHA, null],
        [VANNA, 12],
      ]);
      await store.clearActiveReferral(404);
      expect((await store.get(VANNA))?.activeReferralId).toBe(12);
      await store.setActiveReferral(VANNA, 13);
      expect((await store.get(VANNA))?.activeReferralId).toBe(13);
      await store.setActiveReferral(VANNA, null);
      expect(await store.get(VANNA)).toEqual(member(VANNA, "supervisor", "Vanna"));
      expect(await store.get(NOT_STAFF)).toBeUndefined();
      const [count] = await rows("select count(*) as n from staff_members");
      expect(num(count?.["n"])).toBe(3);
    }),
  );

  it(
    "audit and refusals: every action recorded; refusals counts one user's refused attempts of one kind since a time",
    withFixture(open, async ({ store }, clock) => {
      expect(await store.refusals(NOT_STAFF, "invite", T0)).toBe(0);
      await store.audit(NOT_STAFF, "invite", undefined, false);
      clock.advance(MINUTE);
      await store.audit(NOT_STAFF, "invite", undefined, false);
      await store.audit(NOT_STAFF, "claim", 31, false);
      await store.audit(NOT_STAFF, "invite", undefined, true);
      await store.audit(DARA, "invite", undefined, false);
      clock.advance(MINUTE);
      await store.audit(NOT_STAFF, "invite", undefined, false);
      await store.audit(SOKHA, "claim", 31, true);
      expect(await store.refusals(NOT_STAFF, "invite", T0)).toBe(3);
      expect(await store.refusals(NOT_STAFF, "invite", T0 + 1)).toBe(2);
      expect(await store.refusals(NOT_STAFF, "invite", T0 + MINUTE)).toBe(2);
      expect(await store.refusals(NOT_STAFF, "invite", T0 + 2 * MINUTE)).toBe(1);
      expect(await store.refusals(NOT_STAFF, "invite", T0 + 2 * MINUTE + 1)).toBe(0);
      expect(await store.refusals(NOT_STAFF, "claim", T0)).toBe(1);
      expect(await store.refusals(DARA, "invite", T0)).toBe(1);
      expect(await store.refusals(SOKHA, "claim", T0)).toBe(0);
      expect(await store.auditLog()).toEqual([
        { id: 1, telegramUserId: NOT_STAFF, action: "invite", referralId: null, allowed: false, at: T0 },
        { id: 2, telegramUserId: NOT_STAFF, action: "invite", referralId: null, allowed: false, at: T0 + MINUTE },
        { id: 3, telegramUserId: NOT_STAFF, action: "claim", referralId: 31, allowed: false, at: T0 + MINUTE },
        { id: 4, telegramUserId: NOT_STAFF, action: "invite", referralId: null, allowed: true, at: T0 + MINUTE },
        { id: 5, telegramUserId: DARA, action: "invite", referralId: null, allowed: false, at: T0 + MINUTE },
        { id: 6, telegramUserId: NOT_STAFF, action: "invite", referralId: null, allowed: false, at: T0 + 2 * MINUTE },
        { id: 7, telegramUserId: SOKHA, action: "claim", referralId: 31, allowed: true, at: T0 + 2 * MINUTE },
      ]);
    }),
  );

  it(
    "auditLog oldest first; recentAudit the newest first, 100 unless told",
    withFixture(open, async ({ store }, clock) => {
      expect(await store.auditLog()).toEqual([]);
      expect(await store.recentAudit()).toEqual([]);
      for (let n = 1; n <= 101; n++) {
        // The same time for some, so that only the id tells them apart.
        if (n % 3 === 0) clock.advance(SECOND);
        await store.audit(n % 2 === 0 ? SOKHA : BOPHA, `action ${n}`, n, n % 5 !== 0);
      }
      const log = await store.auditLog();
      expect(log.map((a) => a.action)).toEqual(Array.from({ length: 101 }, (_, n) => `action ${n + 1}`));
      const recent = await store.recentAudit();
      expect(recent.map((a) => a.action)).toEqual(Array.from({ length: 100 }, (_, n) => `action ${101 - n}`));
      expect(recent[0]).toEqual(log[100]);
      expect((await store.recentAudit(3)).map((a) => a.referralId)).toEqual([101, 100, 99]);
      expect(await store.recentAudit(1)).toEqual([
        { id: 101, telegramUserId: BOPHA, action: "action 101", referralId: 101, allowed: true, at: T0 + 33 * SECOND },
      ]);
    }),
  );

  it(
    "forgetAudit: a non-member's trail (a deactivated member's too) is deleted; an active member's stays",
    withFixture(open, async ({ store }) => {
      await store.register(SOKHA, "caseworker", "Sokha");
      await store.register(BOPHA, "caseworker", "Bopha");
      await store.deactivate(BOPHA);
      for (const who of [SOKHA, NOT_STAFF, BOPHA, DARA]) {
        await store.audit(who, "claim", 5, who === SOKHA);
        await store.audit(who, "invite", undefined, false);
      }
      await store.forgetAudit(SOKHA);
      await store.forgetAudit(NOT_STAFF);
      await store.forgetAudit(BOPHA);
      await store.forgetAudit(VANNA);
      expect((await store.auditLog()).map((a) => [a.telegramUserId, a.action])).toEqual([
        [SOKHA, "claim"],
        [SOKHA, "invite"],
        [DARA, "claim"],
        [DARA, "invite"],
      ]);
      expect(await store.refusals(NOT_STAFF, "invite", T0)).toBe(0);
    }),
  );

  it(
    "linkMessage and caseOfMessage: a message in a staff chat belongs to the first case linked to it",
    withFixture(open, async ({ store, rows }) => {
      expect(await store.caseOfMessage(SOKHA, 100)).toBeUndefined();
      await store.linkMessage(SOKHA, 100, 21);
      await store.linkMessage(SOKHA, 100, 21);
      await store.linkMessage(SOKHA, 100, 22);
      await store.linkMessage(SOKHA, 101, 22);
      await store.linkMessage(BOPHA, 100, 23);
      await store.linkMessage(GROUP_CHAT, 2_147_483_648, 24);
      expect(await store.caseOfMessage(SOKHA, 100)).toBe(21);
      expect(await store.caseOfMessage(SOKHA, 101)).toBe(22);
      expect(await store.caseOfMessage(BOPHA, 100)).toBe(23);
      expect(await store.caseOfMessage(GROUP_CHAT, 2_147_483_648)).toBe(24);
      expect(await store.caseOfMessage(BOPHA, 101)).toBeUndefined();
      expect(await store.caseOfMessage(VANNA, 100)).toBeUndefined();
      const [count] = await rows("select count(*) as n from case_links");
      expect(num(count?.["n"])).toBe(4);
    }),
  );

  it(
    "inside a unit of work: redeem, register and forgetAudit see the piece's writes; a failing piece's are undone",
    withFixture(open, async ({ store, commits }) => {
      const code = await store.createInvite("caseworker", ADMIN);
      const other = await store.createInvite("counsellor", ADMIN);
      await store.audit(NOT_STAFF, "invite", undefined, false);
      const kept = commits.run(async () => {
        const redeemed = await store.redeem(other, BOPHA, "Bopha");
        await store.audit(BOPHA, "claim", 9, true);
        await store.forgetAudit(BOPHA); // a member now, in this piece: kept
        return redeemed;
      });
      const failing = commits.run(async () => {
        await store.audit(SOKHA, "invite", undefined, false);
        expect(await store.redeem(code, SOKHA, "Sokha")).toEqual({
          ok: true,
          member: member(SOKHA, "caseworker", "Sokha"),
        });
        expect(await store.redeem(code, VANNA, "Vanna")).toEqual({ ok: false, reason: "used" });
        expect(await store.get(SOKHA)).toEqual(member(SOKHA, "caseworker", "Sokha"));
        await store.forgetAudit(SOKHA); // a member now, in this piece: kept
        expect((await store.auditLog()).map((a) => a.telegramUserId)).toEqual([NOT_STAFF, BOPHA, SOKHA]);
        await store.forgetAudit(NOT_STAFF);
        expect(await store.register(VANNA, "admin", "Vanna")).toEqual(member(VANNA, "admin", "Vanna"));
        expect(await store.setRole(VANNA, "supervisor")).toBe(true);
        await store.linkMessage(VANNA, 1, 2);
        throw new Error("turn failed");
      });
      expect(await settled([kept, failing])).toEqual(["ok", "turn failed"]);
      expect(await kept).toEqual({ ok: true, member: member(BOPHA, "counsellor", "Bopha") });
      expect(await store.members()).toEqual([member(BOPHA, "counsellor", "Bopha")]);
      expect((await store.auditLog()).map((a) => [a.telegramUserId, a.action])).toEqual([
        [NOT_STAFF, "invite"],
        [BOPHA, "claim"],
      ]);
      expect(await store.caseOfMessage(VANNA, 1)).toBeUndefined();
      // The failing piece's redeem was undone with it: the code is still there to be used.
      expect(await store.redeem(code, VANNA, "Vanna")).toEqual({
        ok: true,
        member: member(VANNA, "caseworker", "Vanna"),
      });
    }),
  );
}
