/**
 * Backups (src/db/backup.ts): taken while the service writes, they restore to the same rows; an altered file or
 * another key is refused; only the newest are kept; a restore never overwrites a database in use.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backupDatabase, listBackups, restoreBackup } from "../../src/db/backup.ts";
import { createCommitQueue } from "../../src/db/commit-queue.ts";
import { lockDatabase } from "../../src/db/lock.ts";
import { openDatabase } from "../../src/db/open.ts";
import { createInboxStore } from "../../src/inbox/store.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";

let dir: string;
const key = randomBytes(32);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "spean-backup-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rows = (db: Database.Database) =>
  db.prepare("select * from inbox order by update_id").all() as { update_id: number; payload_enc: string }[];

describe("backups", () => {
  it("a backup taken while updates are written restores to exactly its rows, a consistent prefix", async () => {
    const source = openDatabase(join(dir, "spean.db"));
    const inbox = createInboxStore(source, createFieldCipher(key));
    const commits = createCommitQueue(source.$client);
    let next = 1;
    const write = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const id = next++;
        await inbox.ingest({ update_id: id, message: { chat: { id: 1000 + (id % 50) }, text: `m${id}` } } as never);
      }
    };
    await commits.run(() => write(20_000));
    // Writes keep coming while the backup runs (each batch its own commit, between the backup's steps).
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await commits.run(() => write(50));
        await new Promise((done) => setImmediate(done));
      }
    })();
    const backup = await backupDatabase(source.$client, { dir: join(dir, "backups"), key, now: () => 0 });
    writing = false;
    await writer;

    await restoreBackup(backup.file, join(dir, "restored.db"), { key });
    const restored = new Database(join(dir, "restored.db"), { readonly: true });
    const got = rows(restored);
    const all = new Map(rows(source.$client).map((r) => [r.update_id, r]));
    expect(got.length).toBeGreaterThanOrEqual(20_000);
    expect(all.size).toBeGreaterThan(got.length); // writes went on while the backup ran
    expect(got.map((r) => r.update_id)).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    for (const row of got) expect(row).toEqual(all.get(row.update_id));
    expect(restored.pragma("integrity_check", { simple: true })).toBe("ok");
    restored.close();
    source.$client.close();
    expect(readFileSync(backup.file).includes(Buffer.from("SQLite format 3"))).toBe(false); // encrypted
  });

  it("refuses an altered file, a truncated one and another key, and leaves the target untouched", async () => {
    const source = openDatabase(join(dir, "spean.db"));
    const { file } = await backupDatabase(source.$client, { dir, key });
    source.$client.close();
    const bytes = readFileSync(file);
    const altered = Buffer.from(bytes);
    const middle = Math.floor(bytes.length / 2);
    altered[middle] = (altered[middle] as number) ^ 1;
    writeFileSync(join(dir, "altered.db.enc"), altered);
    writeFileSync(join(dir, "short.db.enc"), bytes.subarray(0, bytes.length - 100));
    const target = join(dir, "restored.db");
    for (const [path, withKey] of [
      [join(dir, "altered.db.enc"), key],
      [join(dir, "short.db.enc"), key],
      [file, randomBytes(32)],
    ] as const) {
      await expect(restoreBackup(path, target, { key: withKey })).rejects.toMatchObject({
        code: "SPEAN_BACKUP_INVALID",
      });
    }
    expect(() => readFileSync(target)).toThrow();
  });

  it("keeps the newest backups only", async () => {
    const source = openDatabase(join(dir, "spean.db"));
    for (let i = 0; i < 9; i++) await backupDatabase(source.$client, { dir, key, keep: 7, now: () => i * 60_000 });
    source.$client.close();
    const kept = listBackups(dir);
    expect(kept).toHaveLength(7);
    expect(kept[0]).toBe("spean-19700101T000200Z.db.enc");
  });

  it("never restores over a database in use, nor over an existing one unless told to keep it aside", async () => {
    const path = join(dir, "spean.db");
    const source = openDatabase(path);
    const { file } = await backupDatabase(source.$client, { dir: join(dir, "backups"), key });
    source.$client.close();
    const unlock = lockDatabase(path, process.ppid); // held by another running process: the service
    await expect(restoreBackup(file, path, { key, replace: true })).rejects.toMatchObject({
      code: "SPEAN_DATABASE_IN_USE",
    });
    unlock();
    await expect(restoreBackup(file, path, { key })).rejects.toMatchObject({ code: "SPEAN_CONFIG_INVALID" });
    await restoreBackup(file, path, { key, replace: true });
    expect(new Database(path, { readonly: true }).pragma("integrity_check", { simple: true })).toBe("ok");
    const left = readdirSync(dir);
    expect(left.filter((name) => name.includes("restoring"))).toEqual([]);
    expect(left.some((name) => name.startsWith("spean.db.before-restore-"))).toBe(true);
  });
});
