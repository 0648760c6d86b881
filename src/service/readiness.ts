/**
 * What /readyz reports: ready when the service is started, the database takes writes and Telegram answered the
 * latest call; counts and times only.
 */
import type { Db } from "../db/open.ts";
import type { Core } from "./core.ts";
import type { TelegramSide } from "./telegram-side.ts";

export function readiness(
  core: Core,
  side: TelegramSide | undefined,
): { ready: boolean; checks: Record<string, unknown> } {
  const telegram = side?.watch.status();
  const database = databaseWritable(core.db);
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
    inbox: core.inbox.counts(),
    sender: side?.sender.stats() ?? null,
  };
  return { ready: side !== undefined && database && (telegram?.reachable ?? false), checks };
}

/** Whether the database takes a write lock now (inside a transaction it is writing already). */
function databaseWritable(db: Db): boolean {
  if (db.$client.inTransaction) return true;
  try {
    db.$client.prepare("BEGIN IMMEDIATE").run();
    db.$client.prepare("ROLLBACK").run();
    return true;
  } catch {
    return false;
  }
}
