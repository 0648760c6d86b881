/**
 * The outbox's transport over grammY: renders each message as a Bot API call (renderer.ts), makes it, and turns
 * grammY's errors into classified {@link SendError}s.
 */
import { type Api, GrammyError, HttpError } from "grammy";
import type { Message } from "../outbox/message.ts";
import { SendError, type Transport } from "../outbox/transport.ts";
import { type BotApiCall, botApiCall, voiceCall } from "./renderer.ts";

/**
 * What the transport tells about voice files: an upload's new file id, and a file id Telegram no longer knows. Both
 * only keep a cache right: a failure is ignored (the file is uploaded again next time) and never fails the send.
 */
export interface VoiceFileEvents {
  uploaded: (sha256: string, fileId: string) => Promise<void>;
  refused: (fileId: string) => Promise<void>;
}

type SentMessage = { message_id?: number; voice?: { file_id?: string } };

/** Builds a transport on a grammY Api (whatever transformers it has installed). */
export function createTransport(api: Api, voiceFiles?: VoiceFileEvents): Transport {
  const raw = api.raw as unknown as Record<string, (params: Record<string, unknown>) => Promise<unknown>>;
  async function make({ method, params }: BotApiCall): Promise<SentMessage | true> {
    const call = raw[method];
    if (!call) throw new SendError({ kind: "rejected" }, "UNKNOWN_METHOD");
    return (await call(params)) as SentMessage | true;
  }

  /** By file id first; a file id Telegram refuses is forgotten, and the shipped file (if any) is uploaded instead. */
  async function sendVoice(chatId: number, message: Extract<Message, { kind: "voice" }>): Promise<SentMessage | true> {
    if (message.fileId) {
      try {
        return await make(voiceCall(chatId, message, "file_id"));
      } catch (err) {
        if (!isRefusedFile(err)) throw err;
        await voiceFiles?.refused(message.fileId).catch(() => undefined);
        if (!message.upload) throw err;
      }
    }
    if (!message.upload) throw new SendError({ kind: "rejected" }, "NO_VOICE_FILE");
    const sent = await make(voiceCall(chatId, message, "upload"));
    const fileId = typeof sent === "object" ? sent.voice?.file_id : undefined;
    if (fileId) await voiceFiles?.uploaded(message.upload.sha256, fileId).catch(() => undefined);
    return sent;
  }

  return async (chatId, message) => {
    try {
      const result =
        message.kind === "legacy"
          ? await make({ method: message.method, params: { chat_id: chatId, ...message.params } })
          : message.kind === "voice"
            ? await sendVoice(chatId, message)
            : await make(botApiCall(chatId, message));
      return typeof result === "object" ? result.message_id : undefined;
    } catch (err) {
      throw err instanceof SendError ? err : classify(err);
    }
  };
}

/** Telegram's answer to a file id it does not know (another bot's, or a file it no longer has). */
function isRefusedFile(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /file|identifier/i.test(err.description);
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
