/**
 * Every store contract (test/helpers/store-contracts.ts) on both databases: SQLite always, PostgreSQL when the test
 * server exists. The PostgreSQL stores share one database per file; each case starts from emptied tables.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { createPgBookingStore } from "../../src/booking/pg-store.ts";
import { createBookingStore } from "../../src/booking/store.ts";
import { createPgConversationStore } from "../../src/conversations/pg-store.ts";
import { createConversationStore } from "../../src/conversations/store.ts";
import { createCommitQueue } from "../../src/db/commit-queue.ts";
import { openDatabase } from "../../src/db/open.ts";
import { createPgCommitQueue } from "../../src/db/pg-unit-of-work.ts";
import { openPostgres, type PgDb } from "../../src/db/postgres.ts";
import { createPgInboxStore } from "../../src/inbox/pg-store.ts";
import { createInboxStore } from "../../src/inbox/store.ts";
import { createPgOutboxStore } from "../../src/outbox/pg-store.ts";
import { createOutboxStore } from "../../src/outbox/store.ts";
import { createInteractionLog } from "../../src/interactions/log.ts";
import { createPgInteractionLog } from "../../src/interactions/pg-log.ts";
import { createPgSafetyStore } from "../../src/safety/pg-store.ts";
import { createSafetyStore } from "../../src/safety/store.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";
import { describePostgres, freshPostgresDatabase } from "../helpers/postgres.ts";
import {
  bookingStoreContract,
  conversationStoreContract,
  inboxStoreContract,
  interactionLogContract,
  outboxStoreContract,
  safetyStoreContract,
  type StoreFactory,
  type StoreFixture,
} from "../helpers/store-contracts.ts";

const cipher = createFieldCipher(Buffer.alloc(32, 9));

/** The tables the contracted stores write, emptied before each PostgreSQL case. */
const TABLES = [
  "users",
  "conversations",
  "interactions",
  "chat_messages",
  "safety_checks",
  "inbox",
  "inbox_floods",
  "outbox",
  "counsellors",
  "counsellor_hours",
  "counsellor_time_off",
  "appointments",
  "staff_members",
];

type Db = ReturnType<typeof openDatabase>;

/** A factory of stores on a fresh in-memory SQLite database each. */
function onSqlite<S>(make: (db: Db, clock: () => number) => S): StoreFactory<S> {
  return async (clock) => {
    const db = openDatabase(":memory:");
    return {
      store: make(db, clock),
      commits: createCommitQueue(db.$client),
      rows: async (query) => {
        const statement = db.$client.prepare(query);
        if (statement.reader) return statement.all() as Record<string, unknown>[];
        statement.run();
        return [];
      },
      close: async () => {
        db.$client.close();
      },
    } satisfies StoreFixture<S>;
  };
}

describe("store contracts on SQLite", () => {
  describe("conversation store", () => {
    conversationStoreContract(onSqlite((db, clock) => createConversationStore(db, cipher, clock)));
  });
  describe("interaction log", () => {
    interactionLogContract(onSqlite((db, clock) => createInteractionLog(db, cipher, clock)));
  });
  describe("safety check-ins", () => {
    safetyStoreContract(onSqlite((db, clock) => createSafetyStore(db, clock)));
  });
  describe("inbox", () => {
    inboxStoreContract(onSqlite((db, clock) => createInboxStore(db, cipher, clock)));
  });
  describe("outbox", () => {
    outboxStoreContract(onSqlite((db, clock) => createOutboxStore(db, cipher, clock)));
  });
  describe("booking", () => {
    bookingStoreContract(onSqlite((db, clock) => createBookingStore(db, cipher, clock)));
  });
});

describePostgres("store contracts on PostgreSQL", () => {
  let db: PgDb;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshPostgresDatabase();
    drop = fresh.drop;
    db = await openPostgres(fresh.url);
  });
  afterAll(async () => {
    await db?.$client.end();
    await drop?.();
  });

  /** A factory of stores on the file's database, its tables emptied first. */
  function onPostgres<S>(make: (db: PgDb, clock: () => number) => S): StoreFactory<S> {
    return async (clock) => {
      await db.$client.query(`truncate ${TABLES.join(", ")} restart identity`);
      return {
        store: make(db, clock),
        commits: createPgCommitQueue(db),
        rows: async (query) => (await db.$client.query<Record<string, unknown>>(query)).rows,
        close: async () => undefined,
      } satisfies StoreFixture<S>;
    };
  }

  describe("conversation store", () => {
    conversationStoreContract(onPostgres((pg, clock) => createPgConversationStore(pg, cipher, clock)));
  });
  describe("interaction log", () => {
    interactionLogContract(onPostgres((pg, clock) => createPgInteractionLog(pg, cipher, clock)));
  });
  describe("safety check-ins", () => {
    safetyStoreContract(onPostgres((pg, clock) => createPgSafetyStore(pg, clock)));
  });
  describe("inbox", () => {
    inboxStoreContract(onPostgres((pg, clock) => createPgInboxStore(pg, cipher, clock)));
  });
  describe("outbox", () => {
    outboxStoreContract(onPostgres((pg, clock) => createPgOutboxStore(pg, cipher, clock)));
  });
  describe("booking", () => {
    bookingStoreContract(onPostgres((pg, clock) => createPgBookingStore(pg, cipher, clock)));
  });
});
