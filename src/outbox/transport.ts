/**
 * How the outbox reaches a chat, without knowing Telegram: a function that delivers one message, and the ways that
 * can fail. src/telegram/transport.ts builds one from grammY's Api and the renderer.
 */
import { SpeanError } from "../base/errors.ts";
import type { OutboxRow } from "./store.ts";

export type SendFailure =
  /** 429: wait retryAfterMs before sending again. */
  | { kind: "rate_limited"; retryAfterMs: number }
  /** 403 blocked / deactivated, or chat not found: this chat cannot receive messages. */
  | { kind: "unreachable" }
  /** Any other 4xx: the message itself is wrong; sending it again would fail again. */
  | { kind: "rejected" }
  /** 5xx or network: try again later. */
  | { kind: "transient" };

/** A failed Bot API call, classified. `code` is safe to log (e.g. TELEGRAM_403). */
export class SendError extends SpeanError {
  constructor(
    readonly failure: SendFailure,
    readonly telegramCode: string,
    options?: { cause?: unknown },
  ) {
    super("SPEAN_SEND_FAILED", `send failed: ${failure.kind} (${telegramCode})`, { failure, telegramCode }, options);
  }
}

/**
 * Delivers one message to a chat; resolves with the new message's id (none for deletions), rejects with
 * {@link SendError}.
 */
export type Transport = (chatId: number, message: OutboxRow["message"]) => Promise<number | undefined>;
