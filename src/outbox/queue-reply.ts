/**
 * Queues an engine reply for a chat: renders it in the chat's language and writes one outbox row per message part.
 * The first part is queued under `dedupeKey`, later parts of a long text under `<dedupeKey>.<n>`. Also: queueing an
 * edit of a message already sent.
 */
import type { Locale } from "../base/locale.ts";
import type { Reply } from "../base/reply.ts";
import type { Translator } from "../i18n/translator.ts";
import { renderReply } from "../telegram/renderer.ts";
import type { OutboxStore, Purpose } from "./store.ts";

export interface QueuedReply {
  chatId: number;
  dedupeKey: string;
  reply: Reply;
  locale: Locale;
  /** Default notice. */
  purpose?: Purpose;
  /** Not before this time (epoch ms; default now). */
  notBefore?: number;
}

/** Returns the ids of the rows queued now (none for a dedupe key queued before). */
export function queueReply(outbox: OutboxStore, translator: Translator, message: QueuedReply): number[] {
  return renderReply(message.reply, message.locale, translator).flatMap((payload, part) => {
    const dedupeKey = part === 0 ? message.dedupeKey : `${message.dedupeKey}.${part}`;
    const id = outbox.enqueue({ dedupeKey, chatId: message.chatId, purpose: message.purpose ?? "notice", payload, ...(message.notBefore !== undefined ? { notBefore: message.notBefore } : {}) });
    return id === undefined ? [] : [id];
  });
}

export interface QueuedEdit {
  chatId: number;
  /** The message to rewrite. */
  messageId: number;
  dedupeKey: string;
  /** Its new text and buttons; without buttons, the old ones are removed. */
  reply: Reply;
  locale: Locale;
  /** Default notice. */
  purpose?: Purpose;
}

/** Queues an editMessageText of a message the bot sent; returns the row id (undefined when queued before). */
export function queueEdit(outbox: OutboxStore, translator: Translator, edit: QueuedEdit): number | undefined {
  const [payload] = renderReply(edit.reply, edit.locale, translator) as [Record<string, unknown>];
  return outbox.enqueue({
    dedupeKey: edit.dedupeKey,
    chatId: edit.chatId,
    purpose: edit.purpose ?? "notice",
    method: "editMessageText",
    payload: { ...payload, message_id: edit.messageId, reply_markup: payload.reply_markup ?? { inline_keyboard: [] } },
  });
}
