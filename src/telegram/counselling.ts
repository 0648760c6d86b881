/**
 * Counsellors on Telegram: /today (their appointments today) and the ✅ attended / ❌ no-show / 📞 phone buttons
 * on each appointment (v:... data). Every press is checked by the booking desk against who the presser is; a
 * resident pressing such a button gets a refusal, and /today typed by anyone who is not counselling staff falls
 * through to the resident turn ("unknown command").
 */
import type { Context, MiddlewareFn } from "grammy";
import { type BookingDesk, parseCounsellorButton } from "../booking/desk.ts";
import type { ConversationStore } from "../conversations/store.ts";
import type { CommitQueue } from "../db/commit-queue.ts";
import type { Locale } from "../engine/actions.ts";
import type { Translator } from "../i18n/translator.ts";
import type { InboxStore } from "../inbox/store.ts";
import { todayIn } from "../scheduling/local-time.ts";
import type { OutboxSender } from "../outbox/sender.ts";
import { queueEdit, queueReply } from "../outbox/queue-reply.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { commandName } from "./input.ts";

export interface CounsellingDeps {
  commits: CommitQueue;
  bookingDesk: BookingDesk;
  conversations: ConversationStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  sender: OutboxSender;
  translator: Translator;
  defaultLocale: Locale;
  timeZone: string;
  now: () => number;
  logger: { warn: (obj: object, msg: string) => void };
}

const CALLBACK_TEXT_MAX = 200;

export function counselling(deps: CounsellingDeps): MiddlewareFn<Context> {
  const { commits, bookingDesk, translator } = deps;
  const localeOf = (chatId: number) => deps.conversations.localeOf(chatId) ?? deps.defaultLocale;

  async function press(ctx: Context, data: string): Promise<void> {
    const userId = ctx.callbackQuery?.from.id as number;
    const pressed = ctx.callbackQuery?.message;
    const button = parseCounsellorButton(data);
    const locale = localeOf(userId);
    const result = await commits.run(() => {
      const outcome = button ? bookingDesk.press(userId, button.verb, button.appointmentId) : undefined;
      const ids: number[] = [];
      if (outcome?.card && pressed) {
        // The pressed entry is rewritten to show the mark (and loses its buttons).
        const id = queueEdit(deps.outbox, translator, { chatId: pressed.chat.id, messageId: pressed.message_id, dedupeKey: `mark:${ctx.update.update_id}`, reply: outcome.card, locale });
        if (id !== undefined) ids.push(id);
      }
      deps.inbox.markDone(ctx.update.update_id);
      return { outcome, ids };
    });
    const notice = result.outcome ? translator.render(locale, result.outcome.notice).slice(0, CALLBACK_TEXT_MAX) : translator.render(locale, { key: "common.expired_short" });
    await ctx
      .answerCallbackQuery({ text: notice, show_alert: result.outcome?.alert ?? false })
      .catch((err: unknown) => deps.logger.warn({ code: (err as { error_code?: number }).error_code }, "answerCallbackQuery failed"));
    await deps.sender.deliverNow(result.ids);
  }

  return async (ctx, next) => {
    const data = ctx.callbackQuery?.data;
    if (data?.startsWith("v:")) return press(ctx, data);
    const from = ctx.message?.from;
    if (!from || ctx.chat?.type !== "private" || commandName(ctx.message?.text ?? "") !== "today") return next();
    if (!bookingDesk.isCounsellingStaff(from.id)) return next();
    const updateId = ctx.update.update_id;
    const ids = await commits.run(() => {
      const locale = localeOf(from.id);
      const replies = bookingDesk.dayList(from.id, todayIn(deps.now(), deps.timeZone));
      const queued = replies.flatMap((reply, i) => queueReply(deps.outbox, translator, { chatId: from.id, dedupeKey: `staff:${updateId}:${i}`, reply, locale }));
      deps.inbox.markDone(updateId);
      return queued;
    });
    await deps.sender.deliverNow(ids);
  };
}
