/**
 * Caseworkers on Telegram: the Claim / Resolve / Talk / End / Could-not-reach / Show-contact buttons (k:... data,
 * in the staff group or a caseworker's private chat), registration with a one-time code (/join), invite codes for
 * admins (/invite), a caseworker's own list (/cases), and relaying a caseworker's messages to the resident.
 *
 * Every press is checked against the presser's role; a resident (or anyone not registered) pressing Claim gets a
 * refusal and the attempt is recorded. Staff commands typed by anyone else fall through to the resident turn,
 * which answers "unknown command": nothing privileged.
 */
import type { Context, MiddlewareFn } from "grammy";
import type { ConversationStore } from "../conversations/store.ts";
import type { Locale } from "../base/locale.ts";
import { type Reply, text } from "../base/reply.ts";
import { type Desk, parseDeskButton } from "../referrals/desk.ts";
import { isRole } from "../staff/roles.ts";
import type { StaffStore } from "../staff/store.ts";
import { type AnswerDeps, answerPress, answerUpdate } from "./answer.ts";
import { commandArgument, commandName } from "./input.ts";

export interface CaseworkDeps extends AnswerDeps {
  desk: Desk;
  staff: StaffStore;
  conversations: ConversationStore;
  defaultLocale: Locale;
  now: () => number;
  logger: { warn: (obj: object, msg: string) => void };
}

/** After this many wrong codes in a day, /join stops checking codes for that user. */
const MAX_JOIN_FAILURES_PER_DAY = 5;

export function casework(deps: CaseworkDeps): MiddlewareFn<Context> {
  const { commits, desk, staff, translator } = deps;

  /** Answers in the chat's language (see answerUpdate). */
  function answer(chatId: number, updateId: number, work: () => Reply | undefined): Promise<void> {
    return answerUpdate(deps, { chatId, updateId, locale: deps.conversations.localeOf(chatId) ?? deps.defaultLocale }, work);
  }

  async function press(ctx: Context, data: string): Promise<void> {
    const userId = ctx.callbackQuery?.from.id as number;
    const button = parseDeskButton(data);
    const result = await commits.run(() => {
      const outcome = button ? desk.press(userId, button.verb, button.referralId) : undefined;
      deps.inbox.markDone(ctx.update.update_id);
      return outcome;
    });
    const locale = deps.conversations.localeOf(userId) ?? deps.defaultLocale;
    await answerPress(ctx, deps.logger, { text: translator.render(locale, result?.notice ?? text("common.expired_short")), alert: result?.alert ?? false });
    if (result) await deps.sender.deliverNow(result.outboxIds);
  }

  function join(userId: number, firstName: string, argument: string): Reply {
    const code = argument.trim();
    if (!code) return { text: [{ key: "casework.join_usage" }] };
    if (staff.refusals(userId, "join", deps.now() - 86_400_000) >= MAX_JOIN_FAILURES_PER_DAY) return { text: [{ key: "casework.join_unknown" }] };
    const result = staff.redeem(code, userId, firstName);
    staff.audit(userId, "join", undefined, result.ok);
    if (!result.ok) return { text: [{ key: `casework.join_${result.reason}` }] };
    return { text: [{ key: "casework.join_ok", params: { name: result.member.displayName, role: { key: `casework.role_${result.member.role}` } } }] };
  }

  return async (ctx, next) => {
    const data = ctx.callbackQuery?.data;
    if (data?.startsWith("k:")) return press(ctx, data);

    const message = ctx.message;
    const from = message?.from;
    if (!message || !from || ctx.chat?.type !== "private") return next();
    const updateId = ctx.update.update_id;
    const chatId = ctx.chat.id;
    const command = commandName(message.text ?? "");
    const argument = commandArgument(message.text ?? "");

    if (command === "join") return answer(chatId, updateId, () => join(from.id, from.first_name, argument));
    if (command === "invite") {
      const member = staff.get(from.id);
      if (member?.role !== "admin") {
        staff.audit(from.id, "invite", undefined, false);
        return next();
      }
      return answer(chatId, updateId, () => {
        const role = argument.trim().toLowerCase();
        if (!isRole(role)) return { text: [{ key: "casework.invite_usage" }] };
        staff.audit(from.id, "invite", undefined, true);
        const code = staff.createInvite(role, from.id);
        return { text: [{ key: "casework.invite_created", params: { role: { key: `casework.role_${role}` }, code } }] };
      });
    }
    if (command === "cases") {
      if (!staff.get(from.id)) return next();
      return answer(chatId, updateId, () => desk.casesFor(from.id));
    }
    if (command) return next();

    // A staff member's plain message: relayed to their case, if they are talking with one.
    if (!staff.get(from.id)) return next();
    const relayed = await commits.run(() => {
      const result = desk.relayFromStaff(from.id, {
        messageId: message.message_id,
        replyTo: message.reply_to_message?.message_id,
        kind: typeof message.text === "string" ? "text" : "other",
        text: message.text ?? message.caption,
        updateId,
      });
      if (result) deps.inbox.markDone(updateId);
      return result;
    });
    if (!relayed) return next();
    await deps.sender.deliverNow(relayed.outboxIds);
  };
}
