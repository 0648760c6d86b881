import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase } from "../../src/db/open.ts";
import { createInboxStore, type InboxStore, laneOf } from "../../src/inbox/store.ts";
import { createInboxWorker, DISK_FULL_PAUSE_MS } from "../../src/inbox/worker.ts";
import { createLogger } from "../../src/logger.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";

let store: InboxStore;
const message = (id: number, chat: number) => ({
  update_id: id,
  message: { message_id: id, date: 0, chat: { id: chat, type: "private" }, text: `t${id}` },
});

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse("2026-11-21T00:00:00Z") });
  store = createInboxStore(openDatabase(":memory:"), createFieldCipher(Buffer.alloc(32, 4)));
});
afterEach(() => vi.useRealTimers());

describe("inbox", () => {
  it("drops a duplicate update_id and erases the payload when done", async () => {
    expect(await store.ingest(message(1, 10))).toBe(true);
    expect(await store.ingest(message(1, 10))).toBe(false);
    await store.markDone(1);
    expect(await store.counts()).toEqual({ pending: 0, done: 1, quarantined: 0 });
  });

  it("puts updates of one chat in one lane, and updates without a chat in their own", () => {
    expect(laneOf(message(1, 10))).toBe("chat:10");
    expect(laneOf({ update_id: 5, callback_query: { from: { id: 10 }, message: { chat: { id: 10 } } } })).toBe(
      "chat:10",
    );
    expect(laneOf({ update_id: 6, poll: {} })).toBe("update:6");
  });
});

describe("inbox worker", () => {
  it("handles each chat in order, chats in parallel", async () => {
    const seen: string[] = [];
    for (let i = 1; i <= 9; i++) await store.ingest(message(i, 10 + (i % 3)));
    const worker = createInboxWorker({
      store,
      handle: async (u) => {
        seen.push(`${(u.message as { chat: { id: number } }).chat.id}:${u.update_id}`);
      },
      onQuarantine: async () => undefined,
      logger: createLogger("silent"),
    });
    worker.start();
    await vi.advanceTimersByTimeAsync(10);
    await worker.stop();
    for (const chat of [10, 11, 12]) {
      const ids = seen.filter((s) => s.startsWith(`${chat}:`)).map((s) => Number(s.split(":")[1]));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(ids).toHaveLength(3);
    }
  });

  it("retries a failing update, then quarantines it after 3 tries and moves on with the chat", async () => {
    await store.ingest(message(1, 10));
    await store.ingest(message(2, 10));
    const handled: number[] = [];
    const quarantined: number[] = [];
    const worker = createInboxWorker({
      store,
      handle: async (u) => {
        if (u.update_id === 1) throw new Error("poison");
        handled.push(u.update_id);
      },
      onQuarantine: async (p, _code, attempts) => {
        quarantined.push(p.updateId, attempts);
      },
      logger: createLogger("silent"),
      retryDelaysMs: [500, 2000],
    });
    worker.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(handled).toEqual([]); // update 2 waits behind update 1: order within a chat
    await vi.advanceTimersByTimeAsync(3000);
    await worker.stop();
    expect(quarantined).toEqual([1, 3]);
    expect(handled).toEqual([2]);
    expect(await store.counts()).toEqual({ pending: 0, done: 1, quarantined: 1 });
    expect((await store.quarantined())[0]).toMatchObject({ updateId: 1, attempts: 3, lastError: "UNEXPECTED" });
  });
});

describe("inbox batches", () => {
  it("reports which updates of a batch were new", async () => {
    await store.ingest(message(2, 10));
    const fresh = [];
    for (const m of [message(1, 10), message(2, 10), message(3, 11)]) fresh.push(await store.ingest(m));
    expect(fresh).toEqual([true, false, true]);
    expect((await store.counts()).pending).toBe(3);
    expect(await store.hasPending()).toBe(true);
  });
});

describe("an update that cannot be read", () => {
  it("is quarantined at once (staff told), the worker does not spin, and other chats are answered", async () => {
    const db = openDatabase(":memory:");
    const inbox = createInboxStore(db, createFieldCipher(Buffer.alloc(32, 4)));
    await inbox.ingest(message(1, 10));
    await inbox.ingest(message(2, 11));
    await inbox.ingest(message(3, 11));
    // One character of the stored ciphertext changed, as by a bad disk or a hand edit (to "x", or to "y" where it
    // already was "x": the IV is random).
    db.$client
      .prepare(
        "update inbox set payload_enc = substr(payload_enc, 1, 20) || " +
          "(case substr(payload_enc, 21, 1) when 'x' then 'y' else 'x' end) || substr(payload_enc, 22) " +
          "where update_id = 2",
      )
      .run();
    const handled: number[] = [];
    const quarantined: { updateId: number; code: string }[] = [];
    const lookups = vi.spyOn(inbox, "nextInLane");
    const worker = createInboxWorker({
      store: inbox,
      handle: async (u) => {
        handled.push(u.update_id);
      },
      onQuarantine: async (pending, code) => {
        quarantined.push({ updateId: pending.updateId, code });
      },
      logger: createLogger("silent"),
    });
    worker.start();
    await vi.advanceTimersByTimeAsync(50);
    await worker.stop();
    expect(quarantined).toEqual([{ updateId: 2, code: "SPEAN_CRYPTO_FAILED" }]);
    expect(handled.sort()).toEqual([1, 3]);
    expect(await inbox.counts()).toEqual({ pending: 0, done: 2, quarantined: 1 });
    expect(lookups.mock.calls.length).toBeLessThan(20);
  });
});

describe("a full disk", () => {
  it("counts nothing against an update, never stops the worker, resumes by itself with space", async () => {
    await store.ingest(message(1, 10));
    await store.ingest(message(2, 11));
    let full = true;
    const handled: number[] = [];
    const worker = createInboxWorker({
      store,
      handle: async (u) => {
        if (full) throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
        handled.push(u.update_id);
      },
      onQuarantine: async () => {
        throw new Error("must not be quarantined");
      },
      logger: createLogger("silent"),
    });
    worker.start();
    await vi.advanceTimersByTimeAsync(30_000); // six pauses' worth of a full disk
    expect(handled).toEqual([]);
    expect(await store.counts()).toEqual({ pending: 2, done: 0, quarantined: 0 });
    full = false;
    await vi.advanceTimersByTimeAsync(DISK_FULL_PAUSE_MS + 100);
    expect(handled.sort()).toEqual([1, 2]);
    expect(await store.counts()).toEqual({ pending: 0, done: 2, quarantined: 0 });
    await worker.stop();
  });
});
