/**
 * Watches every Bot API call, as a grammY transformer: when Telegram last answered and when a call last failed for
 * a network reason or a 5xx (a 4xx is Telegram answering). It logs one warning when Telegram stops answering and
 * one line when it answers again, and /readyz reads it.
 */
import type { Transformer } from "grammy";
import type { Awaitable } from "../base/awaitable.ts";
import { errorCode } from "../base/errors.ts";

export interface TelegramStatus {
  /** When a call last got an answer from Telegram (epoch ms). */
  lastAnswerAt: number | undefined;
  /** When a call last failed without an answer (network, deadline) or with a 5xx. */
  lastFailureAt: number | undefined;
  /** Whether the latest call got an answer (true before any call). */
  reachable: boolean;
  /** When Telegram last answered again after failing (epoch ms). */
  recoveredAt: number | undefined;
}

export interface TelegramWatch {
  transformer: Transformer;
  status(): TelegramStatus;
}

export interface WatchEvents {
  /**
   * Telegram answers again (the service retries at once what waited on a back-off, and polls again). It runs beside
   * the call that noticed; a failure is logged by its code, never thrown into that call.
   */
  onRecovered?: () => Awaitable<void>;
}

/** Creates the watch. `now` defaults to Date.now. */
export function createTelegramWatch(
  logger: { warn: (obj: object, msg: string) => void; info: (obj: object, msg: string) => void },
  now: () => number = Date.now,
  events: WatchEvents = {},
): TelegramWatch {
  let lastAnswerAt: number | undefined;
  let lastFailureAt: number | undefined;
  let reachable = true;
  let recoveredAt: number | undefined;

  const answered = () => {
    lastAnswerAt = now();
    if (reachable) return;
    logger.info({ downForMs: lastAnswerAt - (lastFailureAt ?? lastAnswerAt) }, "telegram answers again");
    reachable = true;
    recoveredAt = lastAnswerAt;
    void runRecovered();
  };
  const runRecovered = async () => {
    try {
      await events.onRecovered?.();
    } catch (error) {
      logger.warn({ code: errorCode(error) }, "acting on telegram's return failed");
    }
  };
  const failed = (method: string) => {
    lastFailureAt = now();
    if (!reachable) return;
    logger.warn({ method }, "telegram is not answering");
    reachable = false;
  };

  const transformer: Transformer = async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      // A result with ok: false and an error code below 500 is still Telegram answering.
      if (
        (result as { ok?: boolean; error_code?: number }).ok === false &&
        ((result as { error_code?: number }).error_code ?? 0) >= 500
      )
        failed(method);
      else answered();
      return result;
    } catch (err) {
      // A call Spean itself abandoned (polling stopped at shutdown) says nothing about Telegram.
      if (!(signal as AbortSignal | undefined)?.aborted) failed(method);
      throw err;
    }
  };
  return { transformer, status: () => ({ lastAnswerAt, lastFailureAt, reachable, recoveredAt }) };
}
