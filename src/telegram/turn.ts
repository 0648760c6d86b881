/**
 * The resident turn as grammY middleware: reads what the resident did in a private chat, takes the turn
 * (conversations/turn.ts) and marks the update done in one transaction, then answers the button press and sends
 * the replies.
 */
import type { Context, MiddlewareFn } from "grammy";
import { takeTurn, type TurnDeps } from "../conversations/turn.ts";
import type { CommitQueue } from "../db/commit-queue.ts";
import { type InboxStore, markHandled } from "../inbox/store.ts";
import type { OutboxSender } from "../outbox/sender.ts";
import { answerPress } from "./answer.ts";
import { readInput } from "./input.ts";

export interface ResidentTurnDeps extends TurnDeps {
  commits: CommitQueue;
  inbox: InboxStore;
  sender: Pick<OutboxSender, "deliverNow">;
  now: () => number;
  logger: { warn: (obj: object, msg: string) => void };
}

/** Creates the middleware that handles residents' messages and button presses in private chats. */
export function residentTurn(deps: ResidentTurnDeps): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const resident = readInput(ctx.update);
    if (!resident) return next();
    const updateId = ctx.update.update_id;
    const { replyIds, notice } = await deps.commits.run(async () => {
      const result = await takeTurn(deps, { ...resident, updateId, at: deps.now() });
      await markHandled(deps.inbox, updateId);
      return result;
    });
    if (resident.callbackQueryId)
      await answerPress(ctx, deps.logger, notice === undefined ? undefined : { text: notice });
    await deps.sender.deliverNow(replyIds);
  };
}
