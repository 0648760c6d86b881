/**
 * The outbox's transport over grammY: renders each message as a Bot API call (renderer.ts), makes it, and turns
 * grammY's errors into classified {@link SendError}s.
 */
import { type Api, GrammyError, HttpError } from "grammy";
import { SendError, type Transport } from "../outbox/transport.ts";
import { botApiCall } from "./renderer.ts";

/** Builds a transport on a grammY Api (whatever transformers it has installed). */
export function createTransport(api: Api): Transport {
  const raw = api.raw as unknown as Record<string, (params: Record<string, unknown>) => Promise<unknown>>;
  return async (chatId, message) => {
    const { method, params } =
      message.kind === "legacy"
        ? { method: message.method, params: { chat_id: chatId, ...message.params } }
        : botApiCall(chatId, message);
    const call = raw[method];
    if (!call) throw new SendError({ kind: "rejected" }, "UNKNOWN_METHOD");
    try {
      const result = (await call(params)) as { message_id?: number } | true;
      return typeof result === "object" ? result.message_id : undefined;
    } catch (err) {
      throw classify(err);
    }
  };
}

/** Maps a grammY error to a SendError; codes are safe to log (no message text). */
export function classify(err: unknown): SendError {
  if (err instanceof GrammyError) {
    const code = `TELEGRAM_${err.error_code}`;
    if (err.error_code === 429)
      return new SendError({ kind: "rate_limited", retryAfterMs: (err.parameters.retry_after ?? 5) * 1000 }, code, {
        cause: err,
      });
    if (err.error_code === 403 || /chat not found|user is deactivated/i.test(err.description))
      return new SendError({ kind: "unreachable" }, code, { cause: err });
    if (err.error_code >= 500) return new SendError({ kind: "transient" }, code, { cause: err });
    return new SendError({ kind: "rejected" }, code, { cause: err });
  }
  if (err instanceof HttpError) return new SendError({ kind: "transient" }, "NETWORK", { cause: err });
  return new SendError({ kind: "transient" }, "UNEXPECTED", { cause: err });
}
