import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase } from "../../src/db/open.ts";
import { createInboxStore, type InboundUpdate, type InboxStore, laneOf, markHandled } from "../../src/inbox/store.ts";
import { createInboxWorker, DISK_FULL_PAUSE_MS, type InboxWorker, type LaneClaims } from "../../src/inbox/worker.ts";
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

describe("inbox worker with lane leases (several instances)", () => {
  /** What the worker did, in order: "take chat:10", "handle 1", "release chat:10". */
  let events: string[];
  /** Lanes another instance holds: take() refuses them. */
  let heldElsewhere: Set<string>;

  beforeEach(() => {
    events = [];
    heldElsewhere = new Set();
  });

  /** Lane leases as the database would give them, each answer after a round trip of 5 ms. */
  const leases: LaneClaims = {
    async take(lane) {
      events.push(`take ${lane}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return !heldElsewhere.has(lane);
    },
    async release(lane) {
      events.push(`release ${lane}`);
    },
  };

  function leasedWorker(handle: (update: InboundUpdate) => Promise<void> = async () => undefined) {
    return createInboxWorker({
      store,
      handle: async (u) => {
        events.push(`handle ${u.update_id}`);
        await handle(u);
      },
      onQuarantine: async () => {
        throw new Error("must not be quarantined");
      },
      logger: createLogger("silent"),
      leases,
    });
  }

  /** Stops the worker while time moves on: a take under way (a round trip) must end for stop() to resolve. */
  async function stopLeased(worker: InboxWorker): Promise<void> {
    const stopped = worker.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopped;
  }

  it("leaves a lane held elsewhere: its update stays pending, other lanes go on; handled once free", async () => {
    await store.ingest(message(1, 10));
    await store.ingest(message(2, 11));
    heldElsewhere.add("chat:10");
    const worker = leasedWorker();
    worker.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(events).toContain("handle 2");
    expect(events).not.toContain("handle 1");
    expect(events).toContain("take chat:10");
    expect(await store.counts()).toEqual({ pending: 1, done: 1, quarantined: 0 });
    expect((await store.nextInLane("chat:10"))?.updateId).toBe(1);
    heldElsewhere.clear(); // the other instance is done with the chat
    await vi.advanceTimersByTimeAsync(1_100);
    await stopLeased(worker);
    expect(events).toContain("handle 1");
    expect(await store.counts()).toEqual({ pending: 0, done: 2, quarantined: 0 });
  });

  it("takes the lane's lease before each update, and releases the lane once it has nothing left", async () => {
    for (const id of [1, 2, 3]) await store.ingest(message(id, 10));
    const worker = leasedWorker();
    worker.start();
    await vi.advanceTimersByTimeAsync(100);
    await stopLeased(worker);
    expect(events.filter((e) => e.startsWith("handle"))).toEqual(["handle 1", "handle 2", "handle 3"]);
    // Every update is handled right after a take of its lane, with no other update in between.
    events.forEach((event, i) => {
      if (event.startsWith("handle")) expect(events[i - 1]).toBe("take chat:10");
    });
    // Released once, after the last update.
    expect(events.filter((e) => e.startsWith("release"))).toEqual(["release chat:10"]);
    expect(events.indexOf("release chat:10")).toBeGreaterThan(events.indexOf("handle 3"));
    expect(await store.counts()).toEqual({ pending: 0, done: 3, quarantined: 0 });
  });

  it("stops handling a lane whose lease passed to another instance between two updates", async () => {
    for (const id of [1, 2]) await store.ingest(message(id, 10));
    const worker = leasedWorker(async (u) => {
      if (u.update_id === 1) heldElsewhere.add("chat:10"); // this instance's lease ran out meanwhile
    });
    worker.start();
    await vi.advanceTimersByTimeAsync(100);
    await stopLeased(worker);
    expect(events.filter((e) => e.startsWith("handle"))).toEqual(["handle 1"]);
    expect(events).toContain("release chat:10");
    expect(await store.counts()).toEqual({ pending: 1, done: 1, quarantined: 0 });
  });

  it("counts an update handled elsewhere meanwhile (SPEAN_UPDATE_ALREADY_DONE) as done, and goes on", async () => {
    for (const id of [1, 2]) await store.ingest(message(id, 10));
    const failures = vi.spyOn(store, "recordFailure");
    const worker = leasedWorker(async (u) => {
      if (u.update_id !== 1) return;
      await store.markDone(1); // the other instance's handling, committed first
      await markHandled(store, 1); // this one's, in its transaction: refused
    });
    worker.start();
    await vi.advanceTimersByTimeAsync(100);
    await stopLeased(worker);
    expect(failures).not.toHaveBeenCalled();
    expect(events.filter((e) => e.startsWith("handle"))).toEqual(["handle 1", "handle 2"]);
    // Straight on to the next update: the lane was not given up (as after a failure waiting to be retried).
    expect(events.slice(events.indexOf("handle 1"), events.indexOf("handle 2"))).not.toContain("release chat:10");
    expect(await store.counts()).toEqual({ pending: 0, done: 2, quarantined: 0 });
  });

  // A lane refused by take() is still due, and the lane's end runs pump: without a pause the worker asked for it
  // back to back, round trip after round trip (21 takes in 100 ms), for as long as the other instance held it.
  it("does not ask again and again for a lane another instance holds", async () => {
    await store.ingest(message(1, 10));
    heldElsewhere.add("chat:10");
    const worker = leasedWorker();
    worker.start();
    // 100 ms, a tenth of the idle poll: a lane refused once needs no more than a few more tries meanwhile.
    await vi.advanceTimersByTimeAsync(100);
    await stopLeased(worker);
    expect(events.filter((e) => e === "take chat:10").length).toBeLessThanOrEqual(3);
  });
});
