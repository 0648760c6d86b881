/**
 * The list of features. Each line builds one vertical from the parts it needs; the registry, the content check,
 * the bot, the scheduler, the outbox hooks, quick exit and retention are all built from this list. Adding a
 * feature is its own folder and one line here (see docs/ARCHITECTURE.md).
 *
 * The order matters where features answer the same thing: typed text on a booking screen is booking's before the
 * knowledge base takes it as a question; interceptors and commands are tried in this order.
 */
import type { BookingStore } from "../booking/store.ts";
import type { BookingDesk } from "../booking/desk.ts";
import { createBookingFeature } from "../booking/feature.ts";
import type { SlotFinder } from "../booking/slots.ts";
import type { Config } from "../config.ts";
import type { Content } from "../content/load.ts";
import type { ConsoleAccess } from "../console/access.ts";
import { createConsoleFeature } from "../console/feature.ts";
import type { ConversationStore } from "../conversations/store.ts";
import type { Feature } from "../features/contract.ts";
import type { InboxStore } from "../inbox/store.ts";
import type { InteractionLog } from "../interactions/log.ts";
import { createKnowledgeFeature } from "../knowledge/feature.ts";
import type { LiveSearchIndex } from "../knowledge/live-index.ts";
import type { KnowledgeStore } from "../knowledge/store.ts";
import type { WordingsStore } from "../knowledge/wordings-store.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { createProgrammeFeature } from "../programme/feature.ts";
import type { NeedsStore } from "../programme/needs.ts";
import { createPrivacyFeature } from "../privacy/feature.ts";
import type { Desk } from "../referrals/desk.ts";
import { createReferralsFeature } from "../referrals/feature.ts";
import type { ReferralStore } from "../referrals/store.ts";
import type { MediaStore } from "../referrals/media-store.ts";
import { createRecordingsFeature } from "../recordings/feature.ts";
import type { RecordingsDesk } from "../recordings/desk.ts";
import { createSafetyFeature } from "../safety/feature.ts";
import type { SafetyStore } from "../safety/store.ts";
import { createStaffFeature } from "../staff/feature.ts";
import type { StaffStore } from "../staff/store.ts";

/** What features are built from: the configuration, the content, the shared stores and the two desks. */
export interface FeatureParts {
  config: Config;
  content: Content;
  now: () => number;
  conversations: ConversationStore;
  interactions: InteractionLog;
  staff: StaffStore;
  knowledge: KnowledgeStore;
  /** Wordings staff taught the search, and the index that uses the approved ones. */
  wordings: WordingsStore;
  searchIndex: LiveSearchIndex;
  safety: SafetyStore;
  referrals: ReferralStore;
  desk: Desk;
  /** The staff console's logins and the origin of its links. */
  console: { access: ConsoleAccess; origin: () => string | undefined };
  booking: { store: BookingStore; slots: SlotFinder; desk: BookingDesk };
  /** The anonymous community-needs survey's answers and once-a-quarter marks. */
  needs: NeedsStore;
  /** Voice notes and photos residents sent for a person (ids only). */
  media: MediaStore;
  /** Voice recordings of answers: what plays on each page, attaching and removing. */
  recordings: RecordingsDesk;
  /** Whether typed text is danger (the classifier behind the safety feature). */
  isDanger: (text: string) => boolean;
  inbox: InboxStore;
  outbox: OutboxStore;
  /** Moves the database's write-ahead log into the file and empties it. */
  checkpoint: () => void;
  /** The final list of features, once built (for /mydata and /forget, which ask every feature). */
  allFeatures: () => readonly Feature[];
}

/** Builds the features from their parts; a test adds its own with `(parts) => [...builtInFeatures(parts), mine]`. */
export type FeatureList = (parts: FeatureParts) => Feature[];

/** Spean's features, in order. */
export const builtInFeatures: FeatureList = (p) => {
  const { config, content } = p;
  const safety = createSafetyFeature({
    classify: content.classifyDanger,
    directory: content.directory,
    store: p.safety,
  });
  return [
    safety,
    createBookingFeature({
      ...p.booking,
      timeZone: config.timeZone,
      staffLocale: config.defaultLocale,
      programmeTargets: config.programmeTargets,
      counsellorListTime: config.counsellorListTime,
      now: p.now,
    }),
    createKnowledgeFeature({
      ...(safety.hooks.net ? { safetyNet: safety.hooks.net } : {}),
      kb: content.knowledge,
      index: p.searchIndex,
      store: p.knowledge,
      wordings: p.wordings,
      staff: p.staff,
      isDanger: p.isDanger,
      pagesOf: content.pagesOf,
      safetyStore: p.safety,
      staffLocale: config.defaultLocale,
      timeZone: config.timeZone,
    }),
    createReferralsFeature({
      directory: content.directory,
      translator: content.translator,
      desk: p.desk,
      referrals: p.referrals,
      staff: p.staff,
      interactions: p.interactions,
      isDanger: p.isDanger,
      districtOf: p.conversations.districtOf,
      setDistrict: p.conversations.setDistrict,
      media: p.media,
      outbox: p.outbox,
      residentLocale: async (chatId) => (await p.conversations.localeOf(chatId)) ?? config.defaultLocale,
      digestTime: config.digestTime,
      timeZone: config.timeZone,
      now: p.now,
    }),
    // After referrals: a caseworker's voice note in a talk is relayed before it could be taken for a recording.
    createRecordingsFeature({
      desk: p.recordings,
      outbox: p.outbox,
      translator: content.translator,
      isSensitive: (id) => content.knowledge.articles.get(id)?.sensitive ?? false,
      localeOf: async (chatId) => (await p.conversations.localeOf(chatId)) ?? config.defaultLocale,
    }),
    createStaffFeature({ staff: p.staff, now: p.now }),
    createConsoleFeature({ access: p.console.access, url: p.console.origin }),
    createProgrammeFeature({
      needs: p.needs,
      places: content.places,
      outbox: p.outbox,
      timeZone: config.timeZone,
      now: p.now,
    }),
    createPrivacyFeature({
      conversations: p.conversations,
      interactions: p.interactions,
      inbox: p.inbox,
      outbox: p.outbox,
      translator: content.translator,
      defaultLocale: config.defaultLocale,
      retentionDays: config.retentionDays,
      checkpoint: p.checkpoint,
      features: p.allFeatures,
    }),
  ];
};
