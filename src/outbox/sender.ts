/**
 * The one sender: moves due outbox rows to Telegram at no more than `ratePerSecond` overall and no closer than
 * `chatIntervalMs` per chat, honours 429 retry_after, backs off on 5xx, and marks a chat unreachable on 403.
 * Replies to a user's own message skip the queue: {@link OutboxSender.deliverNow} sends them at once, in order,
 * when the overall rate allows it and the chat has not used up its burst of CHAT_BURST messages (refilled at one
 * per `chatIntervalMs`, as Telegram allows short bursts in a chat); otherwise they wait in the queue until it does.
 * Without that, one resident typing a hundred messages a second had the bot answer twenty times a second: with
 * everyone else's replies that went past Telegram's 30 a second, and each 429 paused every chat.
 */
import type { Logger } from "pino";
import type { Awaitable } from "../base/awaitable.ts";
import { errorCode } from "../base/errors.ts";
import { oneAtATime } from "../base/one-at-a-time.ts";
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
  /**
   * Default 1000 ms between two queued messages to one chat; direct replies may burst (CHAT_BURST), then get one
   * message per interval. 0: no per-chat limit.
   */
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
  onSent?: (row: OutboxRow, messageId: number | undefined) => Awaitable<void>;
  /** Called for every failed send, with how it failed (for metrics). */
  onFailure?: (row: OutboxRow, kind: SendFailure["kind"]) => void;
  /**
   * Called when a chat cannot be reached (403 blocked, chat not found), after the row's own hook; `handled` says
   * whether that hook told whoever must know.
   */
  onUnreachable?: (row: OutboxRow, handled: boolean) => Awaitable<void>;
  /** The service's clock (default Date.now): when rows are due, and Telegram's retry_after. */
  now?: () => number;
  /**
   * The clock for the rate and the per-chat gap (default Date.now): real elapsed time, which a clock a test or the
   * sandbox has moved (or stopped) must not hold up.
   */
  paceNow?: () => number;
  /**
   * Runs direct replies' bookkeeping (claim, mark sent) in a group commit, so that many chats' replies share one
   * SQLite commit. Default: at once, each statement committing by itself.
   */
  commit?: <T>(work: () => Awaitable<T>) => Promise<T>;
  /**
   * Several instances on one database: Telegram's limits are the bot's, not a process's, so every send also takes
   * a slot from the pace the instances share (src/cluster/send-pace.ts), and a 429 holds them all. Default: none,
   * one process holds the database and its own pace is the bot's.
   */
  sharedPace?: SharedPace;
  /**
   * Several instances: a row still marked "sending" this long after its claim belongs to an instance that died
   * while sending it; every instance looks for such rows every half of it (at most every {@link RECOVER_EVERY_MS})
   * and puts them back. It must be longer than any send can take. Default: none; at start every row marked sending
   * is put back.
   */
  interruptedAfterMs?: number;
}

/** A slot for one message under the shared pace, or how long to wait and whether the bot's limit or the chat's. */
export type PaceSlot = { granted: true } | { granted: false; retryInMs: number; limit: "bot" | "chat" };

/** The bot's sending limits shared by several instances (src/cluster/send-pace.ts implements it). */
export interface SharedPace {
  /** A slot for one message to `chatId`; the chat may get `chatBurst` at once (default 1). */
  take(chatId: number, chatBurst?: number): Promise<PaceSlot>;
  /** Holds every instance's sends for `ms` (Telegram's 429 retry_after). */
  holdAll(ms: number): Promise<void>;
}

