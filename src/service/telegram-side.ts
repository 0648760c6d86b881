/**
 * The Telegram side of the service: the bot, the outbox sender and the inbox worker, wired to one another, with
 * the features' outbox hooks. Nothing starts until told.
 */
import type { Transformer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { OutboxHooks } from "../outbox/hooks.ts";
import { createInboxWorker } from "../inbox/worker.ts";
import { createOutboxSender, type OutboxSender } from "../outbox/sender.ts";
import { createBot } from "../telegram/bot.ts";
import { createTransport } from "../telegram/transport.ts";
import { createTelegramWatch } from "../telegram/watch.ts";
import type { Core } from "./core.ts";
import { onQuarantine, onUnreachable } from "./staff-notices.ts";

export interface TelegramSideOptions {
  token: string;
  apiRoot: string;
  botInfo?: UserFromGetMe;
  /** Installed on both APIs (tests route calls to an in-memory fake Telegram). */
  transformer?: Transformer;
}

/** How long one getUpdates waits for updates (its deadline adds a margin, see createBot). */
export const POLL_SECONDS = 30;

export type TelegramSide = ReturnType<typeof createTelegramSide>;

/** Creates the bot, the sender and the worker for `core`. */
export function createTelegramSide(core: Core, options: TelegramSideOptions) {
  const { config, logger } = core;
  // The bot's turns send replies through the sender, and the sender sends through the bot's API: the bot gets a
  // forwarder, which is only called once both exist.
  const forwarder: Pick<OutboxSender, "deliverNow"> = { deliverNow: (ids) => sender.deliverNow(ids) };
  const { bot, queueApi, pollApi } = createBot(
    { token: options.token, apiRoot: options.apiRoot, ...(options.botInfo ? { botInfo: options.botInfo } : {}) },
    {
      ...core,
      translator: core.content.translator,
      sender: forwarder,
      defaultLocale: config.defaultLocale,
      staffChatId: config.staffChatId,
      quickExitMessage: config.quickExitMessage,
    },
  );
  const pollingApi = pollApi(POLL_SECONDS);
  // Installed first, so that it sees every call as it leaves for Telegram (and the test transformer, if any).
  const watch = createTelegramWatch(logger, core.now);
  for (const api of [bot.api, queueApi, pollingApi]) {
    api.config.use(watch.transformer);
    if (options.transformer) api.config.use(options.transformer);
  }
  const sender = createOutboxSender({
    store: core.outbox,
    transport: createTransport(queueApi),
    directTransport: createTransport(bot.api),
    logger,
    ratePerSecond: config.outboxRatePerSecond,
    chatIntervalMs: config.outboxChatIntervalMs,
    now: core.now,
    commit: (work) => core.commits.run(work),
    hooks: new Map<string, OutboxHooks>(core.features.flatMap((f) => [...(f.outboxHooks ?? [])])),
    onSent: (row, messageId) => {
      // Quick exit deletes every message of the last 48 hours; it needs their ids.
      if (messageId !== undefined) core.interactions.rememberMessage(row.chatId, messageId, true);
    },
    onUnreachable: (row, handled) => {
      onUnreachable(core, row, handled);
      sender.wake();
    },
  });
  const worker = createInboxWorker({
    store: core.inbox,
    handle: async (update) => {
      await bot.handleUpdate(update as never);
    },
    onQuarantine: async (pending) => {
      onQuarantine(core, pending);
      sender.wake();
    },
    logger,
    concurrency: config.workerConcurrency,
  });
  return { bot, queueApi, pollingApi, sender, worker, watch };
}
