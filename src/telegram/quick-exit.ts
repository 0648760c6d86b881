/**
 * Quick exit (/exit or the 🚪 button, from any state): deletes every message of the chat from the last 48 hours
 * that the bot can delete (its own and the resident's), ends the conversation state, stops a conversation with a
 * caseworker, cancels anything still queued for the chat, and leaves one neutral message (or none). One
 * deleteMessages call takes up to 100 ids, so a 50-message conversation is cleared with a single request.
 */
import type { Context, MiddlewareFn } from "grammy";
import type { ConversationStore } from "../conversations/store.ts";
import type { CommitQueue } from "../db/commit-queue.ts";
import type { Locale } from "../base/locale.ts";
import { decodeCallback } from "../engine/callback-data.ts";
import { EXIT_LABEL } from "../engine/interpreter.ts";
import type { Translator } from "../i18n/translator.ts";
import type { InboxStore } from "../inbox/store.ts";
import type { InteractionLog } from "../interactions/log.ts";
import type { OutboxSender } from "../outbox/sender.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { OutboxStore } from "../outbox/store.ts";
import type { BookingDesk } from "../booking/desk.ts";
import type { Desk } from "../referrals/desk.ts";
import { answerPress } from "./answer.ts";
import { commandName } from "./input.ts";

export interface QuickExitDeps {
  commits: CommitQueue;
  conversations: ConversationStore;
  interactions: InteractionLog;
  inbox: InboxStore;
  outbox: OutboxStore;
  sender: OutboxSender;
  desk: Desk;
  /** Booked appointments stay booked, but their reminders are cancelled with everything else queued. */
  bookingDesk: Pick<BookingDesk, "remindersCancelledByQuickExit">;
  translator: Translator;
  defaultLocale: Locale;
  /** "neutral" (default) leaves one harmless greeting; "none" leaves an empty chat. */
  quickExitMessage: "neutral" | "none";
  logger: { warn: (obj: object, msg: string) => void };
}

/** Telegram's deleteMessages takes at most this many ids per call. */
export const DELETE_BATCH = 100;

export function quickExit(deps: QuickExitDeps): MiddlewareFn<Context> {
  const exitLabels = deps.translator.labelsOf(EXIT_LABEL);
  return async (ctx, next) => {
    if (ctx.chat?.type !== "private") return next();
    const pressed = ctx.callbackQuery?.data !== undefined && decodeCallback(ctx.callbackQuery.data)?.kind === "exit";
    const typedText = ctx.message?.text;
    // On a phone question the 🚪 button is a reply-keyboard button, which sends its label as text.
    const typed = typedText !== undefined && (commandName(typedText) === "exit" || exitLabels.includes(typedText.trim()));
    if (!pressed && !typed) return next();
    const chatId = ctx.chat.id;
    const updateId = ctx.update.update_id;

    if (pressed) {
      // Answered first, so the button stops spinning at once; nothing is said (a toast could be seen).
      await answerPress(ctx, deps.logger);
    }
    const ids = await deps.commits.run(() => {
      const locale = deps.conversations.localeOf(chatId) ?? deps.defaultLocale;
      const messageIds = deps.interactions.takeDeletableMessageIds(chatId);
      if (ctx.message && !messageIds.includes(ctx.message.message_id)) messageIds.push(ctx.message.message_id);
      deps.outbox.cancelForChat(chatId);
      deps.bookingDesk.remindersCancelledByQuickExit(chatId);
      deps.conversations.forget(chatId);
      const staffNotices = deps.desk.residentLeft(chatId);
      deps.interactions.record({ chatId, direction: "in", kind: "quick_exit", updateId });
      const queued: number[] = [];
      for (let start = 0; start < messageIds.length; start += DELETE_BATCH) {
        const id = deps.outbox.enqueue({ dedupeKey: `exit:${updateId}:${start / DELETE_BATCH}`, chatId, purpose: "notice", message: { kind: "delete", messageIds: messageIds.slice(start, start + DELETE_BATCH) } });
        if (id !== undefined) queued.push(id);
      }
      if (deps.quickExitMessage === "neutral") {
        queued.push(...queueReply(deps.outbox, deps.translator, { chatId, dedupeKey: `exit:${updateId}:neutral`, reply: { text: [{ key: "common.exit_neutral" }] }, locale }));
      }
      deps.inbox.markDone(updateId);
      return { queued, staffNotices };
    });
    await deps.sender.deliverNow(ids.queued);
    await deps.sender.deliverNow(ids.staffNotices);
  };
}
