/**
 * Counsellors on Telegram: /today (their appointments today) and the ✅ attended / ❌ no-show / 📞 phone buttons
 * on each appointment (v:... data). Every press is checked by the booking desk against who the presser is; a
 * resident pressing such a button gets a refusal, and /today typed by anyone who is not counselling staff falls
 * through to the resident turn ("unknown command").
 */
import type { Context, MiddlewareFn } from "grammy";
import { type BookingDesk, parseCounsellorButton } from "../booking/desk.ts";
import type { ConversationStore } from "../conversations/store.ts";
import type { Locale } from "../base/locale.ts";
import { todayIn } from "../base/local-time.ts";
import { queueEdit } from "../outbox/queue-reply.ts";
import { text } from "../base/reply.ts";
import { type AnswerDeps, answerPress, answerUpdate } from "./answer.ts";
import { commandName } from "./input.ts";

export interface CounsellingDeps extends AnswerDeps {
  bookingDesk: BookingDesk;
  conversations: ConversationStore;
  defaultLocale: Locale;
  timeZone: string;
  now: () => number;
  logger: { warn: (obj: object, msg: string) => void };
}

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
    await answerPress(ctx, deps.logger, { text: translator.render(locale, result.outcome?.notice ?? text("common.expired_short")), alert: result.outcome?.alert ?? false });
    await deps.sender.deliverNow(result.ids);
  }

  return async (ctx, next) => {
    const data = ctx.callbackQuery?.data;
    if (data?.startsWith("v:")) return press(ctx, data);
    const from = ctx.message?.from;
    if (!from || ctx.chat?.type !== "private" || commandName(ctx.message?.text ?? "") !== "today") return next();
    if (!bookingDesk.isCounsellingStaff(from.id)) return next();
    const target = { chatId: from.id, updateId: ctx.update.update_id, locale: localeOf(from.id) };
    return answerUpdate(deps, target, () => bookingDesk.dayList(from.id, todayIn(deps.now(), deps.timeZone)));
  };
}
