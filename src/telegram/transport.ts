/**
 * The outbox's transport over grammY: calls a Bot API method and turns grammY's errors into classified
 * {@link SendError}s.
 */
import { type Api, GrammyError, HttpError } from "grammy";
import { SendError, type Transport } from "../outbox/transport.ts";

/** Builds a transport on a grammY Api (whatever transformers it has installed). */
export function createTransport(api: Api): Transport {
  const raw = api.raw as unknown as Record<string, (params: Record<string, unknown>) => Promise<unknown>>;
  return async (method, params) => {
    const call = raw[method];
    if (!call) throw new SendError({ kind: "rejected" }, "UNKNOWN_METHOD");
    try {
      return await call(params);
    } catch (err) {
      throw classify(err);
    }
  };
}

/** Maps a grammY error to a SendError; codes are safe to log (no message text). */
export function classify(err: unknown): SendError {
  if (err instanceof GrammyError) {
    const code = `TELEGRAM_${err.error_code}`;
    if (err.error_code === 429) return new SendError({ kind: "rate_limited", retryAfterMs: (err.parameters.retry_after ?? 5) * 1000 }, code, { cause: err });
    if (err.error_code === 403 || /chat not found|user is deactivated/i.test(err.description))
      return new SendError({ kind: "unreachable" }, code, { cause: err });
    if (err.error_code >= 500) return new SendError({ kind: "transient" }, code, { cause: err });
    return new SendError({ kind: "rejected" }, code, { cause: err });
  }
  if (err instanceof HttpError) return new SendError({ kind: "transient" }, "NETWORK", { cause: err });
  return new SendError({ kind: "transient" }, "UNEXPECTED", { cause: err });
}
