/**
 * The core: everything that works without a network (database, content, stores, desks, features, registry,
 * engine), assembled from the configuration. createCore checks the content against the features before anything
 * starts.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { SpeanError } from "../base/errors.ts";
import { createBookingParts } from "../booking/parts.ts";
import { type Config, loadConfig } from "../config.ts";
import { type CheckReport, checkContent } from "../content/check.ts";
import { type Content, loadContent } from "../content/load.ts";
import { createConsoleAccess } from "../console/access.ts";
import { createConsoleDesk } from "../console/desk.ts";
import type { ConsoleParts } from "../console/parts.ts";
import { createResultsDesk } from "../programme/results.ts";
import { URGENT_CATEGORY } from "../referrals/help-flow.ts";
import { createRecordingsDesk, type RecordingsDesk } from "../recordings/desk.ts";
import { MEDIA_CATEGORY } from "../referrals/media.ts";
import type { ConversationStore } from "../conversations/store.ts";
import type { CommitQueue } from "../db/commit-queue.ts";
import type { Registry } from "../engine/actions.ts";
import { createEngine, type Engine } from "../engine/interpreter.ts";
import type { Feature } from "../features/contract.ts";
import { createRegistry, featureTextKeys } from "../features/registry.ts";
import { type Admission, createAdmission, messageTextOf } from "../inbox/admission.ts";
import type { InboxStore } from "../inbox/store.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import { safetyNetLine } from "../safety/screens.ts";
import type { InteractionLog } from "../interactions/log.ts";
import { localDigits } from "../khmer/digits.ts";
import { createLogger } from "../logger.ts";
import type { KnowledgeStore } from "../knowledge/store.ts";
import { createLiveSearchIndex, type LiveSearchIndex } from "../knowledge/live-index.ts";
import type { WordingsStore } from "../knowledge/wordings-store.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { createDesk, type Desk } from "../referrals/desk.ts";
import type { ReferralStore } from "../referrals/store.ts";
import type { SafetyStore } from "../safety/store.ts";
import { createWorkCalendar } from "../scheduling/calendar.ts";
import { createFieldCipher, type FieldCipher } from "../security/field-cipher.ts";
import type { StaffStore } from "../staff/store.ts";
import { COMMANDS } from "../telegram/bot.ts";
import { type DatabaseHandle, openServiceDatabase, type ServiceDatabase, verifyDatabaseKey } from "./database.ts";
import { builtInFeatures, type FeatureList } from "./features.ts";
import { createStores, storeKeysOf } from "./stores.ts";

/** Everything that works without a network: database, content, engine, stores, desks and features. */
export interface Core {
  config: Config;
  logger: Logger;
  now: () => number;
  /** The database: SQLite (DATABASE_PATH) or PostgreSQL (DATABASE_URL); see src/service/database.ts. */
  database: DatabaseHandle;
  /** Whether the database takes writes now (/readyz). */
  databaseWritable: () => Promise<boolean>;
  /** Closes the database and releases its lock. */
  close: () => Promise<void>;
  /** Encrypts sensitive fields (and reads the previous key's during a rotation). */
  cipher: FieldCipher;
  /** Group commit for the hot path (webhook ingest, turns). */
  commits: CommitQueue;
  content: Content;
  /** The features, in order (src/service/features.ts). */
  features: readonly Feature[];
  registry: Registry;
  engine: Engine;
  conversations: ConversationStore;
  interactions: InteractionLog;
  knowledge: KnowledgeStore;
  /** Wordings staff taught the search, and the index that answers with them. */
  wordings: WordingsStore;
  searchIndex: LiveSearchIndex;
  /** Counts of the "Are you safe right now?" check-ins and choices, for /questions. */
  safety: SafetyStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  staff: StaffStore;
  referrals: ReferralStore;
  /** Referrals after the resident's yes: alerts, claims, relays, escalation, digest. */
  desk: Desk;
  /** The staff console: logins and sessions, what its pages show and do, and the origin its links use. */
  console: ConsoleParts;
  /** Counselling booking: store, free slots, and the desk (appointments, reminders, counsellors' lists). */
  booking: ReturnType<typeof createBookingParts>;
  bookingDesk: ReturnType<typeof createBookingParts>["desk"];
  /** Voice recordings of answers: what plays on each page, attaching, and shipped files' uploads to this bot. */
  recordings: RecordingsDesk;
  /** Whether typed text is danger (also checked while a caseworker talks with a resident). */
  isDanger: (text: string) => boolean;
  /** Whether an arriving update goes into the inbox (a flooding chat's do not; danger always does). */
  admission: Admission;
}

