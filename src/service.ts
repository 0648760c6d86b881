/**
 * Wiring: builds every part of the service from the configuration. Nothing here runs at import; createService
 * returns an object whose start() listens, polls and schedules, and whose stop() undoes it all.
 */
import type { FastifyInstance } from "fastify";
import type { Transformer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "pino";
import { buildApp } from "./app.ts";
import type { BookingDesk } from "./booking/desk.ts";
import { DEMO_COUNSELLORS, seedDemoCounsellors } from "./booking/demo-seed.ts";
import { createBookingParts } from "./booking/parts.ts";
import { type Config, SANDBOX_STAFF_CHAT_ID } from "./config.ts";
import { checkContent } from "./content/check.ts";
import { type Content, loadContent } from "./content/load.ts";
import { type ConversationStore, createConversationStore } from "./conversations/store.ts";
import { type CommitQueue, createCommitQueue } from "./db/commit-queue.ts";
import { lockDatabase } from "./db/lock.ts";
import { type Db, openDatabase } from "./db/open.ts";
import { createRegistry } from "./content/registry.ts";
import { createEngine, type Engine } from "./engine/interpreter.ts";
import { createKnowledgeStore, type KnowledgeStore } from "./knowledge/store.ts";
import { createSafetyStore, type SafetyStore } from "./safety/store.ts";
import { createDesk, type Desk } from "./referrals/desk.ts";
import type { OutboxHooks, OutboxHookTable } from "./outbox/hooks.ts";
import { CASE_SUBJECT } from "./referrals/desk.ts";
import { REMINDER_SUBJECT } from "./booking/desk.ts";
import { caseNumber, createReferralStore, type ReferralStore } from "./referrals/store.ts";
import { calendarDateIn, toIsoDate } from "./base/calendar-date.ts";
import { createWorkCalendar } from "./scheduling/calendar.ts";
import { createStaffStore, type StaffStore } from "./staff/store.ts";
import { SpeanError } from "./base/errors.ts";
import { createInboxStore, type InboxStore, type PendingUpdate } from "./inbox/store.ts";
import { createInboxWorker } from "./inbox/worker.ts";
import { createInteractionLog, type InteractionLog } from "./interactions/log.ts";
import { createOutboxSender, type OutboxSender } from "./outbox/sender.ts";
import { queueReply } from "./outbox/queue-reply.ts";
import { createOutboxStore, type OutboxStore } from "./outbox/store.ts";
import { localDigits } from "./khmer/digits.ts";
import { FakeTelegram } from "./sandbox/fake-telegram.ts";
import { readSandboxPage } from "./sandbox/routes.ts";
import { startJobs } from "./scheduling/jobs.ts";
import { createFieldCipher } from "./security/field-cipher.ts";
import { verifyKey } from "./security/key-check.ts";
import { COMMANDS, createBot } from "./telegram/bot.ts";
import { startPolling } from "./telegram/polling.ts";
import { createTelegramWatch } from "./telegram/watch.ts";
import { createTransport } from "./telegram/transport.ts";
import { DAY_MS } from "./base/time.ts";

/** The update types Spean asks Telegram for. */
export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"];
/** The sandbox's made-up bot token (the fake Bot API accepts only this one). */
export const SANDBOX_TOKEN = "1000000001:sandbox-token-not-a-real-telegram-bot";

/** Everything that works without a network: database, content, engine, stores. */
export interface Core {
  config: Config;
  logger: Logger;
  now: () => number;
  db: Db;
  /** Closes the database and releases its lock (see src/db/lock.ts). */
  close: () => void;
  /** Group commit for the hot path (webhook ingest, turns). */
  commits: CommitQueue;
  content: Content;
  engine: Engine;
  conversations: ConversationStore;
  interactions: InteractionLog;
  knowledge: KnowledgeStore;
  /** Counts of the "Are you safe right now?" check-ins and choices, for /questions. */
  safety: SafetyStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  staff: StaffStore;
  referrals: ReferralStore;
  /** Referrals after the resident's yes: alerts, claims, relays, escalation, digest. */
  desk: Desk;
  /** Counselling booking: store, free slots, and the desk (appointments, reminders, counsellors' lists). */
  booking: ReturnType<typeof createBookingParts>;
  bookingDesk: BookingDesk;
  /** Whether typed text is danger (also checked while a caseworker talks with a resident). */
  isDanger: (text: string) => boolean;
}

/** What createCore can be given instead of building it itself. */
export interface CoreOptions {
  /** Content already loaded with {@link loadServiceContent} for this configuration (tests load it once per file). */
  content?: Content;
}

/** Loads the content with the parameters every string may use (the retention period, in the reader's digits). */
export function loadServiceContent(config: Pick<Config, "retentionDays">): Content {
  return loadContent((locale) => ({ retention_days: localDigits(locale, config.retentionDays) }));
}

/**
 * Opens the database, loads the content (unless given) and checks it against the registry.
 * @throws {SpeanError} SPEAN_CONTENT_INVALID (or the loader's code) listing every content problem.
 */
export function createCore(config: Config, logger: Logger, now: () => number = Date.now, options: CoreOptions = {}): Core {
  const content = options.content ?? loadServiceContent(config);
  const unlock = lockDatabase(config.databasePath);
  const db = openDatabase(config.databasePath);
  const cipher = createFieldCipher(config.encryptionKey);
  /** Closes the database and releases the lock (start-up failures and stop). */
  const close = () => {
    db.$client.close();
    unlock();
  };
  try {
    verifyKey(db, cipher, now);
  } catch (err) {
    close();
    throw err;
  }
  const knowledgeStore = createKnowledgeStore(db, cipher, now);
  const safetyStore = createSafetyStore(db, now);
  const conversations = createConversationStore(db, cipher, now);
  const outbox = createOutboxStore(db, cipher, now);
  const staff = createStaffStore(db, now);
  const referrals = createReferralStore(db, cipher, now);
  const desk = createDesk({
    referrals,
    staff,
    outbox,
    translator: content.translator,
    calendar: createWorkCalendar({ timeZone: config.timeZone, holidays: content.holidays, startMinute: config.workHours[0], endMinute: config.workHours[1] }),
    staffChatId: config.staffChatId,
    staffLocale: config.defaultLocale,
    residentLocale: (chatId) => conversations.localeOf(chatId) ?? config.defaultLocale,
    timeZone: config.timeZone,
    urgentEscalationMinutes: config.escalationUrgentMinutes,
    normalEscalationWorkMinutes: config.escalationNormalWorkHours * 60,
    now,
  });
  const booking = createBookingParts({
    db,
    cipher,
    staff,
    outbox,
    translator: content.translator,
    holidays: content.holidays,
    config,
    staffChatId: config.staffChatId,
    localeOf: (chatId) => conversations.localeOf(chatId) ?? undefined,
    now,
  });
  const registry = createRegistry(content, {
    knowledgeStore,
    safetyStore,
    desk,
    districtOf: conversations.districtOf,
    setDistrict: conversations.setDistrict,
    bookingDesk: booking.desk,
    slots: booking.slots,
    timeZone: config.timeZone,
  });
  const report = checkContent(content, registry);
  if (report.problems.length > 0) {
    close();
    throw new SpeanError("SPEAN_CONTENT_INVALID", `content problems:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`, { problems: report.problems });
  }
  // Info, not warn: known content gaps (numbers not yet confirmed by phone) are listed by content:check too.
  for (const warning of report.warnings) logger.info({ warning }, "content warning");
  const engine = createEngine({ flows: content.flows, registry, labelsOf: content.translator.labelsOf, timeZone: config.timeZone });
  return {
    config,
    logger,
    now,
    db,
    close,
    commits: createCommitQueue(db.$client),
    content,
    engine,
    conversations,
    interactions: createInteractionLog(db, cipher, now),
    knowledge: knowledgeStore,
    safety: safetyStore,
    inbox: createInboxStore(db, cipher, now),
    outbox,
    staff,
    referrals,
    desk,
    booking,
    bookingDesk: booking.desk,
    isDanger: (text) => registry.safety?.assess(text).outcome === "danger",
  };
}

/** The jobs that run on a schedule; each looks at the database, so a restart loses nothing. */
export function scheduledJobs(core: Core) {
  const { config } = core;
  return [
    {
      name: "retention",
      schedule: "15 3 * * *",
      run: () => ({
        ...core.interactions.purge(config.retentionDays),
        questionTextsErased: core.knowledge.purge(config.retentionDays),
        referralsErased: core.referrals.purge(config.retentionDays),
        appointmentsErased: core.booking.store.purge(config.retentionDays),
        inboxPruned: core.inbox.pruneDone(7 * DAY_MS),
        quarantinedErased: core.inbox.eraseQuarantinedPayloads(config.retentionDays * DAY_MS),
      }),
    },
    { name: "referral-escalation", schedule: "* * * * *", run: async () => ({ escalated: await core.commits.run(() => core.desk.escalateDue()) }) },
    {
      name: "referral-digest",
      schedule: `${config.digestTime.minute} ${config.digestTime.hour} * * *`,
      run: async () => ({ listed: await core.commits.run(() => core.desk.postDigest(toIsoDate(calendarDateIn(new Date(core.now()), config.timeZone)))) }),
    },
    // The sender sends reminders when they are due; this catches the ones whose appointment began first.
    { name: "reminder-sweep", schedule: "* * * * *", run: async () => ({ missed: await core.commits.run(() => core.bookingDesk.sweepMissed()) }) },
    {
      name: "counsellor-day-lists",
      schedule: `${config.counsellorListTime.minute} ${config.counsellorListTime.hour} * * 1-5`,
      run: async () => ({ counsellors: await core.commits.run(() => core.bookingDesk.postDayLists(calendarDateIn(new Date(core.now()), config.timeZone))) }),
    },
  ];
}

export interface TelegramSideOptions {
  token: string;
  apiRoot: string;
  botInfo?: UserFromGetMe;
  /** Installed on both APIs (tests route calls to an in-memory fake Telegram). */
  transformer?: Transformer;
}

/** How long one getUpdates waits for updates (its deadline adds a margin, see createBot). */
const POLL_SECONDS = 30;

/** The bot, the outbox sender and the inbox worker, wired to one another. Nothing starts until told. */
export function createTelegramSide(core: Core, options: TelegramSideOptions) {
  const { config, logger, conversations, interactions, outbox } = core;
  // The bot's turns deliver replies through the sender, and the sender sends through the bot's API: the turn
  // reaches the sender through this forwarder, which is only called once both exist.
  const senderRef = { deliverNow: (ids: number[]) => sender.deliverNow(ids) } as OutboxSender;
  const { bot, queueApi, pollApi } = createBot(
    { token: options.token, apiRoot: options.apiRoot, ...(options.botInfo ? { botInfo: options.botInfo } : {}) },
    {
      ...core,
      translator: core.content.translator,
      sender: senderRef,
      defaultLocale: config.defaultLocale,
      staffChatId: config.staffChatId,
      timeZone: config.timeZone,
      quickExitMessage: config.quickExitMessage,
      programmeTargets: config.programmeTargets,
    },
  );
  const pollingApi = pollApi(POLL_SECONDS);
  // Installed first, so that it sees every call as it leaves for Telegram (and the test transformer, if any).
  const watch = createTelegramWatch(logger, core.now);
  for (const api of [bot.api, queueApi, pollingApi]) api.config.use(watch.transformer);
  if (options.transformer) {
    bot.api.config.use(options.transformer);
    queueApi.config.use(options.transformer);
    pollingApi.config.use(options.transformer);
  }
  const sender = createOutboxSender({
    store: outbox,
    transport: createTransport(queueApi),
    directTransport: createTransport(bot.api),
    logger,
    ratePerSecond: config.outboxRatePerSecond,
    chatIntervalMs: config.outboxChatIntervalMs,
    now: core.now,
    commit: (work) => core.commits.run(work),
    hooks: outboxHooks(core),
    onSent: (row, messageId) => {
      if (messageId !== undefined) interactions.rememberMessage(row.chatId, messageId, true);
    },
    onUnreachable: (row, handled) => {
      conversations.markBlocked(row.chatId);
      if (!handled && row.purpose !== "reply" && config.staffChatId !== undefined && row.chatId !== config.staffChatId) {
        // Staff see the case number, never the resident's Telegram id.
        const referralId = row.subject?.kind === CASE_SUBJECT ? row.subject.id : undefined;
        notifyStaff(core, `unreachable:${row.id}`, "staff.unreachable", { case_ref: referralId !== undefined ? caseNumber(referralId) : "—", purpose: row.purpose });
      }
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

/** What the features do around the sending of their messages, by subject kind. */
function outboxHooks(core: Core): OutboxHookTable {
  return new Map<string, OutboxHooks>([
    // Messages about a case (the caseworker's card, relayed messages) let a reply find the case.
    [CASE_SUBJECT, { onSent: (row, messageId) => { if (messageId !== undefined && row.subject) core.staff.linkMessage(row.chatId, messageId, row.subject.id); } }],
    // A reminder that cannot be delivered flags its appointment and tells the counsellor (and the staff chat).
    [REMINDER_SUBJECT, core.bookingDesk.reminderHooks],
  ]);
}

/** Apologises to the resident and tells staff (codes and ids only) when an update is set aside. */
function onQuarantine(core: Core, pending: PendingUpdate): void {
  const { config, content, conversations, outbox } = core;
  const chatId = pending.lane.startsWith("chat:") ? Number(pending.lane.slice(5)) : undefined;
  core.db.transaction(() => {
    if (chatId !== undefined && chatId > 0) {
      const locale = conversations.touch(chatId, undefined).locale ?? config.defaultLocale;
      const reply = { text: [{ key: "common.apology" }], buttons: [[{ label: { key: "common.main_menu" }, data: "m" }]] };
      queueReply(outbox, content.translator, { chatId, dedupeKey: `apology:${pending.updateId}`, reply, locale });
    }
    const row = core.inbox.quarantined(1).find((q) => q.updateId === pending.updateId);
    notifyStaff(core, `quarantine:${pending.updateId}`, "staff.quarantined", {
      attempts: pending.attempts + 1,
      update_id: pending.updateId,
      code: row?.lastError ?? "UNKNOWN",
    });
  });
}

/**
 * What /readyz reports: ready when the service is started, the database takes writes and Telegram answered the
 * latest call; counts and times only.
 */
function readiness(core: Core, side: ReturnType<typeof createTelegramSide> | undefined): { ready: boolean; checks: Record<string, unknown> } {
  const telegram = side?.watch.status();
  const database = databaseWritable(core.db);
  const checks = {
    started: side !== undefined,
    database,
    telegram: telegram ? { reachable: telegram.reachable, lastAnswerAt: telegram.lastAnswerAt ?? null, lastFailureAt: telegram.lastFailureAt ?? null } : null,
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

/** Queues a message to the staff chat, if one is configured. Parameters must never hold a resident's words. */
function notifyStaff(core: Core, dedupeKey: string, key: string, params: Record<string, string | number>): void {
  const { config, content, outbox } = core;
  if (config.staffChatId === undefined) return;
  queueReply(outbox, content.translator, { chatId: config.staffChatId, dedupeKey, reply: { text: [{ key, params }] }, locale: config.defaultLocale, purpose: "alert" });
}

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

/** Creates the whole service for the configured mode (sandbox, polling or webhook). `now` defaults to Date.now. */
export function createService(config: Config, logger: Logger, options: { now?: () => number } = {}): Service {
  const core = createCore(config, logger, options.now);
  const fake = config.mode === "sandbox" ? createSandboxTelegram() : undefined;
  if (fake) for (const member of SANDBOX_STAFF) core.staff.register(member.id, member.role, member.name);
  if (config.demoData) {
    seedDemoCounsellors(core.staff, core.booking.store);
    for (const demo of DEMO_COUNSELLORS) fake?.addUser({ id: demo.telegramUserId, first_name: demo.displayName, language_code: "km" });
  }
  let side: ReturnType<typeof createTelegramSide> | undefined;
  let stopPolling: (() => Promise<void>) | undefined;
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
        health: () => ({ mode: config.mode, inbox: core.inbox.counts(), outbox: core.outbox.counts() }),
        ready: () => readiness(core, side),
        ...(config.webhook && webhookPath
          ? { webhook: { path: webhookPath, secret: config.webhook.secret, ingest: (u) => core.commits.run(() => core.inbox.ingest(u)), onIngested: () => side?.worker.wake() } }
          : {}),
        ...(fake ? { sandbox: { fake, page: { html: readSandboxPage(), strings: { km: core.content.resources.km.sandbox, en: core.content.resources.en.sandbox } } } } : {}),
      });
      service.app = app;
      service.address = await app.listen({ host: config.host, port: config.port });
      const port = new URL(service.address).port;

      side = createTelegramSide(core, {
        token: fake ? fake.token : (config.botToken as string),
        apiRoot: fake ? `http://127.0.0.1:${port}` : config.telegramApiRoot,
        ...(fake ? { botInfo: fake.botInfo } : {}),
      });
      if (!fake) await side.bot.init();
      side.sender.start();
      side.worker.start();
      await registerCommands(side.bot.api, core);

      if (config.mode === "webhook" && config.webhook) {
        await side.bot.api.setWebhook(config.webhook.url, { secret_token: config.webhook.secret, allowed_updates: ALLOWED_UPDATES as never, max_connections: 40 });
      } else {
        await side.bot.api.deleteWebhook({ drop_pending_updates: false }).catch((err: unknown) => logger.warn({ code: (err as { error_code?: number }).error_code }, "deleteWebhook failed"));
        const worker = side.worker;
        stopPolling = startPolling({ api: side.pollingApi, timeoutSeconds: POLL_SECONDS, ingest: (updates) => core.inbox.ingestMany(updates), onBatch: () => worker.wake(), logger, allowedUpdates: ALLOWED_UPDATES });
      }
      stopJobs = startJobs(scheduledJobs(core), config.timeZone, logger);
      logger.info({ mode: config.mode, address: service.address }, "spean started");
    },
    async runJob(name) {
      const job = scheduledJobs(core).find((j) => j.name === name);
      if (!job) throw new SpeanError("SPEAN_CONFIG_INVALID", `no job named ${name}`);
      const result = await job.run();
      side?.sender.wake();
      return result;
    },
    stop() {
      stopping ??= (async () => {
        await stopPolling?.();
        await service.app?.close();
        await side?.worker.stop();
        await side?.sender.stop();
        await stopJobs?.();
        core.close();
        logger.info("spean stopped");
      })();
      return stopping;
    },
  };
  return service;
}

/** The fake Telegram for sandbox mode, with two residents and a staff group to try things with. */
function createSandboxTelegram(): FakeTelegram {
  const fake = new FakeTelegram({ token: SANDBOX_TOKEN });
  fake.addUser({ id: 1001, first_name: "សុខា Sokha", language_code: "km" });
  fake.addUser({ id: 1002, first_name: "ដារា Dara", language_code: "km" });
  fake.addGroup(SANDBOX_STAFF_CHAT_ID, "Spean staff");
  for (const member of SANDBOX_STAFF) fake.addUser({ id: member.id, first_name: member.name, language_code: "km" });
  return fake;
}

/** Made-up staff for the sandbox: registered at start-up so the whole referral loop can be tried on the page. */
export const SANDBOX_STAFF = [
  { id: 2001, name: "Bopha", role: "caseworker" },
  { id: 2002, name: "Vanna", role: "supervisor" },
] as const;

/** Registers the command menu in Khmer (also the default) and English. A failure is logged, not fatal. */
async function registerCommands(api: ReturnType<typeof createBot>["bot"]["api"], core: Core): Promise<void> {
  const { translator } = core.content;
  const list = (locale: "km" | "en") => COMMANDS.map((command) => ({ command, description: translator.render(locale, { key: `commands.${command}` }) }));
  for (const [languageCode, locale] of [[undefined, core.config.defaultLocale], ["km", "km"], ["en", "en"]] as const) {
    try {
      await api.setMyCommands(list(locale), languageCode ? { language_code: languageCode } : {});
    } catch (err) {
      core.logger.warn({ code: (err as { error_code?: number }).error_code, languageCode }, "setMyCommands failed");
    }
  }
}
