/**
 * Commands for staff, answered only in the configured staff chat (STAFF_CHAT_ID). The same command anywhere else
 * gets nothing privileged: in a resident's private chat it falls through to the resident turn ("unknown command"),
 * in any other group it is ignored.
 */
import type { Context, MiddlewareFn } from "grammy";
import type { CommitQueue } from "../db/commit-queue.ts";
import type { Locale } from "../engine/actions.ts";
import type { Translator } from "../i18n/translator.ts";
import type { InboxStore } from "../inbox/store.ts";
import { questionsReport } from "../knowledge/report.ts";
import type { KnowledgeStore } from "../knowledge/store.ts";
import type { OutboxSender } from "../outbox/sender.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { commandName } from "./input.ts";

export interface StaffDeps {
  staffChatId: number | undefined;
  commits: CommitQueue;
  translator: Translator;
  knowledge: KnowledgeStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  sender: OutboxSender;
  defaultLocale: Locale;
  timeZone: string;
}

/** The staff commands, by name. */
export const STAFF_COMMANDS = ["questions"] as const;

/** Creates the middleware answering staff commands in the staff chat. */
export function staffCommands(deps: StaffDeps): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const command = commandName(ctx.message?.text ?? "");
    if (!command || !(STAFF_COMMANDS as readonly string[]).includes(command) || ctx.chat?.type === "private") return next();
    if (deps.staffChatId === undefined || ctx.chat?.id !== deps.staffChatId) return; // another group: nothing
    const chatId = deps.staffChatId;
    const updateId = ctx.update.update_id;
    const ids = await deps.commits.run(() => {
      const reply = questionsReport(deps.knowledge, { locale: deps.defaultLocale, timeZone: deps.timeZone });
      const queued = queueReply(deps.outbox, deps.translator, { chatId, dedupeKey: `staff:${updateId}`, reply, locale: deps.defaultLocale });
      deps.inbox.markDone(updateId);
      return queued;
    });
    await deps.sender.deliverNow(ids);
  };
}
