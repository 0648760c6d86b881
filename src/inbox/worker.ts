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
  /**
   * Several instances on one database: a lane's updates are handled only while this instance holds the lane's
   * lease (src/cluster/lane-leases.ts). Default: none, one process holds the database.
   */
  leases?: LaneClaims;
}

/** Who handles a lane now, among several instances. */
export interface LaneClaims {
  /** Takes or renews this instance's lease on `lane`; false when another instance holds it. */
  take(lane: string): Promise<boolean>;
  /** Gives the lane up (nothing left to handle there now). */
  release(lane: string): Promise<void>;
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
  /** Lanes another instance holds, left alone until the time given (else the worker would ask back to back). */
  const heldElsewhere = new Map<string, number>();
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
      lanes = await store.dueLanes(lanesToSkip(), concurrency - busy.size);
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

  /** The lanes being handled here and those another instance holds (until their pause is over). */
  function lanesToSkip(): Set<string> {
    const at = Date.now();
    for (const [lane, until] of heldElsewhere) if (until <= at) heldElsewhere.delete(lane);
    return new Set([...busy.keys(), ...heldElsewhere.keys()]);
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
    const leases = options.leases;
    if (!leases) return runLaneUpdates(lane, async () => true);
    let held = false;
    try {
      // The lease is taken (renewed) before each update: a lane another instance holds is left to it, and looked at
      // again after `idlePollMs` (its holder handles what arrives meanwhile, or gives it up when done).
      await runLaneUpdates(lane, async () => {
        if (await leases.take(lane)) return (held = true);
        heldElsewhere.set(lane, Date.now() + idlePollMs);
        return false;
      });
    } finally {
      // An update that came meanwhile is not left waiting: the lane's end runs pump, which looks at once.
      if (held) await leases.release(lane);
    }
  }

  async function runLaneUpdates(lane: string, mayGoOn: () => Promise<boolean>): Promise<void> {
    while (running && (await mayGoOn())) {
      const next = await store.nextInLane(lane);
      if (!next) return;
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
      if (code === "SPEAN_UPDATE_ALREADY_DONE") {
        // Another instance handled it after this one's lease ran out; this handling was undone. The lane goes on.
        logger.warn({ updateId: pending.updateId }, "update was handled by another instance meanwhile");
        return true;
      }
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

  /**
   * How long until the next update is due, at most `idlePollMs` (also when the inbox cannot be read). An update due
   * already is in a lane being handled, held by another instance, or beyond this look's capacity: the end of a lane
   * runs pump again, so waiting `idlePollMs` for it loses nothing, where looking again at once would loop.
   */
  async function untilNextDue(): Promise<number> {
    const due = await store.nextDueAt().catch(() => undefined);
    if (due === undefined) return idlePollMs;
    const wait = due - Date.now();
    return wait <= 0 ? idlePollMs : Math.min(idlePollMs, wait);
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
