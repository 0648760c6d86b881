/**
 * The one sender: moves due outbox rows to Telegram at no more than `ratePerSecond` overall and no closer than
 * `chatIntervalMs` per chat, honours 429 retry_after, backs off on 5xx, and marks a chat unreachable on 403.
 * Replies to a user's own message skip the queue: {@link OutboxSender.deliverNow} sends them at once, in order.
 */
import type { Logger } from "pino";
import { errorCode } from "../base/errors.ts";
import { hooksFor, type OutboxHookTable } from "./hooks.ts";
import type { OutboxRow, OutboxStore } from "./store.ts";
import { type SendFailure, SendError, type Transport } from "./transport.ts";

export interface OutboxSenderOptions {
  store: OutboxStore;
  /** Transport for queued messages: no retries of its own (the sender owns waiting). */
  transport: Transport;
  /** Transport for direct replies: may retry briefly by itself (capped auto-retry). */
  directTransport: Transport;
  logger: Logger;
  /** Default 25 messages per second. */
  ratePerSecond?: number;
  /** Default 1000 ms between two queued messages to one chat. */
  chatIntervalMs?: number;
  /** Default 8: a row failing with 5xx or network errors this often is given up. */
  maxAttempts?: number;
  /**
   * When Telegram last answered again after an outage. A send that was already under way then and fails for a
   * network reason failed because of the outage: it is tried again at once, not after a back-off.
   */
  recoveredAt?: () => number | undefined;
  /** The features' hooks, by the subject kind of the rows they queued. */
  hooks?: OutboxHookTable;
  /** Called after Telegram accepted any row (e.g. to remember the message id for quick exit), before its hook. */
  onSent?: (row: OutboxRow, messageId: number | undefined) => void;
  /** Called for every failed send, with how it failed (for metrics). */
  onFailure?: (row: OutboxRow, kind: SendFailure["kind"]) => void;
  /**
   * Called when a chat cannot be reached (403 blocked, chat not found), after the row's own hook; `handled` says
   * whether that hook told whoever must know.
   */
  onUnreachable?: (row: OutboxRow, handled: boolean) => void;
  now?: () => number;
  /**
   * Runs direct replies' bookkeeping (claim, mark sent) in a group commit, so that many chats' replies share one
   * SQLite commit. Default: at once, each statement committing by itself.
   */
  commit?: <T>(work: () => T) => Promise<T>;
}

export interface OutboxSender {
  start(): void;
  wake(): void;
  /** Sends the given pending rows now, in order; stops at the first failure and leaves the rest to the queue. */
  deliverNow(ids: number[]): Promise<void>;
  /** What the sender holds in memory: chats it remembers a last send for, and sends in flight (for health). */
  stats(): { trackedChats: number; inFlight: number };
  stop(): Promise<void>;
  /** Resolves when nothing is due and nothing is in flight. */
  idle(): Promise<void>;
}

const BATCH = 500;
const IDLE_POLL_MS = 500;
const MAX_BACKOFF_MS = 5 * 60_000;
/** The per-chat memory is pruned once it holds this many chats. */
const PRUNE_ABOVE_CHATS = 256;

