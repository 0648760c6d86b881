/**
 * The registry: every action, block and choice provider a flow may name, the answer to typed questions, and the
 * danger detector. Built once the database is open, because recording questions, votes and referrals writes to it.
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
import { createDesk, type Desk } from "../referrals/desk.ts";
import { createReferralStore } from "../referrals/store.ts";
import { createDangerDetector } from "../safety/danger.ts";
import { createWorkCalendar } from "../scheduling/calendar.ts";
import { createFieldCipher } from "../security/field-cipher.ts";
import { createStaffStore } from "../staff/store.ts";
import type { Content } from "./load.ts";

export interface RegistryServices {
  knowledgeStore: KnowledgeStore;
  desk: Desk;
  /** Where the resident's remembered district is kept. */
  districtOf: (chatId: number) => string | undefined;
  setDistrict: (chatId: number, district: string) => void;
}

/** Builds the registry over loaded content and the stores its entries write to. */
export function createRegistry(content: Content, services: RegistryServices): Registry {
  const knowledge = createKnowledgeFeature({
    kb: content.knowledge,
    index: content.searchIndex,
    store: services.knowledgeStore,
    pagesOf: content.pagesOf,
  });
  const help = createHelpFeature({ directory: content.directory, translator: content.translator, ...services });
  return {
    actions: new Map([["set_locale", setLocale], ...knowledge.actions, ...help.actions]),
    blocks: new Map([["emergency_numbers", emergencyNumbersBlock(content.directory)], ...help.blocks]),
    choices: knowledge.choices,
    freeText: knowledge.freeText,
    isDanger: createDangerDetector(content.dangerPhrases),
  };
}

/** A registry over a throwaway in-memory database, for checking content without running the service. */
export function createCheckRegistry(content: Content): Registry {
  const db = openDatabase(":memory:");
  const cipher = createFieldCipher(randomBytes(32));
  const conversations = createConversationStore(db, cipher);
  const desk = createDesk({
    referrals: createReferralStore(db, cipher),
    staff: createStaffStore(db),
    outbox: createOutboxStore(db, cipher),
    translator: content.translator,
    calendar: createWorkCalendar({ timeZone: "Asia/Phnom_Penh", holidays: content.holidays }),
    staffChatId: undefined,
    staffLocale: "km",
    residentLocale: () => "km",
    timeZone: "Asia/Phnom_Penh",
  });
  return createRegistry(content, {
    knowledgeStore: createKnowledgeStore(db, cipher),
    desk,
    districtOf: conversations.districtOf,
    setDistrict: conversations.setDistrict,
  });
}
