/**
 * Backups that restore. A backup is SQLite's online backup of the live database (a consistent snapshot, taken
 * while the service keeps writing), encrypted with AES-256-GCM under ENCRYPTION_KEY and written to the backup
 * folder as `spean-<UTC time>.db.enc`; the newest `keep` are kept. Restoring decrypts (an altered file or another
 * key is refused), checks the database's integrity, and only then puts it in place, never over a database in use.
 *
 * File format: "SPEANBK1" (8 bytes), a 12-byte nonce, the ciphertext, the 16-byte GCM tag.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import Database from "better-sqlite3";
import { SpeanError } from "../base/errors.ts";
import { lockDatabase } from "./lock.ts";

const MAGIC = Buffer.from("SPEANBK1");
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FILE_PATTERN = /^spean-\d{8}T\d{6}Z\.db\.enc$/;

export interface BackupResult {
  file: string;
  bytes: number;
  /** Older backups deleted to keep `keep`. */
  removed: string[];
}

/**
 * Backs up the database at `source` (an open connection, or a path opened read-only) into `dir`, keeping the newest
 * `keep` (default 7). `now` names the file (default Date.now).
 */
export async function backupDatabase(
  source: Database.Database | string,
  options: { dir: string; key: Buffer; keep?: number; now?: () => number },
): Promise<BackupResult> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const name = `spean-${new Date((options.now ?? Date.now)()).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z.db.enc`;
  const snapshot = join(dir, `.${name}.snapshot`);
  const partial = join(dir, `.${name}.part`);
  const connection =
    typeof source === "string" ? new Database(source, { readonly: true, fileMustExist: true }) : source;
  try {
    await connection.backup(snapshot);
    await encryptFile(snapshot, partial, options.key);
    renameSync(partial, join(dir, name));
  } finally {
    if (typeof source === "string") connection.close();
    rmSync(snapshot, { force: true });
    rmSync(partial, { force: true });
  }
  const removed = listBackups(dir)
    .slice(0, -(options.keep ?? 7))
    .map((file) => {
      rmSync(join(dir, file));
      return file;
    });
  return { file: join(dir, name), bytes: (await stat(join(dir, name))).size, removed };
}

/** The backups in `dir`, oldest first (their names sort by time). */
export function listBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => FILE_PATTERN.test(file))
    .sort();
}

/**
 * Restores `file` to `target`. The target must not be in use (its lock is taken for the restore); an existing
 * database is kept beside it as `<target>.before-restore-<time>` when `replace` is set, otherwise the restore is
 * refused.
 * @throws {SpeanError} SPEAN_BACKUP_INVALID (altered, truncated, another key, or not a sound database);
 *   SPEAN_DATABASE_IN_USE; SPEAN_CONFIG_INVALID when the target exists and `replace` is not set.
 */
export async function restoreBackup(
  file: string,
  target: string,
  options: { key: Buffer; replace?: boolean },
): Promise<void> {
  const path = resolve(target);
  mkdirSync(dirname(path), { recursive: true });
  const unlock = lockDatabase(path);
  const partial = `${path}.restoring`;
  try {
    if (existsSync(path) && !options.replace) {
      throw new SpeanError(
        "SPEAN_CONFIG_INVALID",
        `${path} exists; pass --replace to keep it aside and restore over it`,
      );
    }
    await decryptFile(file, partial, options.key);
    assertSound(partial);
    // The database kept aside keeps its write-ahead log with it (it may hold its last transactions).
    const aside = `${path}.before-restore-${Date.now()}`;
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${aside}${suffix}`);
    }
    renameSync(partial, path);
  } finally {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
    unlock();
  }
}

async function encryptFile(from: string, to: string, key: Buffer): Promise<void> {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const out = createWriteStream(to);
  out.write(Buffer.concat([MAGIC, nonce]));
  await pipeline(createReadStream(from), cipher, out, { end: false });
  await new Promise<void>((done, fail) =>
    out.end(cipher.getAuthTag(), (err?: Error | null) => (err ? fail(err) : done())),
  );
}

async function decryptFile(from: string, to: string, key: Buffer): Promise<void> {
  const size = (await stat(from)).size;
  if (size < MAGIC.length + NONCE_BYTES + TAG_BYTES) throw invalid("the file is too short to be a backup");
  const handle = await open(from, "r");
  const header = Buffer.alloc(MAGIC.length + NONCE_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    await handle.read(header, 0, header.length, 0);
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await handle.close();
  }
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw invalid("not a Spean backup");
  const decipher = createDecipheriv("aes-256-gcm", key, header.subarray(MAGIC.length));
  decipher.setAuthTag(tag);
  const body = createReadStream(from, { start: header.length, end: size - TAG_BYTES - 1 });
  try {
    await pipeline(body, decipher, createWriteStream(to));
  } catch (cause) {
    rmSync(to, { force: true });
    throw invalid("it was altered, is incomplete, or was made with another ENCRYPTION_KEY", cause);
  }
}

/** The decrypted database opens and passes SQLite's integrity check. */
function assertSound(path: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const result = db.pragma("integrity_check", { simple: true });
    if (result !== "ok") throw invalid(`the database fails its integrity check: ${String(result)}`);
  } catch (cause) {
    if (cause instanceof SpeanError) throw cause;
    throw invalid("the decrypted file is not a database", cause);
  } finally {
    db?.close();
  }
}

function invalid(why: string, cause?: unknown): SpeanError {
  return new SpeanError(
    "SPEAN_BACKUP_INVALID",
    `this backup cannot be restored: ${why}`,
    {},
    cause ? { cause } : undefined,
  );
}
