/**
 * While a caseworker talks with a resident through the bot, the bot stays quiet: the resident's messages are
 * copied to the caseworker and logged to the case. Only /exit (handled earlier), commands such as /menu, and
 * danger words get the bot's own answer; danger words are also passed on, so the caseworker sees them.
 */
import type { Context, MiddlewareFn } from "grammy";
import type { CommitQueue } from "../db/commit-queue.ts";
import type { InboxStore } from "../inbox/store.ts";
import type { InteractionLog } from "../interactions/log.ts";
import type { OutboxSender } from "../outbox/sender.ts";
import type { Desk } from "../referrals/desk.ts";
import type { ReferralStore } from "../referrals/store.ts";
import { readInput } from "./input.ts";

export interface HandoffDeps {
  commits: CommitQueue;
  desk: Desk;
  referrals: ReferralStore;
  interactions: InteractionLog;
  inbox: InboxStore;
  sender: OutboxSender;
  /** The same detector the engine uses. */
  isDanger: (text: string) => boolean;
}

export function handoff(deps: HandoffDeps): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const resident = readInput(ctx.update);
    if (!resident || resident.messageId === undefined || resident.input.kind === "command" || resident.input.kind === "button") return next();
    const { chatId, messageId } = resident;
    const updateId = ctx.update.update_id;
    const danger = resident.input.kind === "text" && deps.isDanger(resident.input.text);
    const ids = await deps.commits.run(() => {
      const referral = deps.referrals.inConversation(chatId);
      if (!referral) return undefined;
      const queued = deps.desk.relayFromResident(referral, { messageId, kind: resident.kind, text: resident.logText, updateId });
      if (!danger) {
        // The resident turn is skipped, so this turn records what it would have: the message and its id.
        deps.interactions.record({ chatId, direction: "in", kind: resident.kind, flow: "case", node: String(referral.id), text: resident.logText, updateId });
        deps.interactions.rememberMessage(chatId, messageId, false);
        deps.inbox.markDone(updateId);
      }
      return queued;
    });
    if (ids === undefined) return next();
    await deps.sender.deliverNow(ids);
    if (danger) return next();
  };
}
