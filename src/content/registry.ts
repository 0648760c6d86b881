/**
 * The registry: every action, block and choice provider a flow may name, and the answer to typed questions.
 * Built once the database is open, because recording questions and votes writes to it.
 */
import { randomBytes } from "node:crypto";
import { emergencyNumbersBlock } from "../directory/emergency-numbers.ts";
import { type Registry, setLocale } from "../engine/actions.ts";
import { createKnowledgeFeature } from "../knowledge/feature.ts";
import { createDangerDetector } from "../knowledge/safety.ts";
import { createKnowledgeStore, type KnowledgeStore } from "../knowledge/store.ts";
import { openDatabase } from "../db/open.ts";
import { createFieldCipher } from "../security/field-cipher.ts";
import type { Content } from "./load.ts";

export interface RegistryServices {
  knowledgeStore: KnowledgeStore;
}

/** Builds the registry over loaded content and the stores its entries write to. */
export function createRegistry(content: Content, services: RegistryServices): Registry {
  const knowledge = createKnowledgeFeature({
    kb: content.knowledge,
    index: content.searchIndex,
    store: services.knowledgeStore,
    isDanger: createDangerDetector(content.dangerPhrases),
    pagesOf: content.pagesOf,
  });
  return {
    actions: new Map([["set_locale", setLocale], ...knowledge.actions]),
    blocks: new Map([["emergency_numbers", emergencyNumbersBlock(content.emergencyNumbers)]]),
    choices: knowledge.choices,
    freeText: knowledge.freeText,
  };
}

/** A registry over a throwaway in-memory database, for checking content without running the service. */
export function createCheckRegistry(content: Content): Registry {
  const db = openDatabase(":memory:");
  return createRegistry(content, { knowledgeStore: createKnowledgeStore(db, createFieldCipher(randomBytes(32))) });
}
