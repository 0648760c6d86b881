/**
 * The key check (src/security/key-check.ts) over PostgreSQL. Several instances may start at once on a new database:
 * each inserts its check row unless one is there (`on conflict do nothing`, never a caught error, which would abort
 * a transaction), then reads back whichever row won and verifies it. Instances started with the same key all pass,
 * since any of their rows opens with that key; an instance with another key is refused.
 */
import { eq } from "drizzle-orm";
import { unwrapQueryError } from "../db/pg-errors.ts";
import { storeMeta } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import { assertSameKey, checkValueOf, KEY_CHECK_NAME, KEY_CHECK_TEXT, type VerifyKey } from "./key-check.ts";

/**
 * Records the key's check on a new PostgreSQL database, or verifies it on an existing one. `now` (the row's creation
 * time) defaults to Date.now. Runs in the caller's unit of work when there is one, else each statement on its own.
 * @throws {SpeanError} SPEAN_KEY_MISMATCH when the database was written with another key (nothing is changed).
 */
export const verifyPgKey: VerifyKey<PgDb> = async (db, cipher, now = Date.now) => {
  let stored: string;
  try {
    await executor(db)
      .insert(storeMeta)
      .values({ name: KEY_CHECK_NAME, value: cipher.encrypt(KEY_CHECK_TEXT), createdAt: now() })
      .onConflictDoNothing({ target: storeMeta.name });
    // A second statement, not a CTE in the insert: it sees a row another instance committed while this insert
    // waited on it, which the insert's own snapshot would not.
    const [row] = await executor(db)
      .select({ value: storeMeta.value })
      .from(storeMeta)
      .where(eq(storeMeta.name, KEY_CHECK_NAME));
    stored = checkValueOf(row);
  } catch (err) {
    throw unwrapQueryError(err);
  }
  assertSameKey(stored, cipher, "use a new PostgreSQL database");
};
