/**
 * The whole service for the configured mode (sandbox, polling or webhook): the core, the HTTP server, the Telegram
 * side and the jobs. Nothing runs at import; createService returns an object whose start() listens, polls and
 * schedules, and whose stop() undoes it all.
 */
import type { FastifyInstance } from "fastify";
import { errorCode, SpeanError } from "../base/errors.ts";
import { DEMO_COUNSELLORS, seedDemoCounsellors } from "../booking/demo-seed.ts";
import type { Config } from "../config.ts";
import type { Content } from "../content/load.ts";
import { buildApp } from "../http/app.ts";
import { buildMetricsApp } from "../http/metrics.ts";
import type { Logger } from "pino";
import type { FakeTelegram } from "../sandbox/fake-telegram.ts";
import { readSandboxPage } from "../sandbox/routes.ts";
import { startJobs } from "../scheduling/jobs.ts";
import { COMMANDS } from "../telegram/bot.ts";
import { type Poller, startPolling } from "../telegram/polling.ts";
import { type Cluster, createCluster } from "../cluster/cluster.ts";
import type { Election } from "../cluster/election.ts";
import { type Core, createCore } from "./core.ts";
import { scheduledJobs } from "./jobs.ts";
import { readiness } from "./readiness.ts";
import { createSandboxClock, createSandboxTelegram, SANDBOX_STAFF } from "./sandbox.ts";
import { createTelegramSide, POLL_SECONDS, type TelegramSide } from "./telegram-side.ts";

/** The update types Spean asks Telegram for. */
export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"];

export interface Service {
  core: Core;
  /** Present in sandbox mode. */
  fake: FakeTelegram | undefined;
  /** The address the HTTP server listens on, once started. */
  address: string | undefined;
  app: FastifyInstance | undefined;
  start(): Promise<void>;
  /** Stops taking updates, finishes in-flight work, stops jobs, closes the database. Safe to call twice. */
  stop(): Promise<void>;
  /** Runs a scheduled job now, as its schedule would (tests drive escalation on a fake clock this way). */
  runJob(name: string): Promise<unknown>;
}

/**
 * Creates the whole service for the configured mode. `options.now` replaces the clock (default Date.now);
 * `options.content` is content already loaded (tests that change it, e.g. add a shipped recording).
 */
