/**
 * Quick exit (/exit or the 🚪 button, from any state), the use case: forgets the conversation, cancels anything
 * still queued for the chat, lets each feature do its part (a talk with a caseworker ends; reminders are cancelled),
 * queues the deletion of every message of the last 48 hours the bot can delete (its own and the resident's), and
 * one neutral message (or none). Runs inside the update's transaction.
 */
import type { Locale } from "../base/locale.ts";
import type { Feature } from "../features/contract.ts";
import type { Translator } from "../i18n/translator.ts";
import type { InteractionLog } from "../interactions/log.ts";
import { DELETE_MAX_IDS } from "../outbox/message.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { OutboxStore } from "../outbox/store.ts";
import type { ConversationStore } from "./store.ts";

export interface QuickExitDeps {
  conversations: ConversationStore;
  interactions: InteractionLog;
  outbox: OutboxStore;
  translator: Translator;
  defaultLocale: Locale;
  /** "neutral" (default) leaves one harmless greeting; "none" leaves an empty chat. */
  quickExitMessage: "neutral" | "none";
  features: readonly Pick<Feature, "onQuickExit">[];
}

/**
 * Quick exit for `chatId`; `messageId` is the resident's own /exit message, deleted too. Returns the outbox ids
 * for the resident's chat (`queued`) and for staff (`staffNotices`), to send in that order.
 */
export async function quickExit(
  deps: QuickExitDeps,
  exit: { chatId: number; updateId: number; messageId?: number },
): Promise<{ queued: number[]; staffNotices: number[] }> {
  const { chatId, updateId } = exit;
  const locale = (await deps.conversations.localeOf(chatId)) ?? deps.defaultLocale;
  const messageIds = await deps.interactions.takeDeletableMessageIds(chatId);
  if (exit.messageId !== undefined && !messageIds.includes(exit.messageId)) messageIds.push(exit.messageId);
  await deps.outbox.cancelForChat(chatId);
  await deps.conversations.forget(chatId);
  const staffNotices: number[] = [];
  for (const feature of deps.features) staffNotices.push(...((await feature.onQuickExit?.(chatId)) ?? []));
  await deps.interactions.record({ chatId, direction: "in", kind: "quick_exit", updateId });
  const queued: number[] = [];
  for (let start = 0; start < messageIds.length; start += DELETE_MAX_IDS) {
    const message = { kind: "delete", messageIds: messageIds.slice(start, start + DELETE_MAX_IDS) } as const;
    const id = await deps.outbox.enqueue({
      dedupeKey: `exit:${updateId}:${start / DELETE_MAX_IDS}`,
      chatId,
      purpose: "notice",
      message,
    });
    if (id !== undefined) queued.push(id);
  }
  if (deps.quickExitMessage === "neutral") {
    queued.push(
      ...(await queueReply(deps.outbox, deps.translator, {
        chatId,
        dedupeKey: `exit:${updateId}:neutral`,
        reply: { text: [{ key: "common.exit_neutral" }] },
        locale,
      })),
    );
  }
  return { queued, staffNotices };
}
