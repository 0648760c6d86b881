/**
 * Quick exit as grammY middleware: recognises /exit, the 🚪 button and its label typed from a reply keyboard in a
 * private chat, from any state, and runs the use case (conversations/quick-exit.ts) in the update's transaction.
 */
import type { Context, MiddlewareFn } from "grammy";
import { quickExit, type QuickExitDeps } from "../conversations/quick-exit.ts";
import type { CommitQueue } from "../db/commit-queue.ts";
import { decodeCallback } from "../engine/callback-data.ts";
import { EXIT_LABEL } from "../engine/interpreter.ts";
import { type InboxStore, markHandled } from "../inbox/store.ts";
import type { OutboxSender } from "../outbox/sender.ts";
import { answerPress } from "./answer.ts";
import { commandName } from "./input.ts";

export interface QuickExitMiddlewareDeps extends QuickExitDeps {
  commits: CommitQueue;
  inbox: InboxStore;
  sender: Pick<OutboxSender, "deliverNow">;
  logger: { warn: (obj: object, msg: string) => void };
}

export function quickExitMiddleware(deps: QuickExitMiddlewareDeps): MiddlewareFn<Context> {
  const exitLabels = deps.translator.labelsOf(EXIT_LABEL);
  return async (ctx, next) => {
    if (ctx.chat?.type !== "private") return next();
    const pressed = ctx.callbackQuery?.data !== undefined && decodeCallback(ctx.callbackQuery.data)?.kind === "exit";
    const typedText = ctx.message?.text;
    // On a phone question the 🚪 button is a reply-keyboard button, which sends its label as text.
    const typed =
      typedText !== undefined && (commandName(typedText) === "exit" || exitLabels.includes(typedText.trim()));
    if (!pressed && !typed) return next();
    const updateId = ctx.update.update_id;
    // Answered first, so the button stops spinning at once; nothing is said (a toast could be seen).
    if (pressed) await answerPress(ctx, deps.logger);
    const ids = await deps.commits.run(async () => {
      const result = await quickExit(deps, {
        chatId: ctx.chat?.id as number,
        updateId,
        ...(ctx.message ? { messageId: ctx.message.message_id } : {}),
      });
      await markHandled(deps.inbox, updateId);
      return result;
    });
    await deps.sender.deliverNow(ids.queued);
    await deps.sender.deliverNow(ids.staffNotices);
  };
}
