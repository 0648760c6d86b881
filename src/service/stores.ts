/**
 * Every store over the service's database: the SQLite stores, or their PostgreSQL twins behind the same interfaces
 * (each pair is tested with one set of cases: test/helpers/store-contracts.ts).
 */
import { createHmac } from "node:crypto";
import type { Config } from "../config.ts";
import { type BookingStore, createBookingStore } from "../booking/store.ts";
import { createPgBookingStore } from "../booking/pg-store.ts";
import { type ConsoleAccessStore, createConsoleAccessStore } from "../console/access-store.ts";
import { createPgConsoleAccessStore } from "../console/pg-access-store.ts";
import { createPgServiceChecks } from "../console/pg-service-checks.ts";
import { createServiceChecks, type ServiceChecks } from "../console/service-checks.ts";
import { type ConversationStore, createConversationStore } from "../conversations/store.ts";
import { createPgConversationStore } from "../conversations/pg-store.ts";
import { createInboxStore, type InboxStore } from "../inbox/store.ts";
import { createPgInboxStore } from "../inbox/pg-store.ts";
import { createInteractionLog, type InteractionLog } from "../interactions/log.ts";
import { createPgInteractionLog } from "../interactions/pg-log.ts";
import { createKnowledgeStore, type KnowledgeStore } from "../knowledge/store.ts";
import { createPgKnowledgeStore } from "../knowledge/pg-store.ts";
import { createPgWordingsStore } from "../knowledge/pg-wordings-store.ts";
import { createWordingsStore, type WordingsStore } from "../knowledge/wordings-store.ts";
import { createOutboxStore, type OutboxStore } from "../outbox/store.ts";
import { createPgOutboxStore } from "../outbox/pg-store.ts";
import { type ActivityStore, createActivityStore } from "../programme/activities.ts";
import { createFiguresStore, type FiguresStore } from "../programme/figures-store.ts";
import { createNeedsStore, type NeedsStore } from "../programme/needs.ts";
import { createPgActivityStore } from "../programme/pg-activities.ts";
import { createPgFiguresStore } from "../programme/pg-figures-store.ts";
import { createPgNeedsStore } from "../programme/pg-needs.ts";
import { botKeyOf, createRecordingStore, type RecordingStore } from "../recordings/store.ts";
import { createPgRecordingStore } from "../recordings/pg-store.ts";
import { createMediaStore, type MediaStore } from "../referrals/media-store.ts";
import { createPgMediaStore } from "../referrals/pg-media-store.ts";
import { createPgReferralStore } from "../referrals/pg-store.ts";
import { createReferralStore, type ReferralStore } from "../referrals/store.ts";
import { createPgSafetyStore } from "../safety/pg-store.ts";
import { createSafetyStore, type SafetyStore } from "../safety/store.ts";
import { createFieldCipher, type FieldCipher } from "../security/field-cipher.ts";
import { createPgStaffStore } from "../staff/pg-store.ts";
import { createStaffStore, type StaffStore } from "../staff/store.ts";
import type { DatabaseHandle } from "./database.ts";
import { SANDBOX_TOKEN } from "./sandbox.ts";

/** The stores, one of each, over one database. */
export interface Stores {
  conversations: ConversationStore;
  interactions: InteractionLog;
  knowledge: KnowledgeStore;
  wordings: WordingsStore;
  safety: SafetyStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  staff: StaffStore;
  referrals: ReferralStore;
  media: MediaStore;
  recordings: RecordingStore;
  booking: BookingStore;
  needs: NeedsStore;
  activities: ActivityStore;
  consoleAccess: ConsoleAccessStore;
  serviceChecks: ServiceChecks;
  figures: FiguresStore;
}

/** What some stores need besides the database. */
export interface StoreKeys {
  /** Encrypts sensitive fields. */
  cipher: FieldCipher;
  /** Which bot the voice recordings belong to (a Telegram file id works only for the bot that received it). */
  botKey: string;
  /** The keyed hash of the needs survey (a key derived for that purpose only). */
  needsSecret: Buffer;
  now: () => number;
}

/** The keys the stores need, from the configuration. */
export function storeKeysOf(
  config: Pick<Config, "encryptionKey" | "encryptionKeyPrevious" | "botToken">,
  now: () => number,
): StoreKeys {
  return {
    cipher: createFieldCipher(config.encryptionKey, config.encryptionKeyPrevious),
    botKey: botKeyOf(config.botToken ?? SANDBOX_TOKEN),
    needsSecret: derivedKey(config.encryptionKey, "needs-survey"),
    now,
  };
}

/** A key for one purpose derived from the encryption key, so that no two uses share a key. */
function derivedKey(key: Buffer, purpose: string): Buffer {
  return createHmac("sha256", key).update(`spean:${purpose}`).digest();
}

/** The stores over `handle`'s database. */
export function createStores(handle: DatabaseHandle, keys: StoreKeys): Stores {
  const { cipher, botKey, needsSecret, now } = keys;
  if (handle.kind === "postgres") {
    const db = handle.db;
    return {
      conversations: createPgConversationStore(db, cipher, now),
      interactions: createPgInteractionLog(db, cipher, now),
      knowledge: createPgKnowledgeStore(db, cipher, now),
      wordings: createPgWordingsStore(db, now),
      safety: createPgSafetyStore(db, now),
      inbox: createPgInboxStore(db, cipher, now),
      outbox: createPgOutboxStore(db, cipher, now),
      staff: createPgStaffStore(db, now),
      referrals: createPgReferralStore(db, cipher, now),
      media: createPgMediaStore(db, now),
      recordings: createPgRecordingStore(db, botKey, now),
      booking: createPgBookingStore(db, cipher, now),
      needs: createPgNeedsStore(db, needsSecret),
      activities: createPgActivityStore(db, now),
      consoleAccess: createPgConsoleAccessStore(db),
      serviceChecks: createPgServiceChecks(db, now),
      figures: createPgFiguresStore(db),
    };
  }
  const db = handle.db;
  return {
    conversations: createConversationStore(db, cipher, now),
    interactions: createInteractionLog(db, cipher, now),
    knowledge: createKnowledgeStore(db, cipher, now),
    wordings: createWordingsStore(db, now),
    safety: createSafetyStore(db, now),
    inbox: createInboxStore(db, cipher, now),
    outbox: createOutboxStore(db, cipher, now),
    staff: createStaffStore(db, now),
    referrals: createReferralStore(db, cipher, now),
    media: createMediaStore(db, now),
    recordings: createRecordingStore(db, botKey, now),
    booking: createBookingStore(db, cipher, now),
    needs: createNeedsStore(db, needsSecret),
    activities: createActivityStore(db, now),
    consoleAccess: createConsoleAccessStore(db),
    serviceChecks: createServiceChecks(db, now),
    figures: createFiguresStore(db),
  };
}
