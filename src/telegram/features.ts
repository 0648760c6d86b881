/**
 * The features' commands, buttons and message interceptors (features/contract.ts) as grammY composers. grammY's
 * `command` checks the bot's username, so `/cmd@otherbot` in a shared group is never taken for Spean's; every
 * permission comes from the roles table (staff/roles.ts), and a refusal is audited.
 */
import { Composer, type Context, type NextFunction } from "grammy";
import type { Locale } from "../base/locale.ts";
import type { ConversationStore } from "../conversations/store.ts";
import type { Message } from "grammy/types";
import type { Feature, FeatureButton, FeatureCommand, IncomingMessage, RepliedMessage } from "../features/contract.ts";
import { queueEdit } from "../outbox/queue-reply.ts";
import { markHandled } from "../inbox/store.ts";
import { may } from "../features/roles.ts";
import type { StaffStore } from "../staff/store.ts";
import { type AnswerDeps, answerPress, answerUpdate } from "./answer.ts";
import { mediaKindOf, readInput } from "./input.ts";

export interface FeatureRoutesDeps extends AnswerDeps {
  staffChatId: number | undefined;
  staff: StaffStore;
  conversations: ConversationStore;
  defaultLocale: Locale;
  logger: { warn: (obj: object, msg: string) => void };
}

/** One composer with every feature's buttons, commands and interceptors, in the order of the feature list. */
export function featureRoutes(features: readonly Feature[], deps: FeatureRoutesDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const localeOf = async (chatId: number) => (await deps.conversations.localeOf(chatId)) ?? deps.defaultLocale;
  const privateChats = composer.chatType("private");
  const staffChat = composer
    .chatType(["group", "supergroup"])
    .filter((ctx) => deps.staffChatId !== undefined && ctx.chat.id === deps.staffChatId);

  /** Whether the sender may; a refusal is audited. */
  async function permitted(userId: number, command: FeatureCommand): Promise<boolean> {
    if (!command.permission) return true;
    const allowed = may((await deps.staff.get(userId))?.role, command.permission);
    if (!allowed) await deps.staff.audit(userId, command.permission, undefined, false);
    return allowed;
  }

  async function runCommand(ctx: Context, next: NextFunction, command: FeatureCommand): Promise<void> {
    const from = ctx.from;
    const chatId = ctx.chat?.id;
    if (!from || chatId === undefined || !(await permitted(from.id, command))) return next();
    const locale = command.where === "staff-chat" ? deps.defaultLocale : await localeOf(chatId);
    const input = {
      userId: from.id,
      chatId,
      firstName: from.first_name,
      argument: String(ctx.match ?? "").trim(),
      updateId: ctx.update.update_id,
      locale,
      ...repliedTo(ctx.message?.reply_to_message),
    };
    const answered = await answerUpdate(deps, { chatId, updateId: input.updateId, locale }, () => command.run(input));
    if (!answered) return next();
  }

  async function press(ctx: Context, button: FeatureButton): Promise<void> {
    const query = ctx.callbackQuery;
    if (!query?.data) return;
    const pressed = query.message;
    const updateId = ctx.update.update_id;
    const locale = await localeOf(query.from.id);
    const input = {
      userId: query.from.id,
      chatId: pressed?.chat.id ?? query.from.id,
      messageId: pressed?.message_id,
      data: query.data,
      updateId,
      locale,
    };
    const { outcome, ids } = await deps.commits.run(async () => {
      const outcome = await button.press(input);
      const ids = [...(outcome.outboxIds ?? [])];
      if (outcome.edit && pressed) {
        const edit = {
          chatId: pressed.chat.id,
          messageId: pressed.message_id,
          dedupeKey: `press:${updateId}`,
          reply: outcome.edit,
          locale,
          ...(outcome.editSubject ? { subject: outcome.editSubject } : {}),
        };
        const id = await queueEdit(deps.outbox, deps.translator, edit);
        if (id !== undefined) ids.push(id);
      }
      await markHandled(deps.inbox, updateId);
      return { outcome, ids };
    });
    outcome.afterCommit?.();
    await answerPress(ctx, deps.logger, {
      text: deps.translator.render(locale, outcome.notice),
      alert: outcome.alert ?? false,
    });
    await deps.sender.deliverNow(ids);
  }

  for (const feature of features) {
    for (const button of feature.buttons ?? [])
      composer.callbackQuery(new RegExp(`^${button.prefix}:`), (ctx) => press(ctx, button));
    for (const command of feature.commands ?? []) {
      if (command.where === "private")
        privateChats.command(command.name, (ctx, next) => runCommand(ctx, next, command));
      else staffChat.command(command.name, (ctx, next) => runCommand(ctx, next, command));
    }
  }

  const interceptors = features.flatMap((f) => (f.intercept ? [f.intercept] : []));
  privateChats.on("message", async (ctx, next) => {
    const read = readInput(ctx.update);
    if (!read || read.input.kind === "command") return next();
    const message: IncomingMessage = {
      chatId: ctx.chat.id,
      userId: ctx.from.id,
      messageId: ctx.message.message_id,
      replyTo: ctx.message.reply_to_message?.message_id,
      kind: read.kind,
      text: ctx.message.text ?? ctx.message.caption,
      ...durationOf(ctx.message),
      ...(ctx.message.voice ? { voiceFileId: ctx.message.voice.file_id } : {}),
      updateId: ctx.update.update_id,
    };
    for (const intercept of interceptors) {
      const taken = await deps.commits.run(async () => {
        const result = await intercept(message);
        if (result && !result.answerToo) await markHandled(deps.inbox, message.updateId);
        return result;
      });
      if (!taken) continue;
      await deps.sender.deliverNow([...taken.outboxIds]);
      return taken.answerToo ? next() : undefined;
    }
    return next();
  });
  return composer;
}

/** What a command replied to: who wrote it, its kind, and a voice note's file id and length (nothing else). */
function repliedTo(message: Message | undefined): { replyTo?: RepliedMessage } {
  if (!message) return {};
  const kind = typeof message.text === "string" ? "text" : mediaKindOf(message);
  return {
    replyTo: {
      messageId: message.message_id,
      fromUserId: message.from?.id,
      forwarded: message.forward_origin !== undefined,
      kind,
      ...(message.voice ? { voiceFileId: message.voice.file_id, duration: message.voice.duration } : {}),
    },
  };
}

/** The length in seconds of a voice note, video note, video or audio file (nothing for other messages). */
function durationOf(message: {
  voice?: { duration: number };
  video_note?: { duration: number };
  video?: { duration: number };
  audio?: { duration: number };
}): { duration?: number } {
  const duration = (message.voice ?? message.video_note ?? message.video ?? message.audio)?.duration;
  return duration === undefined ? {} : { duration };
}
