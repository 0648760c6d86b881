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
import { parseReportMonth, sessionsReport } from "../booking/report.ts";
import type { BookingStore } from "../booking/store.ts";
import { type Reply, text } from "../engine/reply.ts";
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
  booking: { store: BookingStore };
  programmeTargets: { sessions: number; families: number };
  defaultLocale: Locale;
  timeZone: string;
  now: () => number;
}

/** The staff commands, by name. */
export const STAFF_COMMANDS = ["questions", "sessions"] as const;

/** Creates the middleware answering staff commands in the staff chat. */
export function staffCommands(deps: StaffDeps): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const command = commandName(ctx.message?.text ?? "");
    if (!command || !(STAFF_COMMANDS as readonly string[]).includes(command) || ctx.chat?.type === "private") return next();
    if (deps.staffChatId === undefined || ctx.chat?.id !== deps.staffChatId) return; // another group: nothing
    const chatId = deps.staffChatId;
    const updateId = ctx.update.update_id;
    const argument = (ctx.message?.text ?? "").replace(/^\/\S+\s*/, "");
    const ids = await deps.commits.run(() => {
      const reply = command === "questions" ? questionsReport(deps.knowledge, { locale: deps.defaultLocale, timeZone: deps.timeZone }) : sessions(deps, argument);
      const queued = queueReply(deps.outbox, deps.translator, { chatId, dedupeKey: `staff:${updateId}`, reply, locale: deps.defaultLocale });
      deps.inbox.markDone(updateId);
      return queued;
    });
    await deps.sender.deliverNow(ids);
  };
}

/** /sessions [year-month]: the programme's counselling figures, or how to ask when the month is not understood. */
function sessions(deps: StaffDeps, argument: string): Reply {
  const now = deps.now();
  const month = parseReportMonth(argument, now, deps.timeZone);
  if (!month) return { text: [text("booking.report_usage")] };
  return sessionsReport(deps.booking.store, { locale: deps.defaultLocale, timeZone: deps.timeZone, targets: deps.programmeTargets, month, now });
}
