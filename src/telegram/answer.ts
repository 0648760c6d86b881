/**
 * How staff-facing middleware answers an update: replies queued in the same transaction that marks the update done
 * (so a crash between the two cannot lose or repeat an answer), then sent; and a button press's toast or pop-up.
 */
import type { Context } from "grammy";
import type { CommitQueue } from "../db/commit-queue.ts";
import type { Awaitable } from "../base/awaitable.ts";
import type { Locale } from "../base/locale.ts";
import type { Reply } from "../base/reply.ts";
import type { Translator } from "../i18n/translator.ts";
import { type InboxStore, markHandled } from "../inbox/store.ts";
import type { OutboxSender } from "../outbox/sender.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { OutboxStore } from "../outbox/store.ts";

export interface AnswerDeps {
  commits: CommitQueue;
  translator: Translator;
  inbox: InboxStore;
  outbox: OutboxStore;
  sender: Pick<OutboxSender, "deliverNow">;
}

/** Telegram shows at most 200 characters in a button press's toast or pop-up. */
const CALLBACK_TEXT_MAX = 200;

/**
 * Runs `work` and queues the replies it returns to `chatId`, and marks the update done, in one transaction; then
 * sends them. Dedupe keys are `answer:<update id>:<reply index>`. When `work` returns undefined nothing is queued,
 * the update is left to whoever comes next, and the result is false.
 */
export async function answerUpdate(
  deps: AnswerDeps,
  target: { chatId: number; updateId: number; locale: Locale },
  work: () => Awaitable<Reply | readonly Reply[] | undefined>,
): Promise<boolean> {
  const { chatId, updateId, locale } = target;
  const ids = await deps.commits.run(async () => {
    const result = await work();
    if (result === undefined) return undefined;
    const replies = Array.isArray(result) ? result : [result as Reply];
    const queued: number[] = [];
    for (const [i, reply] of replies.entries())
      queued.push(
        ...(await queueReply(deps.outbox, deps.translator, {
          chatId,
          dedupeKey: `answer:${updateId}:${i}`,
          reply,
          locale,
        })),
      );
    await markHandled(deps.inbox, updateId);
    return queued;
  });
  if (ids === undefined) return false;
  await deps.sender.deliverNow(ids);
  return true;
}

/**
 * Answers a button press so that it stops spinning: with no text, a toast, or (`alert`) a pop-up, cut to
 * Telegram's 200 characters. A failure (the press is too old, Telegram is down) is logged, never thrown: the
 * press's real work is already done.
 */
export async function answerPress(
  ctx: Context,
  logger: { warn: (obj: object, msg: string) => void },
  notice?: { text: string; alert?: boolean },
): Promise<void> {
  const options = notice
    ? { text: notice.text.slice(0, CALLBACK_TEXT_MAX), show_alert: notice.alert ?? false }
    : undefined;
  await ctx
    .answerCallbackQuery(options)
    .catch((err: unknown) =>
      logger.warn({ code: (err as { error_code?: number }).error_code }, "answerCallbackQuery failed"),
    );
}