export interface OutboxSender {
  /** Puts back rows a crash left marked as being sent, then starts sending. */
  start(): Promise<void>;
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
/** Messages a chat may get in direct replies at once before it is held to one per chat interval. */
export const CHAT_BURST = 5;
/** The per-chat memory is pruned once it holds this many chats. */
const PRUNE_ABOVE_CHATS = 256;
/** With several instances, the longest between two looks for rows a dead instance left marked sending. */
export const RECOVER_EVERY_MS = 10_000;

/** Creates the sender (it does nothing until start()). */
export function createOutboxSender(options: OutboxSenderOptions): OutboxSender {
  const { store, transport, directTransport, logger } = options;
  const now = options.now ?? Date.now;
  const paceNow = options.paceNow ?? Date.now;
  const commit = options.commit ?? (async <T>(work: () => Awaitable<T>) => work());
  const rate = options.ratePerSecond ?? 25;
  const chatInterval = options.chatIntervalMs ?? 1000;
  const maxAttempts = options.maxAttempts ?? 8;
  const burst = Math.max(1, Math.floor(rate / 5));
  const lastSentToChat = new Map<number, number>();
  /** Each chat's burst budget for direct replies (absent: full). */
  const chatBudget = new Map<number, { messages: number; at: number }>();
  const inFlight = new Map<number, Promise<void>>();
  let tokens = burst;
  let refilledAt = paceNow();
  let pausedUntil = 0;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let recoverTimer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  /** Whether the shared pace (if any) gives a slot for one message to `chatId` now. */
  async function sharedSlot(chatId: number, chatBurst: number): Promise<boolean> {
    return !options.sharedPace || (await options.sharedPace.take(chatId, chatBurst)).granted;
  }

  /**
   * Puts back rows left marked sending by a crash: at start all of them (one process), or with several instances
   * those claimed more than `interruptedAfterMs` ago (whoever claimed them died before it could say).
   */
  async function recoverInterrupted(): Promise<void> {
    const recovered = await store.recoverInterrupted(options.interruptedAfterMs ?? 0);
    if (recovered > 0) {
      logger.warn({ recovered }, "messages left being sent by a stopped instance will be sent again");
      wake();
    }
  }

  /**
   * Adds the tokens earned since the last refill (a direct reply may have left the bucket below zero). A clock that
   * stepped back earns nothing, and takes nothing either.
   */
  function refill(at: number): void {
    tokens = Math.min(burst, tokens + (Math.max(0, at - refilledAt) * rate) / 1000);
    refilledAt = at;
  }

  /** What is left of a chat's burst budget at `at` (refilled at one message per chat interval). */
  function budgetOf(chatId: number, at: number): number {
    const budget = chatBudget.get(chatId);
    if (!budget || chatInterval === 0) return CHAT_BURST;
    return Math.min(CHAT_BURST, budget.messages + Math.max(0, at - budget.at) / chatInterval);
  }

  function spendBudget(chatId: number, at: number, messages: number): void {
    if (chatInterval > 0) chatBudget.set(chatId, { messages: budgetOf(chatId, at) - messages, at });
  }

  /** Whether a direct reply to this chat may go out now: the overall rate and the chat's burst budget allow it. */
  function mayReplyNow(chatId: number, paceAt: number): boolean {
    return tokens >= 1 && budgetOf(chatId, paceAt) >= 1;
  }

  /** One look at the queue at a time. */
  const tick = oneAtATime(tickOnce, (err) => {
    logger.error({ code: errorCode(err) }, "outbox sender error");
    schedule(IDLE_POLL_MS);
  });

  async function tickOnce(): Promise<void> {
    if (!running) return;
    const at = now();
    const paceAt = paceNow();
    refill(paceAt);
    if (at < pausedUntil) return schedule(pausedUntil - at);
    forgetQuietChats(paceAt);
    const seenChats = new Set<number>();
    let waitingOnChat = false;
    /** How long until the shared pace gives a slot (Infinity: it gave every slot asked for, or there is none). */
    let sharedWait = Infinity;
    for (const row of await store.due(BATCH)) {
      if (tokens < 1) break;
      if (seenChats.has(row.chatId)) continue; // one row per chat per tick keeps each chat in order
      seenChats.add(row.chatId);
      if (inFlight.has(row.chatId) || paceAt - (lastSentToChat.get(row.chatId) ?? -Infinity) < chatInterval) {
        waitingOnChat = true;
        continue;
      }
      const slot = options.sharedPace ? await options.sharedPace.take(row.chatId) : undefined;
      if (slot && !slot.granted) {
        sharedWait = Math.min(sharedWait, slot.retryInMs);
        if (slot.limit === "bot") break; // no chat may send now
        continue;
      }
      if (!(await store.claim(row.id))) continue;
      const beforeSend = hooksFor(options.hooks, row)?.beforeSend;
      const outgoing = beforeSend ? await beforeSend(row) : row;
      if (!outgoing) {
        await store.markCancelled(row.id);
        continue;
      }
      tokens -= 1;
      spendBudget(row.chatId, paceAt, 1);
      lastSentToChat.set(row.chatId, paceAt);
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
    const nextDue = await store.nextDueAt();
    if (busy) return schedule(Math.max(5, Math.ceil(1000 / rate)));
    if (sharedWait < Infinity) return schedule(Math.max(5, Math.min(IDLE_POLL_MS, sharedWait)));
    if (nextDue !== undefined) return schedule(Math.max(0, Math.min(IDLE_POLL_MS, nextDue - at)));
    if (inFlight.size === 0) await settleIdle();
    schedule(IDLE_POLL_MS);
  }

  /**
   * A chat's last send time matters only for `chatInterval`; older entries are dropped, so that thousands of chats
   * served once do not stay in memory for the life of the process.
   */
  function forgetQuietChats(at: number): void {
    if (lastSentToChat.size < PRUNE_ABOVE_CHATS && chatBudget.size < PRUNE_ABOVE_CHATS) return;
    for (const [chat, sentAt] of lastSentToChat)
      if (at - sentAt >= chatInterval && !inFlight.has(chat)) lastSentToChat.delete(chat);
    for (const chat of chatBudget.keys()) if (budgetOf(chat, at) >= CHAT_BURST) chatBudget.delete(chat);
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
    record: (work: () => Promise<void>) => Promise<void>,
  ): Promise<true | { retryAt: number | undefined }> {
    const startedAt = now();
    try {
      const messageId = await via(row.chatId, row.message);
      await record(async () => {
        await store.markSent(row.id, messageId);
        await options.onSent?.(row, messageId);
        await hooksFor(options.hooks, row)?.onSent?.(row, messageId);
      });
      return true;
    } catch (err) {
      return { retryAt: await handleFailure(row, err, startedAt) };
    }
  }

  /** Records a failure; returns when the row will be tried again (undefined: never). */
  async function handleFailure(row: OutboxRow, err: unknown, startedAt: number): Promise<number | undefined> {
    const code = err instanceof SendError ? err.telegramCode : errorCode(err);
    const failure = err instanceof SendError ? err.failure : ({ kind: "transient" } as const);
    options.onFailure?.(row, failure.kind);
    switch (failure.kind) {
      case "rate_limited":
        pausedUntil = Math.max(pausedUntil, now() + failure.retryAfterMs);
        await store.retryLater(row.id, pausedUntil, code, false);
        await options.sharedPace?.holdAll(failure.retryAfterMs);
        logger.warn(
          { outboxId: row.id, retryAfterMs: failure.retryAfterMs },
          "telegram rate limit: pausing the sender",
        );
        return pausedUntil;
      case "unreachable":
        await store.markFailed(row.id, code);
        logger.warn({ outboxId: row.id, purpose: row.purpose, code }, "chat unreachable");
        await options.onUnreachable?.(row, (await hooksFor(options.hooks, row)?.onUnreachable?.(row)) ?? false);
        return;
      case "rejected":
        await store.markFailed(row.id, code);
        logger.error(
          { outboxId: row.id, purpose: row.purpose, code, kind: row.message.kind },
          "telegram rejected a message",
        );
        return;
      case "transient": {
        const recovered = options.recoveredAt?.();
        if (recovered !== undefined && startedAt < recovered) {
          // Sent into the outage, failed after it ended: try again now, without counting it.
          await store.retryLater(row.id, now(), code, false);
          return now();
        }
        const attempts = row.attempts + 1;
        if (attempts >= maxAttempts) {
          await store.markFailed(row.id, code);
          logger.error({ outboxId: row.id, code, attempts }, "message given up after repeated failures");
          return;
        }
        const retryAt = now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempts);
        await store.retryLater(row.id, retryAt, code, true);
        logger.warn({ outboxId: row.id, code, attempts }, "send failed, will retry");
        return retryAt;
      }
    }
  }

  async function settleIdle(): Promise<void> {
    if (inFlight.size > 0) return;
    const due = await store.nextDueAt();
    if (due !== undefined && due <= now()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    async start() {
      await recoverInterrupted();
      running = true;
      if (options.interruptedAfterMs !== undefined) {
        recoverTimer = setInterval(
          () => {
            recoverInterrupted().catch((err: unknown) =>
              logger.error({ code: errorCode(err) }, "looking for interrupted sends failed"),
            );
          },
          Math.min(RECOVER_EVERY_MS, Math.max(100, options.interruptedAfterMs / 2)),
        );
        recoverTimer.unref?.();
      }
      wake();
    },
    wake,
    async deliverNow(ids) {
      const at = now();
      const paceAt = paceNow();
      refill(paceAt);
      // While Telegram has asked the bot to wait (429 retry_after), replies wait too: the limit is per bot.
      const paused = at < pausedUntil;
      const taken: OutboxRow[] = [];
      const heldBack = await commit(async () => {
        const held = new Set<number>();
        const opened = new Set<number>();
        for (const row of await store.pendingByIds(ids)) {
          if (!opened.has(row.chatId) && !held.has(row.chatId)) {
            // The first message of a chat's reply decides for the whole reply, so that it is not split; a reply
            // held back earlier goes first.
            const blocked =
              paused ||
              !mayReplyNow(row.chatId, paceAt) ||
              (await store.hasHeldBefore(row.chatId, row.id)) ||
              !(await sharedSlot(row.chatId, CHAT_BURST));
            if (blocked) held.add(row.chatId);
            else opened.add(row.chatId);
          } else if (opened.has(row.chatId) && !(await sharedSlot(row.chatId, Number.POSITIVE_INFINITY))) {
            // The bot's shared rate ran out in the middle of a reply: the rest follows through the queue, in order.
            opened.delete(row.chatId);
            held.add(row.chatId);
          }
          if (held.has(row.chatId)) {
            // Due at once: the queue sends it as soon as the rate and the chat's gap allow. A 429 window's rows
            // keep their time when Telegram comes back after an outage (store.retryAfterOutage).
            if (paused) await store.retryLater(row.id, pausedUntil, "RATE_LIMITED", false);
            else await store.retryLater(row.id, at, "PACED", false);
            continue;
          }
          if (!(await store.claim(row.id))) continue;
          tokens -= 1;
          spendBudget(row.chatId, paceAt, 1);
          lastSentToChat.set(row.chatId, paceAt);
          taken.push(row);
        }
        return held.size;
      });
      if (heldBack > 0) wake();
      for (const [index, row] of taken.entries()) {
        const result = await send(row, directTransport, commit);
        if (result === true) continue;
        // Keep the chat's order: the rest waits until the failed row is due again, then goes out after it.
        const after = result.retryAt ?? now();
        for (const rest of taken.slice(index + 1)) await store.retryLater(rest.id, after, "ORDER", false);
        wake();
        return;
      }
    },
    stats() {
      return { trackedChats: Math.max(lastSentToChat.size, chatBudget.size), inFlight: inFlight.size };
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      clearInterval(recoverTimer);
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
