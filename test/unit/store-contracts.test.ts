/**
 * Every store contract (test/helpers/store-contracts.ts) on both databases: SQLite always, PostgreSQL when the test
 * server exists. The PostgreSQL stores share one database per file; each case starts from emptied tables.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { createActivityStore } from "../../src/programme/activities.ts";
import { createNeedsStore } from "../../src/programme/needs.ts";
import { createPgActivityStore } from "../../src/programme/pg-activities.ts";
import { createPgNeedsStore } from "../../src/programme/pg-needs.ts";
import { createPgRecordingStore } from "../../src/recordings/pg-store.ts";
import { createRecordingStore } from "../../src/recordings/store.ts";
import { createInteractionLog } from "../../src/interactions/log.ts";
import { createPgKnowledgeStore } from "../../src/knowledge/pg-store.ts";
import { createPgWordingsStore } from "../../src/knowledge/pg-wordings-store.ts";
import { createKnowledgeStore } from "../../src/knowledge/store.ts";
import { createWordingsStore } from "../../src/knowledge/wordings-store.ts";
import { createPgInteractionLog } from "../../src/interactions/pg-log.ts";
import { createMediaStore } from "../../src/referrals/media-store.ts";
import { createPgMediaStore } from "../../src/referrals/pg-media-store.ts";
import { createPgReferralStore } from "../../src/referrals/pg-store.ts";
import { createReferralStore, type NewReferral } from "../../src/referrals/store.ts";
import { createPgSafetyStore } from "../../src/safety/pg-store.ts";
import { createSafetyStore } from "../../src/safety/store.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";
import { createPgStaffStore } from "../../src/staff/pg-store.ts";
import { createStaffStore } from "../../src/staff/store.ts";
import { describePostgres, openFreshPostgres } from "../helpers/postgres.ts";
import {
  activityStoreContract,
  bookingStoreContract,
  conversationStoreContract,
  inboxStoreContract,
  interactionLogContract,
  knowledgeStoreContract,
  mediaStoreContract,
  NEEDS_SECRET,
  needsStoreContract,
  outboxStoreContract,
  recordingStoreContract,
  referralStoreContract,
  safetyStoreContract,
  staffStoreContract,
  type StoreFactory,
  type StoreFixture,
  wordingsStoreContract,
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
  "staff_invites",
  "staff_audit",
  "case_links",
  "referrals",
  "referral_events",
  "case_messages",
  "case_notes",
  "case_outcomes",
  "case_media",
  "voice_recordings",
  "voice_drafts",
  "shipped_voice_uploads",
  "needs_answered",
  "needs_responses",
  "group_activities",
  "questions",
  "article_feedback",
  "learned_wordings",
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
  describe("referrals", () => {
    referralStoreContract(onSqlite((db, clock) => createReferralStore(db, cipher, clock)));
  });
  describe("case media", () => {
    mediaStoreContract(onSqlite((db, clock) => createMediaStore(db, clock)));
  });
  describe("recordings", () => {
    recordingStoreContract(onSqlite((db, clock) => (botKey) => createRecordingStore(db, botKey, clock)));
  });
  describe("needs survey", () => {
    needsStoreContract(onSqlite((db) => createNeedsStore(db, NEEDS_SECRET)));
  });
  describe("group activities", () => {
    activityStoreContract(onSqlite((db, clock) => createActivityStore(db, clock)));
  });
  describe("knowledge questions", () => {
    knowledgeStoreContract(onSqlite((db, clock) => createKnowledgeStore(db, cipher, clock)));
  });
  describe("learned wordings", () => {
    wordingsStoreContract(onSqlite((db, clock) => createWordingsStore(db, clock)));
  });
  describe("staff", () => {
    staffStoreContract(onSqlite((db, clock) => createStaffStore(db, clock)));
  });
});

describePostgres("store contracts on PostgreSQL", () => {
  let db: PgDb;
  let url: string;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => ({ db, url, close } = await openFreshPostgres()));
  afterAll(() => close?.());

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
  describe("referrals", () => {
    referralStoreContract(onPostgres((pg, clock) => createPgReferralStore(pg, cipher, clock)));

    it("two instances claim the same open referral at once: exactly one is told true", async () => {
      await db.$client.query(`truncate ${TABLES.join(", ")} restart identity`);
      const second = await openPostgres(url, { maxConnections: 4 });
      try {
        const here = createPgReferralStore(db, cipher);
        const there = createPgReferralStore(second, cipher);
        const request: NewReferral = {
          chatId: 0,
          category: "housing",
          urgency: "normal",
          district: "khan-chamkarmon",
          consentVersion: "consent-3f9a",
          contact: { method: "call", time: "evening", phone: "012 345 678" },
          firstEscalationAt: 0,
        };
        const ids: number[] = [];
        for (let chatId = 1; chatId <= 20; chatId++) ids.push((await here.create({ ...request, chatId })).id);
        const SOKHA = 7_012_345_678;
        const BOPHA = 5_101_234;
        const claims = await Promise.all(ids.map((id) => Promise.all([here.claim(id, SOKHA), there.claim(id, BOPHA)])));
        for (const [index, [mine, theirs]] of claims.entries()) {
          expect(mine !== theirs).toBe(true);
          const referral = await there.get(ids[index]!);
          expect(referral).toMatchObject({ status: "claimed", assignedTo: mine ? SOKHA : BOPHA });
          const events = (await here.eventsOf(ids[index]!)).map((e) => [e.status, e.actor]);
          expect(events).toEqual([
            ["open", null],
            ["claimed", mine ? SOKHA : BOPHA],
          ]);
        }

        // The same, one step at a time: a claim in a transaction still open, and another instance's claim meanwhile.
        const id = (await here.create({ ...request, chatId: 21 })).id;
        let finish!: () => void;
        const held = new Promise<void>((resolve) => (finish = resolve));
        let claimed!: (won: boolean) => void;
        const first = new Promise<boolean>((resolve) => (claimed = resolve));
        const turn = createPgCommitQueue(db).run(async () => {
          claimed(await here.claim(id, SOKHA));
          await held;
        });
        expect(await first).toBe(true);
        const late = there.claim(id, BOPHA);
        const waited = await Promise.race([late.then(() => "answered"), sleep(300).then(() => "waiting")]);
        expect(waited).toBe("waiting"); // on the row's lock, until the first claim commits or rolls back
        finish();
        await turn;
        expect(await late).toBe(false);
        expect(await there.get(id)).toMatchObject({ status: "claimed", assignedTo: SOKHA });
      } finally {
        await second.$client.end();
      }
    });
  });
  describe("case media", () => {
    mediaStoreContract(onPostgres((pg, clock) => createPgMediaStore(pg, clock)));
  });
  describe("recordings", () => {
    recordingStoreContract(onPostgres((pg, clock) => (botKey) => createPgRecordingStore(pg, botKey, clock)));
  });
  describe("needs survey", () => {
    needsStoreContract(onPostgres((pg) => createPgNeedsStore(pg, NEEDS_SECRET)));
  });
  describe("group activities", () => {
    activityStoreContract(onPostgres((pg, clock) => createPgActivityStore(pg, clock)));
  });
  describe("knowledge questions", () => {
    knowledgeStoreContract(onPostgres((pg, clock) => createPgKnowledgeStore(pg, cipher, clock)));
  });
  describe("learned wordings", () => {
    wordingsStoreContract(onPostgres((pg, clock) => createPgWordingsStore(pg, clock)));

    it("two instances review the same pending wording at once: exactly one is told true", async () => {
      await db.$client.query(`truncate ${TABLES.join(", ")} restart identity`);
      const second = await openPostgres(url, { maxConnections: 4 });
      try {
        const here = createPgWordingsStore(db);
        const there = createPgWordingsStore(second);
        const SOKHA = 7_012_345_678;
        const BOPHA = 5_101_234;
        const ids: number[] = [];
        for (let n = 1; n <= 20; n++) ids.push(await here.propose("idpoor-card", `ប័ណ្ណក្រីក្រ ${n}`, 5_109_876));
        const reviews = await Promise.all(
          ids.map((id) =>
            Promise.all([
              here.review(id, ["pending"], "approved", SOKHA),
              there.review(id, ["pending"], "rejected", BOPHA),
            ]),
          ),
        );
        for (const [index, [mine, theirs]] of reviews.entries()) {
          expect(mine !== theirs).toBe(true);
          expect(await there.get(ids[index]!)).toMatchObject(
            mine ? { status: "approved", reviewedBy: SOKHA } : { status: "rejected", reviewedBy: BOPHA },
          );
        }

        // One step at a time: a review in a transaction still open, and another instance's review meanwhile.
        const id = await here.propose("eviction-rights", "ម្ចាស់ផ្ទះដេញចេញ", 5_109_876);
        let finish!: () => void;
        const held = new Promise<void>((resolve) => (finish = resolve));
        let reviewed!: (won: boolean) => void;
        const first = new Promise<boolean>((resolve) => (reviewed = resolve));
        const turn = createPgCommitQueue(db).run(async () => {
          reviewed(await here.review(id, ["pending"], "approved", SOKHA));
          await held;
        });
        expect(await first).toBe(true);
        const late = there.review(id, ["pending"], "rejected", BOPHA);
        const waited = await Promise.race([late.then(() => "answered"), sleep(300).then(() => "waiting")]);
        expect(waited).toBe("waiting"); // on the row's lock, until the first review commits or rolls back
        finish();
        await turn;
        expect(await late).toBe(false);
        expect(await there.get(id)).toMatchObject({ status: "approved", reviewedBy: SOKHA });
      } finally {
        await second.$client.end();
      }
    });
  });
  describe("staff", () => {
    staffStoreContract(onPostgres((pg, clock) => createPgStaffStore(pg, clock)));

    it("members: names in byte order even where the column's own collation would order them otherwise", async (ctx) => {
      await db.$client.query(`truncate ${TABLES.join(", ")} restart identity`);
      // The test server's databases are made with the C locale, where every order is byte order already; a column
      // collated by ICU's root locale sorts "bopha" before "Sokha" and "Émile" before "Vanna".
      const icu = await db.$client.query("select 1 from pg_collation where collname = 'und-x-icu'");
      if (icu.rowCount === 0) ctx.skip("this PostgreSQL has no ICU collations");
      await db.$client.query(`alter table staff_members alter column display_name type text collate "und-x-icu"`);
      try {
        const store = createPgStaffStore(db);
        const names = ["Vanna", "bopha", "Émile", "Sokha", "ស្រីមុំ", "Sokha"];
        for (const [n, name] of names.entries()) await store.register(9_000_000_000 - n, "caseworker", name);
        expect((await store.members()).map((m) => [m.displayName, m.telegramUserId])).toEqual([
          ["Sokha", 8_999_999_995],
          ["Sokha", 8_999_999_997],
          ["Vanna", 9_000_000_000],
          ["bopha", 8_999_999_999],
          ["Émile", 8_999_999_998],
          ["ស្រីមុំ", 8_999_999_996],
        ]);
      } finally {
        await db.$client.query(`alter table staff_members alter column display_name type text collate "default"`);
      }
    });

    it("two instances redeem the same invite code at once: exactly one registers", async () => {
      await db.$client.query(`truncate ${TABLES.join(", ")} restart identity`);
      const second = await openPostgres(url, { maxConnections: 4 });
      try {
        const here = createPgStaffStore(db);
        const there = createPgStaffStore(second);
        const ADMIN = 6_543_210_987;
        const codes: string[] = [];
        for (let n = 0; n < 20; n++) codes.push(await here.createInvite("caseworker", ADMIN));
        // Each code is redeemed by two people at once, one on each instance.
        const sokha = (n: number) => 7_012_345_000 + n;
        const bopha = (n: number) => 5_101_000 + n;
        const redeems = await Promise.all(
          codes.map((code, n) =>
            Promise.all([here.redeem(code, sokha(n), "Sokha"), there.redeem(code.toLowerCase(), bopha(n), "Bopha")]),
          ),
        );
        for (const [n, [mine, theirs]] of redeems.entries()) {
          expect(mine.ok !== theirs.ok).toBe(true);
          const [winner, loser] = mine.ok ? [sokha(n), bopha(n)] : [bopha(n), sokha(n)];
          expect(mine.ok ? theirs : mine).toEqual({ ok: false, reason: "used" });
          expect(await there.get(winner)).toMatchObject({ telegramUserId: winner, role: "caseworker" });
          expect(await here.get(loser)).toBeUndefined();
          const { rows } = await db.$client.query<{ used_by: string }>(
            `select used_by from staff_invites where id = ${n + 1}`,
          );
          expect(rows.map((r) => Number(r.used_by))).toEqual([winner]);
        }
        expect((await here.members()).length).toBe(20);

        // One step at a time: a redeem in a transaction still open, and another instance's redeem meanwhile.
        const code = await here.createInvite("supervisor", ADMIN);
        let finish!: () => void;
        const held = new Promise<void>((resolve) => (finish = resolve));
        let redeemed!: (ok: boolean) => void;
        const first = new Promise<boolean>((resolve) => (redeemed = resolve));
        const turn = createPgCommitQueue(db).run(async () => {
          redeemed((await here.redeem(code, sokha(99), "Sokha")).ok);
          await held;
        });
        expect(await first).toBe(true);
        const late = there.redeem(code, bopha(99), "Bopha");
        const waited = await Promise.race([late.then(() => "answered"), sleep(300).then(() => "waiting")]);
        expect(waited).toBe("waiting"); // on the invite's row lock, until the first redeem commits or rolls back
        finish();
        await turn;
        expect(await late).toEqual({ ok: false, reason: "used" });
        expect(await there.get(sokha(99))).toMatchObject({ role: "supervisor" });
        expect(await there.get(bopha(99))).toBeUndefined();
      } finally {
        await second.$client.end();
      }
    });
  });
});
