/**
 * Commands for staff, answered only in the configured staff chat (STAFF_CHAT_ID). The same command anywhere else
 * gets nothing privileged: in a resident's private chat it falls through to the resident turn ("unknown command"),
 * in any other group it is ignored.
 */
import type { Context, MiddlewareFn } from "grammy";
import type { Locale } from "../base/locale.ts";
import { parseReportMonth, sessionsReport } from "../booking/report.ts";
import type { BookingStore } from "../booking/store.ts";
import { type Reply, text } from "../base/reply.ts";
import { questionsReport } from "../knowledge/report.ts";
import type { KnowledgeStore } from "../knowledge/store.ts";
import type { SafetyStore } from "../safety/store.ts";
import { type AnswerDeps, answerUpdate } from "./answer.ts";
import { commandArgument, commandName } from "./input.ts";

export interface StaffDeps extends AnswerDeps {
  staffChatId: number | undefined;
  knowledge: KnowledgeStore;
  safety: SafetyStore;
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
    const argument = commandArgument(ctx.message?.text ?? "");
    const target = { chatId: deps.staffChatId, updateId: ctx.update.update_id, locale: deps.defaultLocale };
    return answerUpdate(deps, target, () =>
      command === "questions" ? questionsReport(deps.knowledge, { locale: deps.defaultLocale, timeZone: deps.timeZone, safety: deps.safety }) : sessions(deps, argument),
    );
  };
}

/** /sessions [year-month]: the programme's counselling figures, or how to ask when the month is not understood. */
function sessions(deps: StaffDeps, argument: string): Reply {
  const now = deps.now();
  const month = parseReportMonth(argument, now, deps.timeZone);
  if (!month) return { text: [text("booking.report_usage")] };
  return sessionsReport(deps.booking.store, { locale: deps.defaultLocale, timeZone: deps.timeZone, targets: deps.programmeTargets, month, now });
}
