/**
 * Telegram's sending limits shared by every instance (PostgreSQL). The limits are per bot, not per process: about
 * 30 messages a second overall, and about one a second in a chat after a short burst. Each instance asks for a slot
 * before a send; the slot is given by the database, so three instances together stay under the bot's limits.
 *
 * Each limit is a "generic cell rate" pace (GCRA): one stored time per limit, the theoretical time the next message
 * is due. A message may go when that time is at most a burst's worth of intervals ahead of now; it then moves the
 * time on by one interval. One integer per limit, and the same rule serves the overall rate (interval 1000 / rate,
 * burst rate / 5, as the one-process sender has it) and each chat (interval 1 s, a burst of 5 for direct replies or 1
 * for queued ones). The bot's row also holds Telegram's 429 `retry_after`: every instance waits it out.
 *
 * Both rows are read `for update` in one transaction, the bot's first, so concurrent instances queue on the bot's
 * row for the moment a transaction takes instead of both spending the same slot, and never deadlock. Times are the
 * database server's clock.
 */
import { eq, lt, sql } from "drizzle-orm";
import type { PgDb } from "../db/postgres.ts";
import type { SharedPace } from "../outbox/sender.ts";
import { botSendPace, chatSendPace } from "../db/pg-schema.ts";
import { SERVER_NOW_MS } from "./server-clock.ts";

export interface SendPaceOptions {
  /** Whose limits: instances of one bot pass the same key (e.g. the bot's id). */
  bot: string;
  /** Overall messages a second. Default 25 (Telegram allows about 30). */
  ratePerSecond?: number;
  /** Milliseconds between two messages to one chat once its burst is spent. Default 1,000. */
  chatIntervalMs?: number;
}

/**
 * The sender's shared pace (outbox/sender.ts: `take` gives a slot for one message to a chat, or how long to wait and
 * which limit said so; `holdAll` is Telegram's 429 for every instance), and its upkeep.
 */
export interface SendPace extends SharedPace {
  /** Forgets chats whose next message was due in the past (their burst is whole again); returns how many. */
  prune(): Promise<number>;
}

/** A pace at one moment: the server's time, and when its next message is due. */
interface PaceRow {
  now: number;
  due: number;
}

/** The limits of `options.bot`, kept in the PostgreSQL database `db`. */
export function createPgSendPace(db: PgDb, options: SendPaceOptions): SendPace {
  const rate = options.ratePerSecond ?? 25;
  // Whole milliseconds (the column is an integer), rounded up: never faster than the rate asked for.
  const botInterval = Math.ceil(1000 / rate);
  const botBurst = Math.max(1, Math.floor(rate / 5));
  const chatInterval = options.chatIntervalMs ?? 1000;

  /** How long until a message may go under a pace whose next message is due at `due` (0: now). */
  function waitFor(row: PaceRow, interval: number, burst: number): number {
    return Math.max(0, Math.ceil(row.due - row.now - (burst - 1) * interval));
  }

  return {
    take(chatId, chatBurst = 1) {
      return db.transaction(async (tx) => {
        // Each row is made the first time it is missing, not inserted "on conflict do nothing" every time: that
        // saves two round trips per message.
        const readBot = () =>
          tx
            .select({ now: SERVER_NOW_MS, due: botSendPace.due, holdUntil: botSendPace.holdUntil })
            .from(botSendPace)
            .where(eq(botSendPace.bot, options.bot))
            .for("update");
        let [bot] = await readBot();
        if (!bot) {
          await tx.insert(botSendPace).values({ bot: options.bot, due: 0, holdUntil: 0 }).onConflictDoNothing();
          [bot] = await readBot();
        }
        if (!bot) throw new Error("the bot's pace row is missing");
        const now = Number(bot.now);
        if (now < bot.holdUntil) return { granted: false, retryInMs: bot.holdUntil - now, limit: "bot" };
        const botRow = { now, due: bot.due };
        const botWait = waitFor(botRow, botInterval, botBurst);
        if (botWait > 0) return { granted: false, retryInMs: botWait, limit: "bot" };
        const readChat = () =>
          tx.select({ due: chatSendPace.due }).from(chatSendPace).where(eq(chatSendPace.chatId, chatId)).for("update");
        let [chat] = await readChat();
        if (!chat) {
          await tx.insert(chatSendPace).values({ chatId, due: 0 }).onConflictDoNothing();
          [chat] = await readChat();
        }
        const chatRow = { now, due: Number(chat?.due ?? 0) };
        const chatWait = waitFor(chatRow, chatInterval, chatBurst);
        if (chatWait > 0) return { granted: false, retryInMs: chatWait, limit: "chat" };
        await tx
          .update(botSendPace)
          .set({ due: Math.max(botRow.due, now) + botInterval })
          .where(eq(botSendPace.bot, options.bot));
        await tx
          .update(chatSendPace)
          .set({ due: Math.max(chatRow.due, now) + chatInterval })
          .where(eq(chatSendPace.chatId, chatId));
        return { granted: true };
      });
    },
    async holdAll(ms) {
      await db
        .insert(botSendPace)
        .values({ bot: options.bot, due: 0, holdUntil: sql`${SERVER_NOW_MS} + ${Math.ceil(ms)}` })
        .onConflictDoUpdate({
          target: botSendPace.bot,
          set: { holdUntil: sql`greatest(${botSendPace.holdUntil}, ${SERVER_NOW_MS} + ${Math.ceil(ms)})` },
        });
    },
    async prune() {
      const removed = await db
        .delete(chatSendPace)
        .where(lt(chatSendPace.due, SERVER_NOW_MS))
        .returning({ chatId: chatSendPace.chatId });
      return removed.length;
    },
  };
}