/** What createCore can be given instead of building it itself. */
export interface CoreOptions {
  /** Content already loaded with {@link loadServiceContent} for this configuration (tests load it once per file). */
  content?: Content;
  /** The features (default {@link builtInFeatures}). */
  features?: FeatureList;
}

/** Loads the content with the parameters every string may use (the retention period, in the reader's digits). */
export function loadServiceContent(config: Pick<Config, "retentionDays">): Content {
  return loadContent((locale) => ({ retention_days: localDigits(locale, config.retentionDays) }));
}

/**
 * Opens the database, loads the content (unless given), builds the features and checks the content against them.
 * `now` defaults to Date.now.
 * @throws {SpeanError} SPEAN_CONTENT_INVALID listing every content problem; SPEAN_KEY_MISMATCH, SPEAN_DATABASE_IN_USE
 */
export async function createCore(
  config: Config,
  logger: Logger,
  now: () => number = Date.now,
  options: CoreOptions = {},
): Promise<Core> {
  const content = options.content ?? loadServiceContent(config);
  const database = await openServiceDatabase(config);
  const cipher = createFieldCipher(config.encryptionKey, config.encryptionKeyPrevious);
  try {
    await verifyDatabaseKey(database.handle, cipher, now);
    const core = await assemble(
      { config, logger, now, content, database, cipher },
      options.features ?? builtInFeatures,
    );
    const report = await checkContent(content, core.registry, textKeysOf(core.features));
    if (report.problems.length > 0) {
      throw new SpeanError(
        "SPEAN_CONTENT_INVALID",
        `content problems:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`,
        { problems: report.problems },
      );
    }
    // Info, not warn: known content gaps (numbers not yet confirmed by phone) are listed by content:check too.
    for (const warning of report.warnings) logger.info({ warning }, "content warning");
    return core;
  } catch (err) {
    await database.close();
    throw err;
  }
}

/**
 * Checks content as the service would at start-up (the built-in features over a throwaway in-memory database), for
 * `npm run content:check` and tests. `today` is YYYY-MM-DD (default today).
 */
export async function checkServiceContent(content: Content, today?: string): Promise<CheckReport> {
  const config = loadConfig({ DATABASE_PATH: ":memory:" });
  const database = await openServiceDatabase(config);
  try {
    const base = {
      config,
      logger: createLogger("silent"),
      now: Date.now,
      content,
      database,
      cipher: createFieldCipher(randomBytes(32)),
    };
    const core = await assemble(base, builtInFeatures);
    return await checkContent(content, core.registry, textKeysOf(core.features), ...(today ? [today] : []));
  } finally {
    await database.close();
  }
}

/** The keys the features render outside the flows, and the descriptions of the commands in Telegram's menu. */
function textKeysOf(features: readonly Feature[]): string[] {
  return [...featureTextKeys(features), ...COMMANDS.map((command) => `commands.${command}`)];
}

interface Foundation {
  config: Config;
  logger: Logger;
  now: () => number;
  content: Content;
  database: ServiceDatabase;
  cipher: FieldCipher;
}

