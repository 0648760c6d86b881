/**
 * One resident turn, as grammY middleware: read the input, run the engine, and in one transaction save the new
 * state, log the interaction, queue the replies and mark the update done. Then answer the button press and send
 * the replies. A crash before the commit replays the update; a crash after it leaves the replies queued, and the
 * outbox sender delivers them.
 */
import type { Context, MiddlewareFn } from "grammy";
import type { ConversationStore } from "../conversations/store.ts";
import type { CommitQueue } from "../db/commit-queue.ts";
import type { Locale } from "../base/locale.ts";
import type { Engine } from "../engine/interpreter.ts";
import type { Translator } from "../i18n/translator.ts";
import type { InboxStore } from "../inbox/store.ts";
import type { InteractionLog } from "../interactions/log.ts";
import type { OutboxSender } from "../outbox/sender.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { answerPress } from "./answer.ts";
import { readInput } from "./input.ts";
import { composeReply } from "../outbox/compose.ts";

export interface TurnDeps {
  commits: CommitQueue;
  engine: Engine;
  translator: Translator;
  conversations: ConversationStore;
  interactions: InteractionLog;
  inbox: InboxStore;
  outbox: OutboxStore;
  sender: OutboxSender;
  defaultLocale: Locale;
  now: () => number;
  logger: { warn: (obj: object, msg: string) => void };
}

/**
 * Queued replies wait this long before the rate-limited sender may take them: in the normal case the turn sends
 * them itself right after the commit; after a crash, the sender picks them up.
 */
export const REPLY_GRACE_MS = 10_000;

/** Creates the middleware that handles residents' messages and button presses in private chats. */
export function residentTurn(deps: TurnDeps): MiddlewareFn<Context> {
  const { commits, engine, translator, conversations, interactions, inbox, outbox, sender } = deps;

  return async (ctx, next) => {
    const resident = readInput(ctx.update);
    if (!resident) return next();
    const { chatId } = resident;
    const updateId = ctx.update.update_id;
    const at = deps.now();

    const { replyIds, notice } = await commits.run(() => {
      const chosen = conversations.touch(chatId, resident.userId).locale;
      const previous = conversations.load(chatId);
      const turn = engine.handle(previous, resident.input, { chatId, locale: chosen ?? deps.defaultLocale, now: new Date(at) });
      const locale = turn.locale ?? chosen ?? deps.defaultLocale;
      if (turn.locale) conversations.setLocale(chatId, turn.locale);
      conversations.save(chatId, turn.state);

      const [fromFlow, fromNode] = split(previous?.node);
      interactions.record({ chatId, direction: "in", kind: resident.kind, flow: fromFlow, node: fromNode, text: resident.logText, updateId });
      if (resident.messageId !== undefined) interactions.rememberMessage(chatId, resident.messageId, false, at);

      const [toFlow, toNode] = split(turn.state.node);
      const replyIds: number[] = [];
      turn.replies.forEach((reply, r) => {
        composeReply(reply, locale, translator).forEach((message, p) => {
          const id = outbox.enqueue({ dedupeKey: `reply:${updateId}:${r}.${p}`, chatId, purpose: "reply", message, notBefore: at + REPLY_GRACE_MS });
          if (id !== undefined) replyIds.push(id);
          interactions.record({ chatId, direction: "out", kind: "message", flow: toFlow, node: toNode, text: message.text, updateId });
        });
      });
      inbox.markDone(updateId);
      return { replyIds, notice: turn.notice ? translator.render(locale, turn.notice) : undefined };
    });

    if (resident.callbackQueryId) await answerPress(ctx, deps.logger, notice === undefined ? undefined : { text: notice });
    await sender.deliverNow(replyIds);
  };
}

function split(ref: string | undefined): [string | undefined, string | undefined] {
  if (!ref) return [undefined, undefined];
  const dot = ref.indexOf(".");
  return [ref.slice(0, dot), ref.slice(dot + 1)];
}
