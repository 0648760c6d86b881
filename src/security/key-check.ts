/**
 * The key check: a database remembers which key it was written with (a known text encrypted with it), so that
 * starting with another ENCRYPTION_KEY stops at once with a clear message, instead of failing to read every
 * conversation and apologising to every resident. This file holds the check itself and its SQLite side;
 * src/security/pg-key-check.ts is the PostgreSQL side.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { storeMeta } from "../db/schema.ts";
import { SpeanError } from "../base/errors.ts";
import type { FieldCipher } from "./field-cipher.ts";

/** The known text the check row holds, encrypted. */
export const KEY_CHECK_TEXT = "spean key check";
/** The check row's name in store_meta. */
export const KEY_CHECK_NAME = "key_check";

/** Starts the service on the database it was given: records the key's check there, or verifies it. */
export type VerifyKey<D> = (db: D, cipher: FieldCipher, now?: () => number) => Promise<void>;

/**
 * Whether `stored` (the check row's value) opens with `cipher` to the known text. `freshStart` says how to start
 * on a new database instead (default: a new DATABASE_PATH file).
 * @throws {SpeanError} SPEAN_KEY_MISMATCH when it does not: the database was written with another key.
 */
export function assertSameKey(
  stored: string,
  cipher: FieldCipher,
  freshStart = "point DATABASE_PATH at a new file",
): void {
  let text: string | undefined;
  try {
    text = cipher.decrypt(stored);
  } catch {
    text = undefined;
  }
  if (text !== KEY_CHECK_TEXT) {
    throw new SpeanError(
      "SPEAN_KEY_MISMATCH",
      "ENCRYPTION_KEY is not the key this database was written with. Start again with that key; " +
        `for a fresh start, ${freshStart}. Nothing was changed.`,
    );
  }
}

/**
 * Records the key's check on a new SQLite database, or verifies it on an existing one. `now` (the row's creation
 * time) defaults to Date.now.
 * @throws {SpeanError} SPEAN_KEY_MISMATCH when the database was written with another key (nothing is changed).
 */
export const verifyKey: VerifyKey<Db> = async (db, cipher, now = Date.now) => {
  // Insert unless there is one, then read back whichever row is there: the same steps as over PostgreSQL, where two
  // instances may start at once (src/security/pg-key-check.ts).
  db.insert(storeMeta)
    .values({ name: KEY_CHECK_NAME, value: cipher.encrypt(KEY_CHECK_TEXT), createdAt: now() })
    .onConflictDoNothing()
    .run();
  const row = db.select().from(storeMeta).where(eq(storeMeta.name, KEY_CHECK_NAME)).get();
  assertSameKey(checkValueOf(row), cipher);
};

/** The check row's value, which the caller has just inserted unless it was there. */
export function checkValueOf(row: { value: string } | undefined): string {
  // Only something deleting the row between the two statements gets here: not a key mismatch, so not reported as one.
  if (!row) throw new Error("the key check row is missing right after it was recorded");
  return row.value;
}