/** The stores, desks, features, registry and engine over an open database. */
async function assemble(base: Foundation, featureList: FeatureList): Promise<Core> {
  const { config, content, database, cipher, now } = base;
  const stores = createStores(database.handle, { ...storeKeysOf(config, now), cipher });
  const { conversations, interactions, knowledge, wordings, safety, outbox, staff, referrals, media } = stores;
  const searchIndex = createLiveSearchIndex(
    content.searchDocuments,
    content.searchOptions,
    await wordings.list(["approved"]),
    content.searchIndexBuild,
  );
  const recordingsDesk = createRecordingsDesk({
    store: stores.recordings,
    shipped: content.recordings,
    staff,
    articleIds: () => content.knowledge.articles.keys(),
    timeZone: config.timeZone,
    now,
  });
  const desk = createDesk({
    referrals,
    staff,
    outbox,
    translator: content.translator,
    calendar: createWorkCalendar({
      timeZone: config.timeZone,
      holidays: content.holidays,
      startMinute: config.workHours[0],
      endMinute: config.workHours[1],
    }),
    staffChatId: config.staffChatId,
    staffLocale: config.defaultLocale,
    residentLocale: async (chatId) => (await conversations.localeOf(chatId)) ?? config.defaultLocale,
    media,
    timeZone: config.timeZone,
    urgentEscalationMinutes: config.escalationUrgentMinutes,
    normalEscalationWorkMinutes: config.escalationNormalWorkHours * 60,
    now,
  });
  const booking = createBookingParts({
    store: stores.booking,
    staff,
    outbox,
    translator: content.translator,
    holidays: content.holidays,
    config,
    staffChatId: config.staffChatId,
    localeOf: async (chatId) => (await conversations.localeOf(chatId)) ?? undefined,
    now,
  });
  const { needs, activities } = stores;
  let consoleOrigin = config.console.url;
  const consoleParts: ConsoleParts = {
    access: createConsoleAccess({
      store: stores.consoleAccess,
      staff,
      now,
      idleMs: config.console.idleMinutes * 60_000,
      maxMs: config.console.maxHours * 3_600_000,
    }),
    desk: createConsoleDesk({
      referrals,
      directory: content.directory,
      serviceChecks: stores.serviceChecks,
      knowledge,
      safety,
      booking: booking.store,
      bookingDesk: booking.desk,
      holidays: content.holidays,
      staff,
      desk,
      outbox,
      translator: content.translator,
      staffLocale: config.defaultLocale,
      timeZone: config.timeZone,
      caseContentDays: config.console.caseContentDays,
      now,
    }),
    results: createResultsDesk({
      figures: stores.figures,
      staff,
      activities,
      needs,
      indicators: content.indicators,
      places: content.places,
      translator: content.translator,
      topicOf: (articleId) => content.knowledge.articles.get(articleId)?.topic,
      topics: content.knowledge.topics.map((t) => t.id),
      categories: [...content.directory.categories, URGENT_CATEGORY, MEDIA_CATEGORY],
      timeZone: config.timeZone,
      now,
      suppressBelow: config.suppressBelow,
      programmeStart: config.programmeStart,
      counsellingTargets: config.programmeTargets,
    }),
    recordings: recordingsDesk,
    origin: () => consoleOrigin,
    useOrigin: (origin) => void (consoleOrigin ??= origin),
  };
  const isDanger = (text: string) => content.classifyDanger(text).outcome === "danger";
  const inbox = stores.inbox;
  // After /forget, erased rows must leave the disk (src/service/database.ts).
  const checkpoint = database.checkpoint;
  const allFeatures = () => features;
  const features: Feature[] = featureList({
    config,
    content,
    now,
    conversations,
    interactions,
    staff,
    knowledge,
    wordings,
    searchIndex,
    safety,
    referrals,
    desk,
    console: consoleParts,
    booking,
    needs,
    media,
    recordings: recordingsDesk,
    isDanger,
    inbox,
    outbox,
    checkpoint,
    allFeatures,
  });
  const admission = createAdmission({
    store: inbox,
    chatLimit: config.inboxChatLimit,
    repliesWaiting: (chatId) => outbox.waitingFor(chatId),
    totalLimit: config.inboxLimit,
    isUrgent: (update) => {
      const text = messageTextOf(update);
      return text !== undefined && isDanger(text);
    },
    onFlooded: async (chatId) => {
      const reply = { text: [{ key: "common.flood_wait" }, safetyNetLine(content.directory)] };
      const locale = (await conversations.localeOf(chatId)) ?? config.defaultLocale;
      await queueReply(outbox, content.translator, { chatId, dedupeKey: `flood:${chatId}:${now()}`, reply, locale });
    },
    now,
  });
  const registry = createRegistry(features);
  const engine = createEngine({
    flows: content.flows,
    registry,
    labelsOf: content.translator.labelsOf,
    timeZone: config.timeZone,
  });
  return {
    config,
    logger: base.logger,
    now,
    content,
    cipher,
    database: database.handle,
    databaseWritable: database.writable,
    close: database.close,
    commits: database.commits,
    features,
    registry,
    engine,
    conversations,
    interactions,
    knowledge,
    wordings,
    searchIndex,
    safety,
    inbox,
    outbox,
    staff,
    referrals,
    desk,
    console: consoleParts,
    booking,
    bookingDesk: booking.desk,
    recordings: recordingsDesk,
    isDanger,
    admission,
  };
}
