/**
 * The key check and key rotation over PostgreSQL (src/security/pg-key-check.ts, src/security/pg-rotation.ts): the
 * same behaviour as over SQLite (test/unit/key-rotation.test.ts), plus what only a shared database has: instances
 * starting at once on a new database, and a walk over bigint and text keys in several batches.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { SpeanError } from "../../src/base/errors.ts";
import { createPgConversationStore } from "../../src/conversations/pg-store.ts";
import { appointments, storeMeta } from "../../src/db/pg-schema.ts";
import { createPgCommitQueue } from "../../src/db/pg-unit-of-work.ts";
import { openPostgres, type PgDb } from "../../src/db/postgres.ts";
import { createPgInboxStore } from "../../src/inbox/pg-store.ts";
import { createPgInteractionLog } from "../../src/interactions/pg-log.ts";
import { createPgKnowledgeStore } from "../../src/knowledge/pg-store.ts";
import { createPgOutboxStore } from "../../src/outbox/pg-store.ts";
import { createPgReferralStore } from "../../src/referrals/pg-store.ts";
import { createFieldCipher, type FieldCipher } from "../../src/security/field-cipher.ts";
import { KEY_CHECK_NAME, KEY_CHECK_TEXT } from "../../src/security/key-check.ts";
import { verifyPgKey } from "../../src/security/pg-key-check.ts";
import { createPgKeyRotation, pgRotationStatus } from "../../src/security/pg-rotation.ts";
import { ENCRYPTED_COLUMNS, type RotationPass } from "../../src/security/rotation.ts";
import { describePostgres, freshPostgresDatabase } from "../helpers/postgres.ts";

/**
 * Chat ids for the conversations: negative (groups), one digit, past 9 (where the order of text and of numbers
 * part), past 2^32.
 */
const CHAT_IDS = [-1_001_234_567_890, -5, ...Array.from({ length: 25 }, (_, i) => i + 1), 2 ** 40 + 3];

