/**
 * The database the service runs on: the SQLite file at DATABASE_PATH (the default, nothing to install), or the
 * PostgreSQL database at DATABASE_URL. Everything that differs between the two lives here and in
 * src/service/stores.ts: opening and locking, the unit of work, the key check and its rotation, the write check of
 * /readyz, the checkpoint after /forget, and closing. The rest of the service sees only the stores' interfaces.
 */
import type { CommitQueue } from "../db/commit-queue.ts";
import { createCommitQueue } from "../db/commit-queue.ts";
import { lockDatabase } from "../db/lock.ts";
import { type Db, openDatabase } from "../db/open.ts";
import { createPgCommitQueue } from "../db/pg-unit-of-work.ts";
import { openPostgres, type PgDb } from "../db/postgres.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import { verifyKey } from "../security/key-check.ts";
import { verifyPgKey } from "../security/pg-key-check.ts";
import { createPgKeyRotation } from "../security/pg-rotation.ts";
import { createKeyRotation, type KeyRotation } from "../security/rotation.ts";

/** Which database, and its Drizzle handle. */
export type DatabaseHandle = { kind: "sqlite"; db: Db } | { kind: "postgres"; db: PgDb };

/** An open database with what the service needs of it beyond the stores. */
export interface ServiceDatabase {
  handle: DatabaseHandle;
  /** The unit of work (group commit) for the hot path. */
  commits: CommitQueue;
  /** Whether the database takes writes now (/readyz). */
  writable(): Promise<boolean>;
  /**
   * After /forget: makes erased rows leave the disk where the database can be told to (SQLite's write-ahead log is
   * emptied; PostgreSQL's autovacuum reclaims dead rows on its own schedule).
   */
  checkpoint(): void;
  /** Closes the database and releases its lock. */
  close(): Promise<void>;
}

/** Where the data lives: a PostgreSQL URL, else the SQLite path. */
export interface DatabaseSettings {
  databasePath: string;
  databaseUrl?: string | undefined;
}

/**
 * Opens the configured database (PostgreSQL when `databaseUrl` is set), migrating it. A SQLite file is locked for
 * this process unless `lock` is false (default true; command-line tools run beside the service without it). A
 * PostgreSQL database is shared: several instances may run on it (src/cluster/).
 * @throws {SpeanError} SPEAN_DATABASE_IN_USE when another process holds the SQLite file; SPEAN_POSTGRES_UNREACHABLE
 */
export async function openServiceDatabase(
  settings: DatabaseSettings,
  options: { lock?: boolean } = {},
): Promise<ServiceDatabase> {
  const lock = options.lock ?? true;
  return settings.databaseUrl
    ? await openPostgresDatabase(settings.databaseUrl)
    : openSqliteDatabase(settings.databasePath, lock);
}

function openSqliteDatabase(path: string, lock: boolean): ServiceDatabase {
  const unlock = lock ? lockDatabase(path) : () => undefined;
  let db: Db;
  try {
    db = openDatabase(path);
  } catch (err) {
    unlock();
    throw err;
  }
  return {
    handle: { kind: "sqlite", db },
    commits: createCommitQueue(db.$client),
    writable: () => Promise.resolve(sqliteWritable(db)),
    checkpoint: () => void db.$client.pragma("wal_checkpoint(TRUNCATE)"),
    close: () => {
      db.$client.close();
      unlock();
      return Promise.resolve();
    },
  };
}

async function openPostgresDatabase(url: string): Promise<ServiceDatabase> {
  const db = await openPostgres(url);
  return {
    handle: { kind: "postgres", db },
    commits: createPgCommitQueue(db),
    writable: () => postgresWritable(db),
    checkpoint: () => undefined,
    close: async () => {
      await db.$client.end().catch(() => undefined);
    },
  };
}

/** Whether SQLite takes a write lock now (inside a transaction it is writing already). */
function sqliteWritable(db: Db): boolean {
  if (db.$client.inTransaction) return true;
  try {
    db.$client.prepare("BEGIN IMMEDIATE").run();
    db.$client.prepare("ROLLBACK").run();
    return true;
  } catch {
    return false;
  }
}

/** Whether PostgreSQL answers within the pool's query deadline, as a primary that takes writes (not a replica). */
async function postgresWritable(db: PgDb): Promise<boolean> {
  try {
    const result = await db.$client.query<{ replica: boolean }>("select pg_is_in_recovery() as replica");
    return result.rows[0]?.replica === false;
  } catch {
    return false;
  }
}

/**
 * Records the key's check on a new database, or verifies it on an existing one.
 * @throws {SpeanError} SPEAN_KEY_MISMATCH when the database was written with another key
 */
export async function verifyDatabaseKey(handle: DatabaseHandle, cipher: FieldCipher, now: () => number): Promise<void> {
  if (handle.kind === "sqlite") await verifyKey(handle.db, cipher, now);
  else await verifyPgKey(handle.db, cipher, now);
}

/** The key rotation over this database (src/security/rotation.ts). */
export function keyRotationOf(handle: DatabaseHandle, cipher: FieldCipher): KeyRotation {
  return handle.kind === "sqlite" ? createKeyRotation(handle.db, cipher) : createPgKeyRotation(handle.db, cipher);
}
