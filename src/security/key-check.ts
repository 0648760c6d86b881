/**
 * The key check: a database remembers which key it was written with (a known text encrypted with it), so that
 * starting with another ENCRYPTION_KEY stops at once with a clear message, instead of failing to read every
 * conversation and apologising to every resident.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { storeMeta } from "../db/schema.ts";
import { SpeanError } from "../base/errors.ts";
import type { FieldCipher } from "./field-cipher.ts";

const CHECK_TEXT = "spean key check";
const NAME = "key_check";

/**
 * Records the key's check on a new database, or verifies it on an existing one.
 * @throws {SpeanError} SPEAN_KEY_MISMATCH when the database was written with another key (nothing is changed).
 */
export function verifyKey(db: Db, cipher: FieldCipher, now: () => number = Date.now): void {
  const row = db.select().from(storeMeta).where(eq(storeMeta.name, NAME)).get();
  if (!row) {
    db.insert(storeMeta)
      .values({ name: NAME, value: cipher.encrypt(CHECK_TEXT), createdAt: now() })
      .onConflictDoNothing()
      .run();
    return;
  }
  let text: string | undefined;
  try {
    text = cipher.decrypt(row.value);
  } catch {
    text = undefined;
  }
  if (text !== CHECK_TEXT) {
    throw new SpeanError(
      "SPEAN_KEY_MISMATCH",
      "ENCRYPTION_KEY is not the key this database was written with. Start again with that key; " +
        "for a fresh start, point DATABASE_PATH at a new file. Nothing was changed.",
    );
  }
}
