/**
 * Key rotation (src/security/rotation.ts): with the new key and the old one as previous, everything stays readable,
 * a job re-encrypts it all in batches, and then the old key can go.
 */
import { randomBytes } from "node:crypto";
import { is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createCommitQueue } from "../../src/db/commit-queue.ts";
import { openDatabase } from "../../src/db/open.ts";
import * as schema from "../../src/db/schema.ts";
import { createInboxStore } from "../../src/inbox/store.ts";
import { createInteractionLog } from "../../src/interactions/log.ts";
import { createLogger } from "../../src/logger.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";
import { verifyKey } from "../../src/security/key-check.ts";
import { createKeyRotation, ENCRYPTED_COLUMNS, rotationStatus } from "../../src/security/rotation.ts";
import { createCore, loadServiceContent } from "../../src/service/core.ts";
import { scheduledJobs } from "../../src/service/jobs.ts";
import { sqliteOf } from "../helpers/test-database.ts";

describe("key rotation", () => {
  it("reads under both keys, re-encrypts everything in batches, and then the old key is not needed", async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const db = openDatabase(":memory:");
    const before = createFieldCipher(oldKey);
    await verifyKey(db, before);
    const log = createInteractionLog(db, before);
    for (let i = 0; i < 2500; i++) await log.record({ chatId: 7, direction: "in", kind: "text", text: `message ${i}` });
    await createInboxStore(db, before).ingest({ update_id: 1, message: { chat: { id: 7 }, text: "hi" } } as never);

    // The service restarted with ENCRYPTION_KEY=new and ENCRYPTION_KEY_PREVIOUS=old.
    const during = createFieldCipher(newKey, oldKey);
    await expect(verifyKey(db, during)).resolves.toBeUndefined();
    expect((await createInteractionLog(db, during).ofChat(7))[0]?.text).toBe("message 0");
    expect(await rotationStatus(db, during)).toEqual({ current: 0, previous: 2502, unreadable: 0 });

    // Each batch in one transaction of the unit of work, as the job runs it (src/service/jobs.ts).
    const commits = createCommitQueue(db.$client);
    const rotation = createKeyRotation(db, during);
    const passes = [];
    for (let run = 0; run < 10; run++) {
      const pass = await commits.run(() => rotation.batch(1000));
      passes.push(pass);
      if (pass.complete) break;
    }
    expect(passes.at(-1)?.complete).toBe(true);
    expect(passes.reduce((n, p) => n + p.rewritten, 0)).toBe(2502);
    expect(await rotationStatus(db, during)).toEqual({ current: 2502, previous: 0, unreadable: 0 });

    // ENCRYPTION_KEY_PREVIOUS removed: the new key alone opens everything, the old one is refused.
    const after = createFieldCipher(newKey);
    await expect(verifyKey(db, after)).resolves.toBeUndefined();
    expect((await createInteractionLog(db, after).ofChat(7))[2499]?.text).toBe("message 2499");
    await expect(verifyKey(db, createFieldCipher(oldKey))).rejects.toMatchObject({ code: "SPEAN_KEY_MISMATCH" });
    db.$client.close();
  });

  it("a batch that fails is rolled back whole: nothing of it is written", async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const db = openDatabase(":memory:");
    const log = createInteractionLog(db, createFieldCipher(oldKey));
    for (let i = 0; i < 10; i++) await log.record({ chatId: 7, direction: "in", kind: "text", text: `message ${i}` });
    const during = createFieldCipher(newKey, oldKey);
    const commits = createCommitQueue(db.$client);
    const rotation = createKeyRotation(db, during);
    await expect(
      commits.run(async () => {
        expect((await rotation.batch(5)).rewritten).toBe(5);
        throw new Error("the job failed after its batch");
      }),
    ).rejects.toThrow("the job failed after its batch");
    expect(await rotationStatus(db, during)).toEqual({ current: 0, previous: 10, unreadable: 0 });
    db.$client.close();
  });

  it("the job re-encrypts in batches and says it is done once, after the batch finding none left commits", async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const config = loadConfig({
      DATABASE_PATH: ":memory:",
      ENCRYPTION_KEY: newKey.toString("base64"),
      ENCRYPTION_KEY_PREVIOUS: oldKey.toString("base64"),
    });
    const lines: string[] = [];
    const logger = createLogger("warn", { write: (line: string) => lines.push(line) });
    const core = await createCore(config, logger, Date.now, { content: loadServiceContent(config) });
    try {
      const log = createInteractionLog(sqliteOf(core), createFieldCipher(oldKey));
      for (let i = 0; i < 3; i++) await log.record({ chatId: 7, direction: "in", kind: "text", text: `message ${i}` });
      const job = scheduledJobs(core).find((j) => j.name === "key-rotation");
      expect(job).toBeDefined();
      expect(await job?.run()).toEqual({ rewritten: 3, complete: false });
      expect(lines).toEqual([]);
      expect(await job?.run()).toEqual({ rewritten: 0, complete: true });
      await job?.run();
      expect(lines.filter((line) => line.includes("key rotation complete"))).toHaveLength(1);
      // The key check, written under the new key at start-up, and the three messages.
      expect(await rotationStatus(sqliteOf(core), core.cipher)).toEqual({ current: 4, previous: 0, unreadable: 0 });
    } finally {
      await core.close();
    }
  });

  it("covers every encrypted column of the schema", () => {
    const named = new Set(ENCRYPTED_COLUMNS.map(([table, , col]) => `${table}.${col}`));
    const inSchema = Object.values(schema)
      .filter((table) => is(table, SQLiteTable))
      .flatMap((table) => {
        const config = getTableConfig(table);
        return config.columns.filter((c) => c.name.endsWith("_enc")).map((c) => `${config.name}.${c.name}`);
      });
    expect(inSchema.length).toBeGreaterThan(0);
    expect(inSchema.filter((column) => !named.has(column))).toEqual([]);
  });
});
