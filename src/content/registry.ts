/**
 * The registry: every action, block and choice provider a flow may name, the answer to typed questions, and the
 * safety hooks (danger classifier, check-in). Built once the database is open, because recording questions, votes and referrals writes to it.
 */
import { randomBytes } from "node:crypto";
import { createConversationStore } from "../conversations/store.ts";
import { openDatabase } from "../db/open.ts";
import { emergencyNumbersBlock } from "../directory/services.ts";
import { type Registry, setLocale } from "../engine/actions.ts";
import { createHelpFeature } from "../help/feature.ts";
import { createKnowledgeFeature } from "../knowledge/feature.ts";
import { createKnowledgeStore, type KnowledgeStore } from "../knowledge/store.ts";
import { createOutboxStore } from "../outbox/store.ts";
import { createBookingParts, CHECK_BOOKING_CONFIG } from "../booking/parts.ts";
import type { BookingDesk } from "../booking/desk.ts";
import { createBookingFeature } from "../booking/feature.ts";
import type { SlotFinder } from "../booking/slots.ts";
import { createDesk, type Desk } from "../referrals/desk.ts";
import { createReferralStore } from "../referrals/store.ts";
import { createSafetyFeature } from "../safety/feature.ts";
import { createSafetyStore, type SafetyStore } from "../safety/store.ts";
import { createWorkCalendar } from "../scheduling/calendar.ts";
import { createFieldCipher } from "../security/field-cipher.ts";
import { createStaffStore } from "../staff/store.ts";
import type { Content } from "./load.ts";
import { DEFAULT_TIME_ZONE } from "../base/time.ts";

export interface RegistryServices {
  knowledgeStore: KnowledgeStore;
  /** Counts of check-ins and choices; omitted where nothing is counted. */
  safetyStore?: SafetyStore;
  desk: Desk;
  bookingDesk: BookingDesk;
  slots: SlotFinder;
  timeZone: string;
  /** Where the resident's remembered district is kept. */
  districtOf: (chatId: number) => string | undefined;
  setDistrict: (chatId: number, district: string) => void;
}

/** Builds the registry over loaded content and the stores its entries write to. */
export function createRegistry(content: Content, services: RegistryServices): Registry {
  const safety = createSafetyFeature({ classify: content.classifyDanger, directory: content.directory, ...(services.safetyStore ? { store: services.safetyStore } : {}) });
  const knowledge = createKnowledgeFeature({
    safetyNet: safety.hooks.net,
    kb: content.knowledge,
    index: content.searchIndex,
    store: services.knowledgeStore,
    pagesOf: content.pagesOf,
  });
  const help = createHelpFeature({ directory: content.directory, translator: content.translator, ...services });
  const booking = createBookingFeature({ desk: services.bookingDesk, slots: services.slots, timeZone: services.timeZone });
  return {
    actions: new Map([["set_locale", setLocale], ...knowledge.actions, ...help.actions, ...booking.actions, ...safety.actions]),
    blocks: new Map([["emergency_numbers", emergencyNumbersBlock(content.directory, safety.emergencyFirst)], ...help.blocks, ...booking.blocks, ...safety.blocks]),
    choices: new Map([...knowledge.choices, ...booking.choices]),
    // A typed day or time on a booking screen is booking's; anything else is a question for the knowledge base.
    freeText: (ctx) => booking.freeText(ctx) ?? knowledge.freeText(ctx),
    externalButton: booking.externalButton,
    entries: booking.entries,
    safety: safety.hooks,
  };
}

/** A registry over a throwaway in-memory database, for checking content without running the service. */
export function createCheckRegistry(content: Content): Registry {
  const db = openDatabase(":memory:");
  const cipher = createFieldCipher(randomBytes(32));
  const conversations = createConversationStore(db, cipher);
  const staff = createStaffStore(db);
  const outbox = createOutboxStore(db, cipher);
  const booking = createBookingParts({ db, cipher, staff, outbox, translator: content.translator, holidays: content.holidays, config: CHECK_BOOKING_CONFIG, staffChatId: undefined, localeOf: () => "km", now: Date.now });
  const desk = createDesk({
    referrals: createReferralStore(db, cipher),
    staff,
    outbox,
    translator: content.translator,
    calendar: createWorkCalendar({ timeZone: DEFAULT_TIME_ZONE, holidays: content.holidays }),
    staffChatId: undefined,
    staffLocale: "km",
    residentLocale: () => "km",
    timeZone: DEFAULT_TIME_ZONE,
  });
  return createRegistry(content, {
    knowledgeStore: createKnowledgeStore(db, cipher),
    safetyStore: createSafetyStore(db),
    desk,
    districtOf: conversations.districtOf,
    setDistrict: conversations.setDistrict,
    bookingDesk: booking.desk,
    slots: booking.slots,
    timeZone: DEFAULT_TIME_ZONE,
  });
}