/** Creates the sender (it does nothing until start()). */
export function createOutboxSender(options: OutboxSenderOptions): OutboxSender {
  const { store, transport, directTransport, logger } = options;
  const now = options.now ?? Date.now;
  const commit = options.commit ?? (async <T>(work: () => T) => work());
  const rate = options.ratePerSecond ?? 25;
  const chatInterval = options.chatIntervalMs ?? 1000;
  const maxAttempts = options.maxAttempts ?? 8;
  const burst = Math.max(1, Math.floor(rate / 5));
  const lastSentToChat = new Map<number, number>();
  const inFlight = new Map<number, Promise<void>>();
  let tokens = burst;
  let refilledAt = now();
  let pausedUntil = 0;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  function tick(): void {
    if (!running) return;
    const at = now();
    tokens = Math.min(burst, tokens + ((at - refilledAt) * rate) / 1000);
    refilledAt = at;
    if (at < pausedUntil) return schedule(pausedUntil - at);
    forgetQuietChats(at);
    const seenChats = new Set<number>();
    let waitingOnChat = false;
    for (const row of store.due(BATCH)) {
      if (tokens < 1) break;
      if (seenChats.has(row.chatId)) continue; // one row per chat per tick keeps each chat in order
      seenChats.add(row.chatId);
      if (inFlight.has(row.chatId) || at - (lastSentToChat.get(row.chatId) ?? -Infinity) < chatInterval) {
        waitingOnChat = true;
        continue;
      }
      if (!store.claim(row.id)) continue;
      const beforeSend = hooksFor(options.hooks, row)?.beforeSend;
      const outgoing = beforeSend ? beforeSend(row) : row;
      if (!outgoing) {
        store.markCancelled(row.id);
        continue;
      }
      tokens -= 1;
      lastSentToChat.set(row.chatId, at);
      const sending = send(outgoing, transport, (work) => work())
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          inFlight.delete(row.chatId);
          wake();
        });
      inFlight.set(row.chatId, sending);
    }
    const busy = tokens < 1 || waitingOnChat;
    const nextDue = store.nextDueAt();
    if (busy) return schedule(Math.max(5, Math.ceil(1000 / rate)));
    if (nextDue !== undefined) return schedule(Math.max(0, Math.min(IDLE_POLL_MS, nextDue - at)));
    if (inFlight.size === 0) settleIdle();
    schedule(IDLE_POLL_MS);
  }

  /**
   * A chat's last send time matters only for `chatInterval`; older entries are dropped, so that thousands of chats
   * served once do not stay in memory for the life of the process.
   */
  function forgetQuietChats(at: number): void {
    if (lastSentToChat.size < PRUNE_ABOVE_CHATS) return;
    for (const [chat, sentAt] of lastSentToChat)
      if (at - sentAt >= chatInterval && !inFlight.has(chat)) lastSentToChat.delete(chat);
  }

  function schedule(ms: number): void {
    clearTimeout(timer);
    if (!running) return;
    timer = setTimeout(tick, ms);
    timer.unref?.();
  }

  function wake(): void {
    if (running) schedule(0);
  }

  /** Sends one claimed row; returns true when Telegram accepted it, else when the row will be tried again. */
  async function send(
    row: OutboxRow,
    via: Transport,
    record: (work: () => void) => void | Promise<void>,
  ): Promise<true | { retryAt: number | undefined }> {
    const startedAt = now();
    try {
      const messageId = await via(row.chatId, row.message);
      await record(() => {
        store.markSent(row.id, messageId);
        options.onSent?.(row, messageId);
        hooksFor(options.hooks, row)?.onSent?.(row, messageId);
      });
      return true;
    } catch (err) {
      return { retryAt: handleFailure(row, err, startedAt) };
    }
  }

  /** Records a failure; returns when the row will be tried again (undefined: never). */
  function handleFailure(row: OutboxRow, err: unknown, startedAt: number): number | undefined {
    const code = err instanceof SendError ? err.telegramCode : errorCode(err);
    const failure = err instanceof SendError ? err.failure : ({ kind: "transient" } as const);
    options.onFailure?.(row, failure.kind);
    switch (failure.kind) {
      case "rate_limited":
        pausedUntil = Math.max(pausedUntil, now() + failure.retryAfterMs);
        store.retryLater(row.id, pausedUntil, code, false);
        logger.warn(
          { outboxId: row.id, retryAfterMs: failure.retryAfterMs },
          "telegram rate limit: pausing the sender",
        );
        return pausedUntil;
      case "unreachable":
        store.markFailed(row.id, code);
        logger.warn({ outboxId: row.id, purpose: row.purpose, code }, "chat unreachable");
        options.onUnreachable?.(row, hooksFor(options.hooks, row)?.onUnreachable?.(row) ?? false);
        return;
      case "rejected":
        store.markFailed(row.id, code);
        logger.error(
          { outboxId: row.id, purpose: row.purpose, code, kind: row.message.kind },
          "telegram rejected a message",
        );
        return;
      case "transient": {
        const recovered = options.recoveredAt?.();
        if (recovered !== undefined && startedAt < recovered) {
          // Sent into the outage, failed after it ended: try again now, without counting it.
          store.retryLater(row.id, now(), code, false);
          return now();
        }
        const attempts = row.attempts + 1;
        if (attempts >= maxAttempts) {
          store.markFailed(row.id, code);
          logger.error({ outboxId: row.id, code, attempts }, "message given up after repeated failures");
          return;
        }
        const retryAt = now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempts);
        store.retryLater(row.id, retryAt, code, true);
        logger.warn({ outboxId: row.id, code, attempts }, "send failed, will retry");
        return retryAt;
      }
    }
  }

  function settleIdle(): void {
    if (inFlight.size > 0) return;
    const due = store.nextDueAt();
    if (due !== undefined && due <= now()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    start() {
      store.recoverInterrupted();
      running = true;
      wake();
    },
    wake,
    async deliverNow(ids) {
      // While Telegram has asked the bot to wait (429 retry_after), direct replies wait too: the limit is per bot.
      if (now() < pausedUntil) {
        await commit(() => {
          for (const row of store.pendingByIds(ids)) store.retryLater(row.id, pausedUntil, "RATE_LIMITED", false);
        });
        return wake();
      }
      const rows = await commit(() => store.pendingByIds(ids).filter((row) => store.claim(row.id)));
      for (const [index, row] of rows.entries()) {
        const result = await send(row, directTransport, commit);
        if (result === true) continue;
        // Keep the chat's order: the rest waits until the failed row is due again, then goes out after it.
        const after = result.retryAt ?? now();
        for (const rest of rows.slice(index + 1)) store.retryLater(rest.id, after, "ORDER", false);
        wake();
        return;
      }
    },
    stats() {
      return { trackedChats: lastSentToChat.size, inFlight: inFlight.size };
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await Promise.allSettled([...inFlight.values()]);
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        if (!running) resolve();
        else wake();
      });
    },
  };
}