describePostgres("key check and rotation on PostgreSQL", () => {
  let db: PgDb;
  /** A second pool on the same database: another instance. */
  let other: PgDb;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshPostgresDatabase();
    drop = fresh.drop;
    db = await openPostgres(fresh.url);
    other = await openPostgres(fresh.url);
  });
  afterAll(async () => {
    await other?.$client.end();
    await db?.$client.end();
    await drop?.();
  });
  beforeEach(async () => {
    const { rows } = await db.$client.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'public'",
    );
    await db.$client.query(`truncate ${rows.map((r) => `"${r.tablename}"`).join(", ")} restart identity`);
  });

  const keyRows = () => db.select().from(storeMeta);

  it("records a new database's key; the same key starts again; another is refused and changes nothing", async () => {
    const key = createFieldCipher(Buffer.alloc(32, 1));
    await verifyPgKey(db, key);
    await expect(verifyPgKey(db, key)).resolves.toBeUndefined();
    const before = await keyRows();
    expect(before).toHaveLength(1);
    const refused = verifyPgKey(db, createFieldCipher(Buffer.alloc(32, 2)));
    await expect(refused).rejects.toBeInstanceOf(SpeanError);
    await expect(refused).rejects.toMatchObject({ code: "SPEAN_KEY_MISMATCH" });
    expect(await keyRows()).toEqual(before);
  });

  it("two instances starting at once on a new database: one key, both pass; two keys, one is refused", async () => {
    const key = randomBytes(32);
    for (let round = 0; round < 10; round++) {
      await db.$client.query("truncate store_meta");
      // Each instance has its own cipher over the same key.
      await Promise.all([verifyPgKey(db, createFieldCipher(key)), verifyPgKey(other, createFieldCipher(key))]);
      expect(await keyRows()).toHaveLength(1);
    }
    for (let round = 0; round < 10; round++) {
      await db.$client.query("truncate store_meta");
      const outcomes = await Promise.allSettled([
        verifyPgKey(db, createFieldCipher(randomBytes(32))),
        verifyPgKey(other, createFieldCipher(randomBytes(32))),
      ]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      expect(outcomes.find((o) => o.status === "rejected")?.reason).toMatchObject({ code: "SPEAN_KEY_MISMATCH" });
      expect(await keyRows()).toHaveLength(1);
    }
  });

  it("an insert that waited on another instance's uncommitted check row verifies that row", async () => {
    const key = randomBytes(32);
    const first = await db.$client.connect();
    try {
      await first.query("begin");
      await first.query("insert into store_meta (name, value, created_at) values ($1, $2, 1)", [
        KEY_CHECK_NAME,
        createFieldCipher(key).encrypt(KEY_CHECK_TEXT),
      ]);
      const second = verifyPgKey(other, createFieldCipher(key));
      await waitForLockWaiter();
      await first.query("commit");
      await expect(second).resolves.toBeUndefined();
    } finally {
      first.release();
    }
    expect(await keyRows()).toMatchObject([{ createdAt: 1 }]);
  });

  it("re-encrypts every value in batches over bigint and text keys; then only the new key opens them", async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const before = createFieldCipher(oldKey);
    await verifyPgKey(db, before);
    await writeEncryptedRows(before);
    const plainBefore = await plainValues(before);
    const total = plainBefore.size;
    expect(total).toBe(1 + 25 + CHAT_IDS.length + 13 + 15 + 12 + 3 + 2 + 3 + 3 + 2 + 1);

    // Restarted with ENCRYPTION_KEY=new and ENCRYPTION_KEY_PREVIOUS=old.
    const during = createFieldCipher(newKey, oldKey);
    await expect(verifyPgKey(db, during)).resolves.toBeUndefined();
    expect(await pgRotationStatus(db, during)).toEqual({ current: 0, previous: total, unreadable: 0 });

    // Each batch in a unit of work, as the job runs it; 7 values a batch, so every column takes several.
    const commits = createPgCommitQueue(db);
    const rotation = createPgKeyRotation(db, during);
    const passes: RotationPass[] = [];
    while (passes.length < 200 && !passes.at(-1)?.complete) passes.push(await commits.run(() => rotation.batch(7)));
    expect(passes.at(-1)?.complete).toBe(true);
    // One pass re-encrypts, a second finds nothing left: each reads every value, 7 at a time.
    expect(passes.length).toBeGreaterThanOrEqual(2 * Math.ceil(total / 7));
    expect(passes.reduce((n, p) => n + p.rewritten, 0)).toBe(total);
    expect(await pgRotationStatus(db, during)).toEqual({ current: total, previous: 0, unreadable: 0 });

    // ENCRYPTION_KEY_PREVIOUS removed: every value opens under the new key alone, to what it was; none under the old.
    const after = createFieldCipher(newKey);
    expect(await plainValues(after)).toEqual(plainBefore);
    const oldOnly = createFieldCipher(oldKey);
    for (const stored of await storedValues()) expect(() => oldOnly.decrypt(stored)).toThrow(SpeanError);
    await expect(verifyPgKey(db, after)).resolves.toBeUndefined();
    await expect(verifyPgKey(db, oldOnly)).rejects.toMatchObject({ code: "SPEAN_KEY_MISMATCH" });
    expect(await createPgConversationStore(db, after).load(2 ** 40 + 3)).toMatchObject({ vars: { chat: 2 ** 40 + 3 } });
    // A value that is not encrypted is left as it was.
    expect(await db.$client.query("select value from store_meta where name = 'plain'")).toMatchObject({
      rows: [{ value: "not encrypted" }],
    });
  });

  it("a value another instance writes while a batch runs is kept, not replaced by the batch's older one", async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const before = createPgConversationStore(db, createFieldCipher(oldKey));
    for (const chat of [1, 2, 3]) await before.save(chat, { node: "main.menu", step: 1, stack: [], vars: { chat } });
    const during = createFieldCipher(newKey, oldKey);
    const written = during.encrypt(JSON.stringify({ chat: 2, answer: "written meanwhile" }));
    // Another instance is changing chat 2 and has not committed: the batch reads the old value, then waits on the row.
    const writer = await db.$client.connect();
    try {
      await writer.query("begin");
      await writer.query("update conversations set vars_enc = $1 where chat_id = 2", [written]);
      const pass = createPgCommitQueue(db).run(() => createPgKeyRotation(db, during).batch());
      await waitForLockWaiter();
      await writer.query("commit");
      expect(await pass).toEqual({ rewritten: 2, complete: false });
    } finally {
      writer.release();
    }
    const after = createPgConversationStore(db, createFieldCipher(newKey));
    expect((await after.load(2))?.vars).toEqual({ chat: 2, answer: "written meanwhile" });
    expect((await after.load(3))?.vars).toEqual({ chat: 3 });
  });

  /** Waits until a session of the test database waits on a lock held by the test's own open transaction. */
  async function waitForLockWaiter(): Promise<void> {
    for (let tries = 0; tries < 100; tries++) {
      const { rows } = await db.$client.query(
        "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      if (rows.length > 0) return;
      await sleep(20);
    }
    throw new Error("the second instance never waited on the first one's row");
  }

  /** Encrypted rows in every encrypted column, written by the stores where they are simple to call. */
  async function writeEncryptedRows(cipher: FieldCipher): Promise<void> {
    const conversations = createPgConversationStore(db, cipher);
    for (const chat of CHAT_IDS)
      await conversations.save(chat, { node: "main.menu", step: 1, stack: [], vars: { chat } });
    const inbox = createPgInboxStore(db, cipher);
    for (let id = 8; id <= 20; id++)
      await inbox.ingest({ update_id: id, message: { chat: { id: 7 }, text: "hi" } } as never);
    const log = createPgInteractionLog(db, cipher);
    for (let i = 0; i < 15; i++) await log.record({ chatId: 7, direction: "in", kind: "text", text: `message ${i}` });
    const outbox = createPgOutboxStore(db, cipher);
    for (let i = 0; i < 12; i++)
      await outbox.enqueue({
        dedupeKey: `m${i}`,
        chatId: 7,
        purpose: "reply",
        message: { kind: "text", text: `reply ${i}` },
      });
    const knowledge = createPgKnowledgeStore(db, cipher);
    for (let i = 0; i < 3; i++)
      await knowledge.recordQuestion({
        chatId: 7,
        text: `question ${i}`,
        locale: "km",
        answeredWith: undefined,
        score: 0.5,
      });
    const referrals = createPgReferralStore(db, cipher);
    for (let i = 0; i < 2; i++) {
      const { id } = await referrals.create({
        chatId: 7,
        category: "legal",
        urgency: "normal",
        district: undefined,
        consentVersion: "1",
        contact: { method: "call", time: "any", phone: `01234567${i}` },
        firstEscalationAt: 0,
      });
      if (i === 0) for (const text of ["a", "b", "c"]) await referrals.logMessage(id, "to_resident", 1, "text", text);
      if (i === 0) for (const text of ["d", "e", "f"]) await referrals.addNote(id, 1, text);
    }
    const appointment = { chatId: 7, counsellorId: 1, topic: "t", site: "s", forWhom: "family" as const };
    const at = { locale: "km" as const, status: "booked" as const, createdAt: 0, updatedAt: 0 };
    await db.insert(appointments).values([
      {
        ...appointment,
        ...at,
        startsAt: 1,
        endsAt: 2,
        familyNameEnc: cipher.encrypt("Sok"),
        phoneEnc: cipher.encrypt("012"),
      },
      { ...appointment, ...at, startsAt: 3, endsAt: 4, familyNameEnc: cipher.encrypt("Dara"), phoneEnc: null },
    ]);
    // Text keys past one batch, where "k10" sorts before "k2"; and one value that is not encrypted.
    await db.insert(storeMeta).values([
      ...Array.from({ length: 25 }, (_, i) => ({
        name: `k${i + 1}`,
        value: cipher.encrypt(`meta ${i}`),
        createdAt: 0,
      })),
      { name: "plain", value: "not encrypted", createdAt: 0 },
    ]);
  }

  /** Every encrypted value, as stored. */
  async function storedValues(): Promise<string[]> {
    const values: string[] = [];
    for (const [table, , col] of ENCRYPTED_COLUMNS) {
      const { rows } = await db.$client.query<{ v: string }>(
        `select ${col} as v from ${table} where ${col} like 'v1:%'`,
      );
      values.push(...rows.map((r) => r.v));
    }
    return values;
  }

  /** Every encrypted value's plain text under `cipher`, by table, column and key. */
  async function plainValues(cipher: FieldCipher): Promise<Map<string, string>> {
    const plain = new Map<string, string>();
    for (const [table, key, col] of ENCRYPTED_COLUMNS) {
      const { rows } = await db.$client.query<{ k: string; v: string }>(
        `select ${key} as k, ${col} as v from ${table} where ${col} like 'v1:%'`,
      );
      for (const { k, v } of rows) plain.set(`${table}.${col}.${k}`, cipher.decrypt(v));
    }
    return plain;
  }
});
