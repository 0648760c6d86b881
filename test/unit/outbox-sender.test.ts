import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase } from "../../src/db/open.ts";
import { createLogger } from "../../src/logger.ts";
import {
  CHAT_BURST,
  createOutboxSender,
  type PaceSlot,
  RECOVER_EVERY_MS,
  type SharedPace,
} from "../../src/outbox/sender.ts";
import { createOutboxStore, type OutboxStore } from "../../src/outbox/store.ts";
import { SendError, type Transport } from "../../src/outbox/transport.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";

let store: OutboxStore;
let sent: { chatId: number; at: number; text: unknown }[];
let failNext: ((chatId: number) => SendError | undefined) | undefined;

const transport: Transport = async (chatId, message) => {
  const failure = failNext?.(chatId);
  if (failure) throw failure;
  sent.push({ chatId, at: Date.now(), text: message.kind === "text" ? message.text : undefined });
  return sent.length;
};

async function queue(count: number, chats: number, purpose: "alert" | "reply" = "alert") {
  for (let i = 0; i < count; i++)
    await store.enqueue({
      dedupeKey: `k${i}`,
      chatId: 100 + (i % chats),
      purpose,
      message: { kind: "text", text: `m${i}` },
    });
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse("2026-11-21T00:00:00Z") });
  store = createOutboxStore(openDatabase(":memory:"), createFieldCipher(Buffer.alloc(32, 3)));
  sent = [];
  failNext = undefined;
});
afterEach(() => vi.useRealTimers());

function sender(extra: Partial<Parameters<typeof createOutboxSender>[0]> = {}) {
  return createOutboxSender({
    store,
    transport,
    directTransport: transport,
    logger: createLogger("silent"),
    ratePerSecond: 25,
    chatIntervalMs: 1000,
    ...extra,
  });
}

