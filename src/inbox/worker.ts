/**
 * The inbox worker: takes pending updates from the inbox and hands them to `handle`, one chat at a time and in
 * update_id order, several chats in parallel. A failing update is retried; after `maxAttempts` it is quarantined
 * so that the chat's later updates are not blocked behind it.
 */
import type { Logger } from "pino";
import { errorCode, isDiskFull } from "../base/errors.ts";
import { oneAtATime } from "../base/one-at-a-time.ts";
import type { InboundUpdate, InboxStore, PendingUpdate } from "./store.ts";

export interface InboxWorkerOptions {
  store: InboxStore;
  /** Handles one update; must mark it done in the same transaction as its state change (or the worker will). */
  handle: (update: InboundUpdate) => Promise<void>;
  /** Told once when an update is quarantined (to apologise to the user and tell staff). */
  onQuarantine: (update: PendingUpdate, code: string, attempts: number) => Promise<void>;
  logger: Logger;
  /** Default 8 chats at once. */
  concurrency?: number;
  /** Default 3. */
  maxAttempts?: number;
  /** Delay before the n-th retry (default 500 ms, then 2 s). */
  retryDelaysMs?: number[];
  /** How often to look for due retries when nothing wakes the worker (default 1 s). */
  idlePollMs?: number;
}

export interface InboxWorker {
  start(): void;
  /** Called after an update is ingested, so it is handled without waiting for the next poll. */
  wake(): void;
  /** Stops taking new updates and waits for the ones being handled. Safe to call twice. */
  stop(): Promise<void>;
  /** Resolves when nothing is pending or being handled (for tests and benchmarks). */
  idle(): Promise<void>;
}

/** How long the worker waits before trying again when the disk is full. */
export const DISK_FULL_PAUSE_MS = 5000;

/** Creates the worker (it does nothing until start()). */
export function createInboxWorker(options: InboxWorkerOptions): InboxWorker {
  const { store, handle, onQuarantine, logger } = options;
  const concurrency = options.concurrency ?? 8;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryDelays = options.retryDelaysMs ?? [500, 2000];
  const idlePollMs = options.idlePollMs ?? 1000;
  const busy = new Map<string, Promise<void>>();
  /** While the disk is full, the worker waits until this time (0: not waiting). */
  let pausedUntil = 0;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];
  /** One look at the inbox at a time. */
  const pump = oneAtATime(pumpOnce, (err) => pauseOn(err));

  async function pumpOnce(): Promise<void> {
    if (!running) return;
    if (Date.now() < pausedUntil) return schedule(pausedUntil - Date.now());
    let lanes: string[];
    try {
      lanes = await store.dueLanes(new Set(busy.keys()), concurrency - busy.size);
    } catch (err) {
      return pauseOn(err);
    }
    for (const lane of lanes) {
      const work = runLane(lane)
        .catch((err: unknown) => pauseOn(err))
        .finally(() => {
          busy.delete(lane);
          pump();
        });
      busy.set(lane, work);
    }
    await schedule();
    if (busy.size === 0) await settleIdle();
  }

  /**
   * The database could not be written (a full disk): nothing is counted against the update, and the worker waits
   * DISK_FULL_PAUSE_MS before trying again, logging once until it works again.
   */
  function pauseOn(err: unknown): void {
    if (!isDiskFull(err)) {
      logger.error({ code: errorCode(err), err: safeError(err) }, "inbox worker error");
      return;
    }
    if (pausedUntil === 0) logger.error({ code: errorCode(err) }, "disk full: handling waits until there is space");
    pausedUntil = Date.now() + DISK_FULL_PAUSE_MS;
    void schedule(DISK_FULL_PAUSE_MS);
  }

  async function runLane(lane: string): Promise<void> {
    for (let next = await store.nextInLane(lane); next && running; next = await store.nextInLane(lane)) {
      const ok = await runOne(next);
      if (!ok) return; // a retry is waiting: later updates of this chat wait behind it, in order
    }
  }

  async function runOne(pending: PendingUpdate): Promise<boolean> {
    // An update that cannot be read will never succeed: set it aside now, so that the chat moves on.
    if (pending.unreadable !== undefined) return quarantineNow(pending, pending.unreadable);
    try {
      await handle(pending.update);
      await store.markDone(pending.updateId);
      if (pausedUntil !== 0) logger.info("disk space again: handling goes on");
      pausedUntil = 0;
      return true;
    } catch (err) {
      if (isDiskFull(err)) throw err; // not the update's fault: the lane waits (see pauseOn)
      const code = errorCode(err);
      const delay = retryDelays[Math.min(pending.attempts, retryDelays.length - 1)] ?? 1000;
      const { attempts, quarantined } = await store.recordFailure(pending.updateId, code, maxAttempts, delay);
      logger.error({ updateId: pending.updateId, code, attempts, err: safeError(err) }, "update failed");
      if (!quarantined) return false;
      return announceQuarantine(pending, code, attempts);
    }
  }

  async function quarantineNow(pending: PendingUpdate, code: string): Promise<boolean> {
    const { attempts } = await store.recordFailure(pending.updateId, code, 1, 0);
    return announceQuarantine(pending, code, attempts);
  }

  async function announceQuarantine(pending: PendingUpdate, code: string, attempts: number): Promise<boolean> {
    logger.error({ updateId: pending.updateId, code, attempts }, "update quarantined");
    await onQuarantine(pending, code, attempts).catch((e) =>
      logger.error({ code: errorCode(e) }, "quarantine notice failed"),
    );
    return true;
  }

  /** Runs pump again after `waitMs`, or (by default) when the next update is due, at most `idlePollMs` from now. */
  async function schedule(waitMs?: number): Promise<void> {
    if (!running) return;
    const wait = waitMs ?? (await untilNextDue());
    clearTimeout(timer);
    if (!running) return;
    timer = setTimeout(pump, wait);
    timer.unref?.();
  }

  /** How long until the next update is due, at most `idlePollMs` (also when the inbox cannot be read). */
  async function untilNextDue(): Promise<number> {
    const due = await store.nextDueAt().catch(() => undefined);
    return due === undefined ? idlePollMs : Math.min(idlePollMs, Math.max(0, due - Date.now()));
  }

  async function settleIdle(): Promise<void> {
    if (busy.size > 0 || (await store.hasPending())) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    start() {
      running = true;
      pump();
    },
    wake() {
      if (running && busy.size < concurrency) queueMicrotask(pump);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await Promise.allSettled([...busy.values()]);
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        settleIdle().catch((err: unknown) => pauseOn(err));
      });
    },
  };
}

/** Error details fit for logs: the code, the message and the stack, never the update. */
function safeError(err: unknown) {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { value: String(err) };
}
