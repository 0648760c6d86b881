/**
 * Admission: whether an arriving update goes into the inbox. One chat may have at most `chatLimit` updates waiting;
 * beyond that its updates are dropped and counted, and the chat is asked (at most once every few minutes) to wait,
 * so that a resident sending a hundred messages a second cannot hold back everyone else or fill the disk. Replies
 * to the chat that wait to be sent count too: the sender keeps a second between two messages to one chat, so a
 * flooding chat's replies pile up behind that gap, and its updates are dropped until they have gone out. A message
 * that reads as danger is always admitted. When the whole inbox holds `totalLimit` updates, nothing more is taken:
 * the webhook answers 503 and polling waits, and Telegram keeps the updates until there is room.
 *
 * The whole inbox is counted at most once a second (RECOUNT_MS), with the updates accepted since added to it:
 * counting on every update made each one cost the whole backlog, so the webhook slowed down most exactly when
 * updates piled up (a 30,000-update backlog took ingest from about 20,000 to about 500 updates a second).
 */
import type { Awaitable } from "../base/awaitable.ts";
import { chatIdOf, type InboundUpdate, type InboxStore, laneOf } from "./store.ts";

export type Admitted = "accepted" | "duplicate" | "dropped" | "full";

export interface AdmissionOptions {
  store: InboxStore;
  /** Updates one chat may have waiting, with the replies waiting to be sent to it (default 20). */
  chatLimit?: number;
  /** Messages to a chat waiting to be sent (default: none counted). */
  repliesWaiting?: (chatId: number) => Awaitable<number>;
  /** Updates the whole inbox may hold waiting (default 10,000). */
  totalLimit?: number;
  /** An update that must never be dropped (a message that reads as danger). */
  isUrgent: (update: InboundUpdate) => boolean;
  /** A chat was asked to wait: queue the message (inside the same transaction). */
  onFlooded: (chatId: number) => Awaitable<void>;
  /** The clock (default Date.now). */
  now?: () => number;
}

/** How stale the count of the whole inbox may be; it only grows in between, so "full" is never missed. */
export const RECOUNT_MS = 1000;

/** A flooding chat is asked to wait at most this often. */
export const FLOOD_NOTICE_EVERY_MS = 5 * 60_000;

export type Admission = ReturnType<typeof createAdmission>;

export function createAdmission(options: AdmissionOptions) {
  const { store } = options;
  const chatLimit = options.chatLimit ?? 20;
  const totalLimit = options.totalLimit ?? 10_000;
  const now = options.now ?? Date.now;
  let waiting: { count: number; countedAt: number } | undefined;

  /** Whether the inbox holds `totalLimit` updates, by a count at most RECOUNT_MS old plus what was accepted since. */
  async function isFull(): Promise<boolean> {
    const at = now();
    if (!waiting || at - waiting.countedAt >= RECOUNT_MS)
      waiting = { count: (await store.backlog()).pending, countedAt: at };
    return waiting.count >= totalLimit;
  }

  async function waitingIn(lane: string, chatId: number): Promise<number> {
    const updates = await store.pendingIn(lane);
    return updates >= chatLimit ? updates : updates + ((await options.repliesWaiting?.(chatId)) ?? 0);
  }

  /** Admits (or not) one update; call inside a transaction. */
  async function admit(update: InboundUpdate): Promise<Admitted> {
    if (await isFull()) return "full";
    const lane = laneOf(update);
    const chatId = chatIdOf(update);
    if (chatId !== undefined && (await waitingIn(lane, chatId)) >= chatLimit && !options.isUrgent(update)) {
      if ((await store.recordDrop(lane, FLOOD_NOTICE_EVERY_MS)) && chatId > 0) await options.onFlooded(chatId);
      return "dropped";
    }
    if (!(await store.ingest(update))) return "duplicate";
    if (waiting) waiting.count++;
    return "accepted";
  }

  return {
    admit,
    /** Admits a batch in order; stops at the first "full" (the rest are left to Telegram). */
    async admitMany(updates: InboundUpdate[]): Promise<Admitted[]> {
      const results: Admitted[] = [];
      for (const update of updates) {
        const result = await admit(update);
        results.push(result);
        if (result === "full") break;
      }
      return results;
    },
  };
}

/** The text of a message update, if it is one (what `isUrgent` usually looks at). */
export function messageTextOf(update: InboundUpdate): string | undefined {
  const message = (update as { message?: { text?: unknown; caption?: unknown } }).message;
  const text = message?.text ?? message?.caption;
  return typeof text === "string" ? text : undefined;
}
