/**
 * The Telegram side of the service: the bot, the outbox sender and the inbox worker, wired to one another, with
 * the features' outbox hooks. Nothing starts until told.
 */
import { BotError, type Transformer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { OutboxHooks } from "../outbox/hooks.ts";
import { createInboxWorker } from "../inbox/worker.ts";
import { createOutboxSender, type OutboxSender } from "../outbox/sender.ts";
import { createBot } from "../telegram/bot.ts";
import { createTransport } from "../telegram/transport.ts";
import { createTelegramWatch, type TelegramWatch } from "../telegram/watch.ts";
import type { Cluster } from "../cluster/cluster.ts";
import type { Core } from "./core.ts";
import { createServiceCounts } from "./counts.ts";
import { onQuarantine, onUnreachable } from "./staff-notices.ts";

export interface TelegramSideOptions {
  token: string;
  apiRoot: string;
  botInfo?: UserFromGetMe;
  /** Installed on both APIs (tests route calls to an in-memory fake Telegram). */
  transformer?: Transformer;
  /** Several instances on one PostgreSQL database: the lanes' leases and the shared pace (src/cluster/). */
  cluster?: Cluster;
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
  const { bot, queueApi, pollApi, probeApi } = createBot(
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
  // When Telegram answers again after an outage, what waits on a back-off goes out at once, and the long poll sent
  // into the silence is abandoned for a fresh one (the liveness probe notices the return within seconds).
  const recoveryHooks: (() => void)[] = [];
  const counts = createServiceCounts();
  const watch = createTelegramWatch(logger, core.now, {
    onRecovered: async () => {
      const due = await core.outbox.retryAfterOutage();
      if (due > 0) logger.info({ due }, "retrying messages held back by the outage");
      sender.wake();
      for (const hook of recoveryHooks) hook();
    },
  });
  for (const api of [bot.api, queueApi, pollingApi, probeApi]) {
    api.config.use(watch.transformer);
    if (options.transformer) api.config.use(options.transformer);
  }
  // A shipped recording's upload is remembered; a file id Telegram refuses is forgotten, so its 🔊 goes.
  const voiceFiles = {
    uploaded: (sha256: string, fileId: string) => core.recordings.uploaded(sha256, fileId),
    refused: async (fileId: string) => {
      if ((await core.recordings.refused(fileId)) > 0)
        logger.warn({}, "a voice recording no longer plays; record it again");
    },
  };
  const sender = createOutboxSender({
    store: core.outbox,
    transport: createTransport(queueApi, voiceFiles),
    directTransport: createTransport(bot.api, voiceFiles),
    logger,
    ratePerSecond: config.outboxRatePerSecond,
    chatIntervalMs: config.outboxChatIntervalMs,
    now: core.now,
    commit: (work) => core.commits.run(work),
    recoveredAt: () => watch.status().recoveredAt,
    hooks: new Map<string, OutboxHooks>(core.features.flatMap((f) => [...(f.outboxHooks ?? [])])),
    onFailure: (_row, kind) => counts.failed(kind),
    onSent: async (row, messageId) => {
      counts.sent(row.purpose);
      // Quick exit deletes every message of the last 48 hours; it needs their ids.
      if (messageId !== undefined) await core.interactions.rememberMessage(row.chatId, messageId, true);
    },
    onUnreachable: async (row, handled) => {
      await onUnreachable(core, row, handled);
      sender.wake();
    },
    ...(options.cluster ? { sharedPace: options.cluster.pace, interruptedAfterMs: config.cluster.sendingStaleMs } : {}),
  });
  const worker = createInboxWorker({
    store: core.inbox,
    handle: async (update) => {
      try {
        await bot.handleUpdate(update as never);
      } catch (err) {
        // grammY wraps what the middleware threw; the worker needs the error itself (its code, a full disk).
        throw err instanceof BotError ? err.error : err;
      }
    },
    onQuarantine: async (pending) => {
      counts.quarantined();
      await onQuarantine(core, pending);
      sender.wake();
    },
    logger,
    concurrency: config.workerConcurrency,
    ...(options.cluster ? { leases: options.cluster.lanes } : {}),
  });
  const side = {
    bot,
    queueApi,
    pollingApi,
    sender,
    worker,
    watch,
    /** Runs `hook` whenever Telegram answers again after an outage (e.g. to kick the poller). */
    onRecovered: (hook: () => void) => recoveryHooks.push(hook),
    /** Probes Telegram when nothing was heard from it for a while (started with the service). */
    liveness: createLiveness(() => probeApi.getMe(), watch, core.now),
    /** What was admitted, sent, failed and quarantined (Prometheus reads it when METRICS_PORT is set). */
    counts,
  };
  return side;
}

/** How often liveness looks, how long a quiet Telegram goes unprobed, and a probe's own deadline is the bot's. */
const LIVENESS_TICK_MS = 5000;
const QUIET_MS = 15_000;

/**
 * Liveness: every few seconds, if Telegram is marked unreachable or nothing was heard from it for {@link QUIET_MS},
 * one cheap call (getMe) asks; the watch sees its answer or its failure. Without it a Telegram that falls silent
 * while nothing is being sent would be noticed only when the long poll's deadline passes, and its return as late.
 */
function createLiveness(probe: () => Promise<unknown>, watch: TelegramWatch, now: () => number) {
  let timer: NodeJS.Timeout | undefined;
  let inFlight = false;
  const tick = () => {
    const status = watch.status();
    if (inFlight || (status.reachable && now() - (status.lastAnswerAt ?? 0) < QUIET_MS)) return;
    inFlight = true;
    void probe()
      .catch(() => undefined)
      .finally(() => (inFlight = false));
  };
  return {
    start() {
      timer ??= setInterval(tick, LIVENESS_TICK_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
