/**
 * `npm run keys:status`: during a key rotation (ENCRYPTION_KEY new, ENCRYPTION_KEY_PREVIOUS old), how many stored
 * values each key still opens, and whether the old key can go. Reads the configured database, SQLite or PostgreSQL
 * (the service may be running). Exit code 1 when some values open with neither key.
 */
import { SpeanError } from "../base/errors.ts";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/open.ts";
import { openPostgres } from "../db/postgres.ts";
import { createFieldCipher, type FieldCipher } from "../security/field-cipher.ts";
import { pgRotationStatus } from "../security/pg-rotation.ts";
import { type KeyCounts, rotationStatus } from "../security/rotation.ts";

/** The counts over the configured database. */
async function countsOf(config: ReturnType<typeof loadConfig>, cipher: FieldCipher): Promise<KeyCounts> {
  if (config.databaseUrl) {
    const pg = await openPostgres(config.databaseUrl);
    try {
      return await pgRotationStatus(pg, cipher);
    } finally {
      await pg.$client.end();
    }
  }
  const db = openDatabase(config.databasePath);
  try {
    return await rotationStatus(db, cipher);
  } finally {
    db.$client.close();
  }
}

try {
  const config = loadConfig();
  const counts = await countsOf(config, createFieldCipher(config.encryptionKey, config.encryptionKeyPrevious));
  console.log(`values under ENCRYPTION_KEY: ${counts.current}`);
  if (config.encryptionKeyPrevious) console.log(`values still under ENCRYPTION_KEY_PREVIOUS: ${counts.previous}`);
  if (counts.unreadable > 0) console.log(`values neither key opens (altered, or another key): ${counts.unreadable}`);
  if (!config.encryptionKeyPrevious) console.log("no rotation under way (ENCRYPTION_KEY_PREVIOUS is not set)");
  else if (counts.previous === 0)
    console.log("nothing is left under the previous key: remove ENCRYPTION_KEY_PREVIOUS and restart");
  else console.log("the service re-encrypts up to 2,000 values a minute; run this again later");
  process.exitCode = counts.unreadable > 0 ? 1 : 0;
} catch (err) {
  console.log(err instanceof SpeanError ? err.message : String(err));
  process.exitCode = 1;
}