export async function createService(
  config: Config,
  logger: Logger,
  options: { now?: () => number; content?: Content } = {},
): Promise<Service> {
  // In the sandbox (and only there) the clock can be moved forward through its API.
  const clock = config.mode === "sandbox" && !options.now ? createSandboxClock() : undefined;
  const core = await createCore(
    config,
    logger,
    options.now ?? clock?.now,
    options.content ? { content: options.content } : {},
  );
  const fake = config.mode === "sandbox" ? createSandboxTelegram(core.now) : undefined;
  if (fake) for (const member of SANDBOX_STAFF) await core.staff.register(member.id, member.role, member.name);
  if (config.demoData) {
    await seedDemoCounsellors(core.staff, core.booking.store);
    for (const demo of DEMO_COUNSELLORS)
      fake?.addUser({ id: demo.telegramUserId, first_name: demo.displayName, language_code: "km" });
  }
  let side: TelegramSide | undefined;
  let cluster: Cluster | undefined;
  let poller: Poller | undefined;
  let election: Election | undefined;
  /** Starting and stopping the poller as the lead comes and goes, one change at a time. */
  let pollerChanges: Promise<void> = Promise.resolve();
  let metricsApp: FastifyInstance | undefined;
  let stopJobs: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;

  const service: Service = {
    core,
    fake,
    address: undefined,
    app: undefined,
    async start() {
      const webhookPath = config.webhook ? new URL(config.webhook.url).pathname : undefined;
      const app = await buildApp({
        logger,
        health: async () => ({
          mode: config.mode,
          inbox: await core.inbox.counts(),
          outbox: await core.outbox.counts(),
        }),
        ready: () => readiness(core, side),
        ...(config.webhook && webhookPath
          ? {
              webhook: {
                path: webhookPath,
                secret: config.webhook.secret,
                ingest: async (u) => {
                  const admitted = await core.commits.run(() => core.admission.admit(u));
                  side?.counts.admitted(admitted);
                  return admitted;
                },
                onIngested: () => side?.worker.wake(),
              },
            }
          : {}),
        console: {
          console: core.console,
          translator: core.content.translator,
          directory: core.content.directory,
          defaultLocale: config.defaultLocale,
          timeZone: config.timeZone,
          now: core.now,
          commit: (work) => core.commits.run(work),
          sendNow: async (ids) => void (await side?.sender.deliverNow([...ids])),
          secureCookies: config.console.url?.startsWith("https://") ?? false,
        },
        ...(fake
          ? {
              sandbox: {
                fake,
                ...(clock ? { clock } : {}),
                page: {
                  html: readSandboxPage(),
                  strings: { km: core.content.resources.km.sandbox, en: core.content.resources.en.sandbox },
                },
              },
            }
          : {}),
      });
      service.app = app;
      service.address = await app.listen({ host: config.host, port: config.port });
      const port = new URL(service.address).port;
      // The sandbox's console links point at the sandbox itself; a real deployment names its origin (CONSOLE_URL).
      if (fake) core.console.useOrigin(service.address.replace("127.0.0.1", "localhost"));

      const token = fake ? fake.token : (config.botToken as string);
      cluster = clusterFor(core, token);
      cluster?.start();
      side = createTelegramSide(core, {
        token,
        apiRoot: fake ? `http://127.0.0.1:${port}` : config.telegramApiRoot,
        ...(fake ? { botInfo: fake.botInfo } : {}),
        ...(cluster ? { cluster } : {}),
      });
      if (!fake) await side.bot.init();
      await side.sender.start();
      side.liveness.start();
      side.worker.start();
      await registerCommands(side, core);

      if (config.mode === "webhook" && config.webhook) {
        await side.bot.api.setWebhook(config.webhook.url, {
          secret_token: config.webhook.secret,
          allowed_updates: ALLOWED_UPDATES as never,
          max_connections: 40,
        });
      } else {
        await side.bot.api
          .deleteWebhook({ drop_pending_updates: false })
          .catch((err: unknown) =>
            logger.warn({ code: (err as { error_code?: number }).error_code }, "deleteWebhook failed"),
          );
        const worker = side.worker;
        const startPoller = () =>
          startPolling({
            api: (side as TelegramSide).pollingApi,
            timeoutSeconds: POLL_SECONDS,
            ingest: async (updates) => {
              const admitted = await core.commits.run(() => core.admission.admitMany(updates));
              for (const result of admitted) side?.counts.admitted(result);
              return admitted;
            },
            onBatch: () => worker.wake(),
            logger,
            allowedUpdates: ALLOWED_UPDATES,
          });
        if (cluster) {
          // Telegram lets one consumer poll a bot: the instances elect it, and another takes over if it dies.
          election = cluster.electPoller((leading) => {
            pollerChanges = pollerChanges.then(async () => {
              if (leading && !poller) {
                poller = startPoller();
                logger.info("this instance polls Telegram");
              } else if (!leading && poller) {
                const stopping = poller;
                poller = undefined;
                await stopping.stop();
                logger.warn("this instance stopped polling: another may lead now");
              }
            });
          });
        } else poller = startPoller();
        side.onRecovered(() => poller?.kick());
      }
      if (config.metrics) {
        // Imported only when asked for: prom-client adds about a tenth of a second to every start.
        const { createMetricsRegistry } = await import("./metrics.ts");
        const registry = createMetricsRegistry(side.counts, core, () => side, { processMetrics: true });
        metricsApp = buildMetricsApp(registry);
        await metricsApp.listen({ host: config.metrics.host, port: config.metrics.port });
      }
      stopJobs = startJobs(
        scheduledJobs(core, cluster),
        config.timeZone,
        logger,
        cluster ? { claimTick: cluster.claimTick } : {},
      );
      logger.info({ mode: config.mode, address: service.address }, "spean started");
      // The search index is built on first use; build it now, after start-up, so the first question does not wait.
      // It is built in slices (knowledge/search.ts: searchIndexSteps), so a message that comes meanwhile is answered
      // between two slices; the log says when it is done and whether the question model was kept or trained (see
      // knowledge/kept-models.ts; training is one step of a few seconds).
      const indexStartedAt = performance.now();
      core.searchIndex.prepare().then(
        () => {
          const { size: articles, questionModel } = core.searchIndex;
          const ms = Math.round(performance.now() - indexStartedAt);
          logger.info({ articles, questionModel, ms }, "search index ready");
        },
        (err: unknown) =>
          logger.error({ code: errorCode(err) }, "search index failed; it is built at the next question"),
      );
    },
    async runJob(name) {
      const job = scheduledJobs(core, cluster).find((j) => j.name === name);
      if (!job) throw new SpeanError("SPEAN_CONFIG_INVALID", `no job named ${name}`);
      const result = await job.run();
      side?.sender.wake();
      return result;
    },
    stop() {
      stopping ??= (async () => {
        await election?.stop();
        await pollerChanges;
        await poller?.stop();
        side?.liveness.stop();
        await service.app?.close();
        await metricsApp?.close();
        await side?.worker.stop();
        await side?.sender.stop();
        await cluster?.stop();
        await stopJobs?.();
        await core.close();
        logger.info("spean stopped");
      })();
      return stopping;
    },
  };
  return service;
}

/**
 * This instance's part among several on the PostgreSQL database (src/cluster/); undefined on SQLite, which one
 * process holds. The bot's id (the token's part before the colon) names its shared limits and its poller.
 */
function clusterFor(core: Core, token: string): Cluster | undefined {
  const { database, config } = core;
  if (database.kind !== "postgres" || !config.databaseUrl) return undefined;
  return createCluster({
    db: database.db,
    url: config.databaseUrl,
    bot: token.split(":")[0] ?? token,
    leaseMs: config.cluster.leaseMs,
    ratePerSecond: config.outboxRatePerSecond,
    chatIntervalMs: config.outboxChatIntervalMs,
    logger: core.logger,
  });
}

/** Registers the command menu in Khmer (also the default) and English. A failure is logged, not fatal. */
async function registerCommands(side: TelegramSide, core: Core): Promise<void> {
  const { translator } = core.content;
  const list = (locale: "km" | "en") =>
    COMMANDS.map((command) => ({ command, description: translator.render(locale, { key: `commands.${command}` }) }));
  for (const [languageCode, locale] of [
    [undefined, core.config.defaultLocale],
    ["km", "km"],
    ["en", "en"],
  ] as const) {
    try {
      await side.bot.api.setMyCommands(list(locale), languageCode ? { language_code: languageCode } : {});
    } catch (err) {
      core.logger.warn({ code: (err as { error_code?: number }).error_code, languageCode }, "setMyCommands failed");
    }
  }
}
