/**
 * Admission to the inbox (src/inbox/admission.ts): a flooding chat is capped and asked to wait, once; danger always
 * gets in; a full inbox takes nothing more; and the worker sees every chat however long one chat's backlog is.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open.ts";
import { createAdmission, RECOUNT_MS } from "../../src/inbox/admission.ts";
import { createInboxStore, type InboundUpdate, type InboxStore } from "../../src/inbox/store.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";

let clock: number;
let store: InboxStore;
let flooded: number[];
let nextId: number;

const text = (chat: number, words = "hello"): InboundUpdate =>
  ({
    update_id: nextId++,
    message: { message_id: nextId, date: 0, chat: { id: chat, type: "private" }, text: words },
  }) as unknown as InboundUpdate;

function admission(limits: { chatLimit?: number; totalLimit?: number } = {}, replies?: Map<number, number>) {
  return createAdmission({
    store,
    ...(replies ? { repliesWaiting: (chatId: number) => replies.get(chatId) ?? 0 } : {}),
    chatLimit: limits.chatLimit ?? 3,
    totalLimit: limits.totalLimit ?? 100,
    isUrgent: (update) => JSON.stringify(update).includes("HELP"),
    onFlooded: (chatId) => void flooded.push(chatId),
    now: () => clock,
  });
}

beforeEach(() => {
  clock = Date.parse("2026-11-30T03:00:00Z");
  store = createInboxStore(openDatabase(":memory:"), createFieldCipher(Buffer.alloc(32, 7)), () => clock);
  flooded = [];
  nextId = 1;
});

describe("admission", () => {
  it("caps one chat's waiting updates, counts the rest, and asks the chat to wait once", async () => {
    const admit = admission();
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await admit.admit(text(11)));
    expect(results).toEqual(["accepted", "accepted", "accepted", "dropped", "dropped", "dropped"]);
    expect(flooded).toEqual([11]);
    expect(await store.droppedSince(0)).toBe(3);
    expect(await admit.admit(text(22))).toBe("accepted"); // another chat is not affected
  });

  it("counts the replies waiting to be sent to a chat with its waiting updates", async () => {
    const replies = new Map([[11, 2]]);
    const admit = admission({}, replies);
    expect([await admit.admit(text(11)), await admit.admit(text(11))]).toEqual(["accepted", "dropped"]);
    expect(await admit.admit(text(11, "HELP"))).toBe("accepted"); // danger still gets in
    replies.set(11, 0); // the replies went out
    expect(await admit.admit(text(11))).toBe("accepted");
    expect(await admit.admit(text(22))).toBe("accepted");
  });

  it("asks again only after five minutes", async () => {
    const admit = admission();
    for (let i = 0; i < 5; i++) await admit.admit(text(11));
    clock += 4 * 60_000;
    await admit.admit(text(11));
    expect(flooded).toEqual([11]);
    clock += 2 * 60_000;
    await admit.admit(text(11));
    expect(flooded).toEqual([11, 11]);
  });

  it("always lets danger in, over the cap", async () => {
    const admit = admission();
    for (let i = 0; i < 3; i++) await admit.admit(text(11));
    expect(await admit.admit(text(11, "HELP he is hitting me"))).toBe("accepted");
    expect(await admit.admit(text(11))).toBe("dropped");
    expect(await store.pendingIn("chat:11")).toBe(4);
  });

  it("a duplicate (Telegram sending an update again) is recognised, not stored twice", async () => {
    const admit = admission();
    const first = text(11);
    expect(await admit.admit(first)).toBe("accepted");
    expect(await admit.admit(first)).toBe("duplicate");
    expect((await store.backlog()).pending).toBe(1);
  });

  it("a full inbox takes nothing more, and a batch stops at the first update it cannot take", async () => {
    const admit = admission({ chatLimit: 100, totalLimit: 4 });
    const batch = Array.from({ length: 6 }, (_, i) => text(100 + i));
    expect(await admit.admitMany(batch)).toEqual(["accepted", "accepted", "accepted", "accepted", "full"]);
    expect((await store.backlog()).pending).toBe(4);
  });

  it("counts the whole inbox at most once a second, and takes updates again within a second of room", async () => {
    const admit = admission({ chatLimit: 100, totalLimit: 4 });
    for (let i = 0; i < 4; i++) await admit.admit(text(100 + i));
    let counts = 0;
    const backlog = store.backlog.bind(store);
    store.backlog = () => (counts++, backlog());
    expect(await admit.admit(text(200))).toBe("full");
    await store.markDone((await store.nextInLane("chat:100"))!.updateId); // the worker handled one: there is room again
    expect(await admit.admit(text(201))).toBe("full"); // the count is less than a second old
    expect(counts).toBe(0);
    clock += RECOUNT_MS;
    expect(await admit.admit(text(202))).toBe("accepted");
    expect(await admit.admit(text(203))).toBe("full"); // the accepted one is added to the count without counting again
    expect(counts).toBe(1);
  });
});

describe("fair lanes", () => {
  it("a chat with a long backlog never hides another chat from the worker", async () => {
    for (let i = 0; i < 600; i++) await store.ingest(text(11));
    await store.ingest(text(22));
    expect(await store.dueLanes(new Set(), 8)).toEqual(["chat:11", "chat:22"]);
    expect(await store.dueLanes(new Set(["chat:11"]), 8)).toEqual(["chat:22"]);
  });
});
