/**
 * For the end-to-end reminder tests: one counselling appointment per family, three hours ahead, each with its
 * 2-hour reminder queued in the outbox (as the booking desk queues it) to go out at `remindAt`.
 */
import { REMINDER_SUBJECT } from "../../src/booking/desk.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { queueReply } from "../../src/outbox/queue-reply.ts";
import { createCore } from "../../src/service/core.ts";

/** Books `families` appointments for chats `firstChat`, `firstChat + 1`, … in the database `env` configures. */
export async function bookFamiliesWithReminders(
  env: Record<string, string>,
  options: { families: number; firstChat: number; remindAt: number },
): Promise<void> {
  const core = await createCore(loadConfig(env), createLogger("silent"));
  const now = Date.now();
  try {
    await core.commits.run(async () => {
      for (let i = 0; i < options.families; i++) {
        const startsAt = now + 3 * 3_600_000 + i * 60_000;
        const a = await core.booking.store.insert({
          chatId: options.firstChat + i,
          counsellorId: 3001,
          topic: "health",
          site: "prek_pnov",
          startsAt,
          endsAt: startsAt + 3_600_000,
          forWhom: "self",
          locale: "km",
        });
        await queueReply(core.outbox, core.content.translator, {
          chatId: a.chatId,
          dedupeKey: `reminder:${a.id}:120`,
          subject: { kind: REMINDER_SUBJECT, id: a.id, rung: 120 },
          reply: { text: [{ key: "booking.reminder" }] },
          locale: "km",
          purpose: "reminder",
          notBefore: options.remindAt,
        });
      }
    });
  } finally {
    await core.close();
  }
}
