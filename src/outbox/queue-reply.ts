/**
 * Queues an engine reply for a chat: composes it in the chat's language and writes one outbox row per message part.
 * The first part is queued under `dedupeKey`, later parts of a long text under `<dedupeKey>.<n>`. Also: queueing an
 * edit of a message already sent.
 */
import type { Locale } from "../base/locale.ts";
import type { Reply } from "../base/reply.ts";
import type { Translator } from "../i18n/translator.ts";
import { composeReply } from "./compose.ts";
import type { Mention, Subject } from "./message.ts";
import type { OutboxStore, Purpose } from "./store.ts";

export interface QueuedReply {
  chatId: number;
  dedupeKey: string;
  reply: Reply;
  locale: Locale;
  /** Default notice. */
  purpose?: Purpose;
  /** What the reply is about (its feature's outbox hooks are found by it). */
  subject?: Subject;
  /** Staff named on the last line, to be notified by name. */
  mentions?: Mention[];
  /** Not before this time (epoch ms; default now). */
  notBefore?: number;
}

/** Returns the ids of the rows queued now (none for a dedupe key queued before). */
export async function queueReply(outbox: OutboxStore, translator: Translator, queued: QueuedReply): Promise<number[]> {
  const parts = composeReply(queued.reply, queued.locale, translator);
  const ids: number[] = [];
  for (const [part, message] of parts.entries()) {
    if (queued.mentions?.length && part === parts.length - 1) message.mentions = queued.mentions;
    const id = await outbox.enqueue({
      dedupeKey: part === 0 ? queued.dedupeKey : `${queued.dedupeKey}.${part}`,
      chatId: queued.chatId,
      purpose: queued.purpose ?? "notice",
      message,
      ...(queued.subject ? { subject: queued.subject } : {}),
      ...(queued.notBefore !== undefined ? { notBefore: queued.notBefore } : {}),
    });
    if (id !== undefined) ids.push(id);
  }
  return ids;
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
  /** What the edit is about, so that the subject's hooks apply (e.g. erase the row once sent). */
  subject?: Subject;
}

/** Queues a rewrite of a message the bot sent; returns the row id (undefined when queued before). */
export async function queueEdit(
  outbox: OutboxStore,
  translator: Translator,
  edit: QueuedEdit,
): Promise<number | undefined> {
  const [composed] = composeReply(edit.reply, edit.locale, translator) as [ReturnType<typeof composeReply>[number]];
  return await outbox.enqueue({
    dedupeKey: edit.dedupeKey,
    chatId: edit.chatId,
    purpose: edit.purpose ?? "notice",
    message: { kind: "edit", messageId: edit.messageId, text: composed.text, buttons: composed.buttons ?? [] },
    ...(edit.subject ? { subject: edit.subject } : {}),
  });
}
