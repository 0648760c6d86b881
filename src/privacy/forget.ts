/**
 * /forget, the use case: erases everything Spean holds about a chat and keeps only anonymous counts. Each feature
 * erases its own records (features' onForget: cases closed, appointments cancelled, questions' text gone, all moved
 * to one anonymous id so that programme figures stay right); then the chat's conversation, resident row,
 * interaction log, remembered message ids, queued messages and inbox rows go. Last, the chat's messages of the last
 * 48 hours are deleted in Telegram and one confirmation is sent; those rows are erased once sent (see feature.ts).
 * Runs inside the update's transaction.
 */
import { randomInt } from "node:crypto";
import type { Locale } from "../base/locale.ts";
import type { ConversationStore } from "../conversations/store.ts";
import type { Feature } from "../features/contract.ts";
import type { InboxStore } from "../inbox/store.ts";
import type { Translator } from "../i18n/translator.ts";
import type { InteractionLog } from "../interactions/log.ts";
import { DELETE_MAX_IDS } from "../outbox/message.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { OutboxStore } from "../outbox/store.ts";

/** Rows queued by /forget: erased as soon as they are settled, so that no row keeps the chat's id. */
export const FORGET_SUBJECT = "forget";

export interface ForgetDeps {
  conversations: ConversationStore;
  interactions: InteractionLog;
  inbox: InboxStore;
  outbox: OutboxStore;
  translator: Translator;
  defaultLocale: Locale;
  /** Every feature, for its onForget. */
  features: () => readonly Pick<Feature, "onForget">[];
}

/**
 * An id that stands for a forgotten chat in the rows kept for counting: negative and far below any Telegram chat id
 * (groups are about -10^12), random, and never linked to the chat it replaced.
 */
export function newAnonymousId(): number {
  return -(2 ** 52 + randomInt(2 ** 47));
}

/** Forgets `chatId`; returns the outbox ids for the chat (`queued`) and for staff (`staffNotices`). */
export async function forgetChat(
  deps: ForgetDeps,
  forget: { chatId: number; updateId: number },
): Promise<{ queued: number[]; staffNotices: number[] }> {
  const { chatId, updateId } = forget;
  const locale = (await deps.conversations.localeOf(chatId)) ?? deps.defaultLocale;
  const anonymousId = newAnonymousId();
  const messageIds = await deps.interactions.takeDeletableMessageIds(chatId);
  const staffNotices: number[] = [];
  for (const feature of deps.features()) staffNotices.push(...((await feature.onForget?.(chatId, anonymousId)) ?? []));
  await deps.outbox.eraseChat(chatId);
  await deps.conversations.erase(chatId);
  await deps.interactions.erase(chatId);
  await deps.inbox.forgetChat(chatId, updateId);

  const subject = { kind: FORGET_SUBJECT, id: 0 };
  const queued: number[] = [];
  for (let start = 0; start < messageIds.length; start += DELETE_MAX_IDS) {
    const message = { kind: "delete", messageIds: messageIds.slice(start, start + DELETE_MAX_IDS) } as const;
    const dedupeKey = `forget:${updateId}:${start / DELETE_MAX_IDS}`;
    const id = await deps.outbox.enqueue({ dedupeKey, chatId, purpose: "notice", message, subject });
    if (id !== undefined) queued.push(id);
  }
  const done = { text: [{ key: "privacy.forgotten" }] };
  queued.push(
    ...(await queueReply(deps.outbox, deps.translator, {
      chatId,
      dedupeKey: `forget:${updateId}:done`,
      reply: done,
      locale,
      subject,
    })),
  );
  return { queued, staffNotices };
}