describe("outbox sender", () => {
  it("never exceeds the overall rate and keeps at least 1 s between messages to one chat", async () => {
    await queue(200, 50);
    const s = sender();
    await s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await s.stop();
    expect(sent).toHaveLength(200);
    for (let i = 0; i < sent.length; i++) {
      // In any 1-second window there are at most rate + burst messages.
      const window = sent.filter((m) => m.at >= (sent[i]?.at ?? 0) && m.at < (sent[i]?.at ?? 0) + 1000);
      expect(window.length).toBeLessThanOrEqual(25 + 5);
    }
    const byChat = new Map<number, typeof sent>();
    for (const m of sent) byChat.set(m.chatId, [...(byChat.get(m.chatId) ?? []), m]);
    for (const messages of byChat.values()) {
      for (let i = 1; i < messages.length; i++)
        expect((messages[i]?.at ?? 0) - (messages[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    // Each chat's messages go out in the order they were queued.
    expect(byChat.get(100)?.map((m) => m.text)).toEqual(["m0", "m50", "m100", "m150"]);
  });

  it("honours retry_after on 429: nothing new starts until it has passed, then the message goes out", async () => {
    await queue(3, 3);
    await store.enqueue({
      dedupeKey: "later",
      chatId: 200,
      purpose: "alert",
      message: { kind: "text", text: "later" },
      notBefore: Date.now() + 1000,
    });
    let first = true;
    failNext = () =>
      first
        ? ((first = false), new SendError({ kind: "rate_limited", retryAfterMs: 5000 }, "TELEGRAM_429"))
        : undefined;
    const s = sender();
    await s.start();
    await vi.advanceTimersByTimeAsync(4000);
    // The two sends already in flight with the 429 completed; the retried one and the later one wait.
    expect(sent.map((m) => m.chatId).sort()).toEqual([101, 102]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent.map((m) => m.chatId).sort()).toEqual([100, 101, 102, 200]);
    await s.stop();
  });

  it("a direct reply asked for during a 429 window waits for it too (the limit is the whole bot's)", async () => {
    await queue(1, 1);
    failNext = () => (
      (failNext = undefined),
      new SendError({ kind: "rate_limited", retryAfterMs: 5000 }, "TELEGRAM_429")
    );
    const s = sender();
    await s.start();
    await vi.advanceTimersByTimeAsync(100);
    const reply = (await store.enqueue({
      dedupeKey: "reply",
      chatId: 300,
      purpose: "reply",
      message: { kind: "text", text: "reply" },
      notBefore: Date.now() + 10_000,
    })) as number;
    await s.deliverNow([reply]);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(4000);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent.map((m) => m.text).sort()).toEqual(["m0", "reply"]);
    await s.stop();
  });

  it("forgets chats it has not sent to for longer than the chat interval (memory stays flat)", async () => {
    await queue(600, 600);
    const s = sender({ ratePerSecond: 30 });
    await s.start();
    await vi.advanceTimersByTimeAsync(25_000);
    expect(sent).toHaveLength(600);
    await store.enqueue({ dedupeKey: "one-more", chatId: 5, purpose: "alert", message: { kind: "text", text: "x" } });
    s.wake();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(s.stats().trackedChats).toBeLessThan(300);
    await s.stop();
  });

  it("a row that cannot be decrypted is marked failed and the others are sent", async () => {
    const db = openDatabase(":memory:");
    store = createOutboxStore(db, createFieldCipher(Buffer.alloc(32, 3)));
    await queue(3, 3);
    db.$client
      .prepare(
        // One character changed (to "x", or "y" if it was "x": the IV is random, so it may already be "x").
        "update outbox set payload_enc = substr(payload_enc, 1, 20) || " +
          "(case substr(payload_enc, 21, 1) when 'x' then 'y' else 'x' end) || substr(payload_enc, 22) " +
          "where dedupe_key = 'k1'",
      )
      .run();
    const s = sender();
    await s.start();
    await vi.advanceTimersByTimeAsync(3000);
    await s.stop();
    expect(sent.map((m) => m.text).sort()).toEqual(["m0", "m2"]);
    expect(db.$client.prepare("select status, last_error from outbox where dedupe_key = 'k1'").get()).toEqual({
      status: "failed",
      last_error: "SPEAN_CRYPTO_FAILED",
    });
  });

  it("marks a blocked chat unreachable, once, without retrying", async () => {
    await queue(1, 1);
    const unreachable: number[] = [];
    failNext = () => new SendError({ kind: "unreachable" }, "TELEGRAM_403");
    const s = sender({ onUnreachable: (row) => void unreachable.push(row.chatId) });
    await s.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await s.stop();
    expect(unreachable).toEqual([100]);
    expect(await store.counts()).toEqual({ failed: 1 });
  });

  it("backs off on 5xx and gives up after the maximum attempts", async () => {
    await queue(1, 1);
    let calls = 0;
    failNext = () => ((calls += 1), new SendError({ kind: "transient" }, "TELEGRAM_500"));
    const s = sender({ maxAttempts: 4 });
    await s.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    await s.stop();
    expect(calls).toBe(4);
    expect(await store.counts()).toEqual({ failed: 1 });
  });

  it("when Telegram answers again, what waits on a back-off goes out at once; reminders keep their time", async () => {
    await queue(1, 1); // m0 to chat 100
    let down = true;
    failNext = () => (down ? new SendError({ kind: "transient" }, "NETWORK") : undefined);
    const reminderAt = Date.now() + 3_600_000;
    await store.enqueue({
      dedupeKey: "later",
      chatId: 200,
      purpose: "reminder",
      message: { kind: "text", text: "r" },
      notBefore: reminderAt,
    });
    const s = sender();
    await s.start();
    await vi.advanceTimersByTimeAsync(20_000); // several failures: the next try is a growing back-off away
    expect(sent).toEqual([]);
    down = false;
    expect(await store.retryAfterOutage()).toBe(1);
    s.wake();
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((m) => m.text)).toEqual(["m0"]);
    expect(await store.nextDueAt()).toBe(reminderAt);
    await s.stop();
  });

  it("a send under way when Telegram came back, failing after, is tried again at once and not counted", async () => {
    await queue(1, 1);
    let recoveredAt: number | undefined = undefined;
    let release: (() => void) | undefined;
    let calls = 0;
    const hanging: Transport = async (chatId, message) => {
      calls += 1;
      if (calls === 1) {
        await new Promise<void>((resolve) => (release = resolve)); // a call into the silence
        throw new SendError({ kind: "transient" }, "NETWORK");
      }
      return transport(chatId, message);
    };
    const s = sender({ transport: hanging, recoveredAt: () => recoveredAt });
    await s.start();
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(5000);
    recoveredAt = Date.now(); // Telegram answers again while the first call still hangs
    release?.();
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((m) => m.text)).toEqual(["m0"]);
    expect(calls).toBe(2);
    await s.stop();
  });

  it("after a crash, a row left 'sending' is sent again (the documented duplicate window)", async () => {
    await queue(1, 1);
    const [row] = await store.due(1);
    expect(await store.claim(row?.id as number)).toBe(true);
    const s = sender();
    await s.start(); // start() recovers interrupted rows
    await vi.advanceTimersByTimeAsync(100);
    await s.stop();
    expect(sent).toHaveLength(1);
  });

  it("deliverNow keeps order: after a failure the rest waits behind the failed message", async () => {
    const ids: number[] = [];
    for (const i of [0, 1, 2])
      ids.push(
        (await store.enqueue({
          dedupeKey: `r${i}`,
          chatId: 7,
          purpose: "reply",
          message: { kind: "text", text: `r${i}` },
          notBefore: Date.now() + 10_000,
        })) as number,
      );
    let first = true;
    failNext = () => (first ? ((first = false), new SendError({ kind: "transient" }, "NETWORK")) : undefined);
    const s = sender();
    await s.start();
    await s.deliverNow(ids);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(10_000);
    await s.stop();
    expect(sent.map((m) => m.text)).toEqual(["r0", "r1", "r2"]);
  });
});

describe("outbox sender: direct replies under the same limits", () => {
  const reply = async (chatId: number, text: string) =>
    (await store.enqueue({
      dedupeKey: `reply:${chatId}:${text}`,
      chatId,
      purpose: "reply",
      message: { kind: "text", text },
    })) as number;

  it("a chat that used up its burst gets one reply a second; another chat's reply goes at once", async () => {
    const s = sender();
    await s.start();
    for (let i = 0; i < 8; i++) await s.deliverNow([await reply(7, `flood${i}`)]);
    await vi.advanceTimersByTimeAsync(200); // the bot-wide bucket (5) earns another 5 messages
    await s.deliverNow([await reply(8, "other")]);
    expect(sent.map((m) => m.text)).toEqual(["flood0", "flood1", "flood2", "flood3", "flood4", "other"]);
    await vi.advanceTimersByTimeAsync(3500);
    await s.stop();
    const flood = sent.filter((m) => m.chatId === 7);
    expect(flood.map((m) => m.text)).toEqual(Array.from({ length: 8 }, (_, i) => `flood${i}`));
    for (let i = 5; i < flood.length; i++)
      expect((flood[i]?.at ?? 0) - (flood[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    // Once the chat has been quiet for the burst's worth of intervals, it gets a full burst again.
    sent = [];
    await vi.advanceTimersByTimeAsync(CHAT_BURST * 1000);
    const again = sender();
    await again.start();
    for (let i = 0; i < CHAT_BURST; i++) await again.deliverNow([await reply(7, `later${i}`)]);
    expect(sent).toHaveLength(CHAT_BURST);
    await again.stop();
  });

  it("counts a chat's messages waiting within two seconds, not reminders days ahead (admission's count)", async () => {
    const s = sender();
    await s.start();
    for (let i = 0; i < CHAT_BURST + 3; i++) await s.deliverNow([await reply(7, `flood${i}`)]);
    await store.enqueue({
      dedupeKey: "reminder",
      chatId: 7,
      purpose: "reminder",
      message: { kind: "text", text: "see you tomorrow" },
      notBefore: Date.now() + 86_400_000,
    });
    expect(await store.waitingFor(7)).toBe(3);
    expect(await store.waitingFor(8)).toBe(0);
    await vi.advanceTimersByTimeAsync(3500);
    expect(await store.waitingFor(7)).toBe(0);
    await s.stop();
  });

  it("a clock that steps back does not stop replies", async () => {
    let clock = Date.now();
    const s = sender({ now: () => clock, paceNow: () => clock });
    await s.start();
    clock -= 3_600_000;
    await s.deliverNow([await reply(7, "after the step")]);
    expect(sent.map((m) => m.text)).toEqual(["after the step"]);
    await s.stop();
  });

  it("a service clock that stands still (a test's or the sandbox's) does not hold replies back", async () => {
    const s = sender({ now: () => Date.parse("2026-11-21T00:00:00Z") });
    await s.start();
    for (let i = 0; i < CHAT_BURST + 2; i++) await s.deliverNow([await reply(7, `r${i}`)]);
    await vi.advanceTimersByTimeAsync(2500);
    expect(sent).toHaveLength(CHAT_BURST + 2);
    await s.stop();
  });

  it("a reply never overtakes an earlier one that waits for the chat's gap", async () => {
    let pace = Date.now();
    const s = sender({ paceNow: () => pace });
    await s.start();
    for (let i = 0; i < CHAT_BURST + 1; i++) await s.deliverNow([await reply(7, `r${i}`)]);
    expect(sent).toHaveLength(CHAT_BURST); // the last one waits for the gap
    pace += 1500; // the burst has a message again, and the queue has not yet sent the held reply
    await s.deliverNow([await reply(7, "next")]);
    expect(sent).toHaveLength(CHAT_BURST);
    for (let second = 0; second < 3; second++) {
      pace += 1000;
      await vi.advanceTimersByTimeAsync(1000);
    }
    await s.stop();
    expect(sent.map((m) => m.text).slice(-2)).toEqual([`r${CHAT_BURST}`, "next"]);
  });

  it("the messages of one reply go out together", async () => {
    const s = sender();
    await s.start();
    await s.deliverNow([await reply(7, "a"), await reply(7, "b"), await reply(7, "c")]);
    expect(sent.map((m) => m.text)).toEqual(["a", "b", "c"]);
    await s.stop();
  });

  it("replies and queued messages together never pass the overall rate", async () => {
    await queue(100, 100);
    const s = sender();
    await s.start();
    // 40 residents a second write to the bot for 5 s, while 100 alerts wait in the queue.
    for (let tick = 0; tick < 50; tick++) {
      for (let i = 0; i < 4; i++) await s.deliverNow([await reply(1000 + tick * 4 + i, `r${tick}.${i}`)]);
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(10_000);
    await s.stop();
    expect(sent).toHaveLength(300);
    for (const first of sent) {
      const window = sent.filter((m) => m.at >= first.at && m.at < first.at + 1000);
      expect(window.length).toBeLessThanOrEqual(25 + 5);
    }
  });
});

describe("outbox sender: several instances (a shared pace, sends interrupted elsewhere)", () => {
  /** The fake shared pace's answer for one ask; granted unless `refuse` says otherwise. */
  let refuse: (chatId: number, chatBurst: number) => PaceSlot | undefined;
  let asked: { chatId: number; chatBurst: number | undefined }[];
  let holds: number[];
  const pace: SharedPace = {
    async take(chatId, chatBurst) {
      asked.push({ chatId, chatBurst });
      return refuse(chatId, chatBurst ?? 1) ?? { granted: true };
    },
    async holdAll(ms) {
      holds.push(ms);
    },
  };

  beforeEach(() => {
    refuse = () => undefined;
    asked = [];
    holds = [];
  });

  it("a slot refused by the bot's limit ends the look at the queue: nothing further is claimed", async () => {
    await queue(3, 3); // m0, m1, m2 to chats 100, 101, 102
    let botHeld = true;
    refuse = () => (botHeld ? { granted: false, retryInMs: 300, limit: "bot" } : undefined);
    const s = sender({ sharedPace: pace });
    await s.start();
    await vi.advanceTimersByTimeAsync(100); // one look: the next is the pace's 300 ms away
    expect(asked.map((a) => a.chatId)).toEqual([100]);
    expect(sent).toEqual([]);
    expect(await store.counts()).toEqual({ pending: 3 });
    botHeld = false;
    await vi.advanceTimersByTimeAsync(500);
    await s.stop();
    expect(sent.map((m) => m.text).sort()).toEqual(["m0", "m1", "m2"]);
  });

  it("a slot refused by a chat's limit holds that chat only; the other chats' messages go", async () => {
    await queue(3, 3);
    let chatHeld = true;
    refuse = (chatId) => (chatHeld && chatId === 100 ? { granted: false, retryInMs: 300, limit: "chat" } : undefined);
    const s = sender({ sharedPace: pace });
    await s.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((m) => m.chatId).sort()).toEqual([101, 102]);
    expect(await store.counts()).toEqual({ pending: 1, sent: 2 });
    chatHeld = false;
    await vi.advanceTimersByTimeAsync(500);
    await s.stop();
    expect(sent.map((m) => m.text)).toContain("m0");
  });

  it("a direct reply whose first message gets no shared slot is held whole, then queued in order", async () => {
    const ids: number[] = [];
    for (const text of ["r0", "r1", "r2"])
      ids.push(
        (await store.enqueue({
          dedupeKey: text,
          chatId: 7,
          purpose: "reply",
          message: { kind: "text", text },
        })) as number,
      );
    let chatHeld = true;
    refuse = (chatId) => (chatHeld && chatId === 7 ? { granted: false, retryInMs: 400, limit: "chat" } : undefined);
    const s = sender({ sharedPace: pace });
    await s.start();
    await s.deliverNow(ids);
    expect(sent).toEqual([]);
    // Asked once, for the reply's first message, with the burst a direct reply may have.
    expect(asked).toEqual([{ chatId: 7, chatBurst: CHAT_BURST }]);
    expect(await store.counts()).toEqual({ pending: 3 });
    chatHeld = false;
    await vi.advanceTimersByTimeAsync(5_000);
    await s.stop();
    expect(sent.map((m) => m.text)).toEqual(["r0", "r1", "r2"]);
  });

  it("Telegram's 429 holds every instance's sends for its retry_after", async () => {
    await queue(1, 1);
    failNext = () => (
      (failNext = undefined),
      new SendError({ kind: "rate_limited", retryAfterMs: 7_000 }, "TELEGRAM_429")
    );
    const s = sender({ sharedPace: pace });
    await s.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(holds).toEqual([7_000]);
    await vi.advanceTimersByTimeAsync(7_500);
    await s.stop();
    expect(sent.map((m) => m.text)).toEqual(["m0"]);
  });

  it("puts back only sends interrupted over interruptedAfterMs ago, at start and by its periodic look", async () => {
    await queue(2, 2); // m0 to chat 100, m1 to chat 101
    const [old, young] = await store.due(2);
    await store.claim(old!.id); // claimed by an instance that died
    vi.setSystemTime(Date.now() + 50_000);
    await store.claim(young!.id); // claimed by an instance that may be sending it now
    vi.setSystemTime(Date.now() + 15_000); // old: claimed 65 s ago; young: 15 s ago
    const s = sender({ interruptedAfterMs: 60_000 });
    await s.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((m) => m.text)).toEqual(["m0"]);
    expect(await store.counts()).toEqual({ sent: 1, sending: 1 });
    // young is 60 s old 45 s after start: the first look (every RECOVER_EVERY_MS, 10 s) after that puts it back.
    const firstLookAfter = Math.ceil(45_000 / RECOVER_EVERY_MS) * RECOVER_EVERY_MS;
    await vi.advanceTimersByTimeAsync(45_000 - 200);
    expect(sent).toHaveLength(1);
    expect(await store.counts()).toEqual({ sent: 1, sending: 1 });
    await vi.advanceTimersByTimeAsync(firstLookAfter - 45_000 + 1_000);
    await s.stop();
    expect(sent.map((m) => m.text)).toEqual(["m0", "m1"]);
    expect(await store.counts()).toEqual({ sent: 2 });
  });
});
