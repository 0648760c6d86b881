/**
 * Long polling that only persists: each batch of updates is written to the inbox before the next getUpdates call
 * confirms it to Telegram, so a crash at any moment loses nothing (Telegram re-sends; the inbox drops duplicates).
 */
import { type Api, GrammyError } from "grammy";
import type { Logger } from "pino";
import { errorCode, isDiskFull } from "../base/errors.ts";
import type { Admitted } from "../inbox/admission.ts";
import type { InboundUpdate } from "../inbox/store.ts";

export interface PollerOptions {
  api: Api;
  /**
   * Admits a batch of updates in one transaction, in order, stopping at the first the inbox has no room for
   * ("full"): those are left with Telegram, which sends them again on the next call.
   */
  ingest: (updates: InboundUpdate[]) => Promise<Admitted[]>;
  /** Called after a batch was stored. */
  onBatch: () => void;
  logger: Logger;
  allowedUpdates: string[];
  /** Default 30 s: Telegram holds the request until an update arrives or this passes. */
  timeoutSeconds?: number;
}

/** How long polling waits before asking again when the inbox had no room, or the disk. */
const FULL_INBOX_WAIT_MS = 1000;
const DISK_FULL_WAIT_MS = 5000;

export interface Poller {
  /** Stops polling; resolves when the last request has ended. */
  stop(): Promise<void>;
  /**
   * Abandons the request in flight and asks again at once: after an outage, a long poll sent into the silence
   * would otherwise hang until its deadline (up to 40 s) although Telegram is back.
   */
  kick(): void;
}

/** Starts polling. */
export function startPolling(options: PollerOptions): Poller {
  const { api, ingest, logger } = options;
  const abort = new AbortController();
  let request: AbortController | undefined;
  let offset: number | undefined;
  let failures = 0;

  async function loop(): Promise<void> {
    while (!abort.signal.aborted) {
      request = new AbortController();
      try {
        const updates = await api.getUpdates(
          { offset, timeout: options.timeoutSeconds ?? 30, allowed_updates: options.allowedUpdates as never },
          AbortSignal.any([abort.signal, request.signal]) as never,
        );
        const valid = updates.filter((update) => typeof update?.update_id === "number") as unknown as InboundUpdate[];
        let admitted: Admitted[];
        try {
          admitted = await ingest(valid);
        } catch (err) {
          if (!isDiskFull(err)) throw err;
          // Nothing is confirmed to Telegram: the updates come again once there is space.
          logger.error({ code: errorCode(err) }, "disk full: polling waits");
          await sleep(DISK_FULL_WAIT_MS, abort.signal);
          continue;
        }
        const taken = admitted.filter((result) => result !== "full").length;
        for (const update of valid.slice(0, taken)) offset = update.update_id + 1;
        if (updates.length > 0) options.onBatch();
        failures = 0;
        if (taken < valid.length) {
          logger.warn({ waiting: valid.length - taken }, "inbox full: polling waits");
          await sleep(FULL_INBOX_WAIT_MS, abort.signal);
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        if (request.signal.aborted) continue; // kicked: ask again at once
        failures += 1;
        const conflict = err instanceof GrammyError && err.error_code === 409;
        const wait = conflict ? 5000 : Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        logger.warn(
          { code: err instanceof GrammyError ? err.error_code : "NETWORK", wait },
          conflict ? "another poller or a webhook is active" : "getUpdates failed",
        );
        await sleep(wait, abort.signal);
      }
    }
  }

  const running = loop();
  return {
    async stop() {
      abort.abort();
      await running;
    },
    kick() {
      request?.abort();
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
