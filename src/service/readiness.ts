/**
 * What /readyz reports: ready when the service is started, the database takes writes, Telegram answered the latest
 * call, and neither the inbox nor the outbox has had something due waiting for longer than {@link STUCK_AFTER_MS};
 * counts and times only.
 */
import type { Core } from "./core.ts";
import type { TelegramSide } from "./telegram-side.ts";

/** An update or a message due this long ago and still waiting means the worker or the sender is stuck. */
export const STUCK_AFTER_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;

export async function readiness(
  core: Core,
  side: TelegramSide | undefined,
): Promise<{ ready: boolean; checks: Record<string, unknown> }> {
  const at = core.now();
  const telegram = side?.watch.status();
  const oldestUpdate = (await core.inbox.backlog()).oldestReceivedAt;
  const inboxAge = oldestUpdate === undefined ? null : Math.max(0, at - oldestUpdate);
  const nextMessage = await core.outbox.nextDueAt();
  const outboxAge = nextMessage === undefined ? null : Math.max(0, at - nextMessage);
  const database = await core.databaseWritable();
  const checks = {
    started: side !== undefined,
    database,
    telegram: telegram
      ? {
          reachable: telegram.reachable,
          lastAnswerAt: telegram.lastAnswerAt ?? null,
          lastFailureAt: telegram.lastFailureAt ?? null,
        }
      : null,
    inbox: {
      ...(await core.inbox.counts()),
      oldestPendingAgeMs: inboxAge,
      droppedLastHour: await core.inbox.droppedSince(at - HOUR_MS),
    },
    sender: side ? { ...side.sender.stats(), oldestDueAgeMs: outboxAge } : null,
  };
  const flowing = (inboxAge ?? 0) < STUCK_AFTER_MS && (outboxAge ?? 0) < STUCK_AFTER_MS;
  return { ready: side !== undefined && database && (telegram?.reachable ?? false) && flowing, checks };
}
