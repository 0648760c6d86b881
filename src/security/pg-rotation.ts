/**
 * Key rotation (src/security/rotation.ts) over PostgreSQL: the same walk over ENCRYPTED_COLUMNS, with one query for
 * a page of a column and one update for all its renewed values. Every query runs on `executor(db)`, so a batch run
 * in a unit of work (src/db/pg-unit-of-work.ts) is one transaction.
 *
 * Keys are bigint or text. A page's last key comes back from `pg` as a string for a bigint; it is bound as an
 * untyped parameter, so the server reads it as the key column's own type and `key > $after` compares numbers for a
 * bigint key and text for a text key (a string comparison would put 10 before 9 and skip rows).
 *
 * Unlike SQLite's one process, other instances write while a batch runs: the update writes a renewed value only where
 * the row still holds the value that was read, so a value written meanwhile (under the current key) is never
 * replaced by an older one.
 */
import { type SQL, sql } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { FieldCipher } from "./field-cipher.ts";
import {
  type EncryptedValues,
  type KeyCounts,
  type KeyRotation,
  keyCountsOf,
  rotationOver,
  type StoredValue,
} from "./rotation.ts";

/** The encrypted values of a PostgreSQL database. Identifiers come from ENCRYPTED_COLUMNS only; values are bound. */
function pgValues(db: PgDb): EncryptedValues {
  const id = (name: string) => sql.identifier(name);
  return withDriverErrors<EncryptedValues>({
    async page([table, key, col], after, limit) {
      const above: SQL = after === null ? sql`` : sql`and ${id(key)} > ${after}`;
      const result = await executor(db).execute<Record<string, unknown>>(
        sql`select ${id(key)} as key, ${id(col)} as stored from ${id(table)}
            where ${id(col)} is not null ${above} order by ${id(key)} limit ${limit}`,
      );
      return result.rows as unknown as StoredValue[];
    },

    async rewrite([table, key, col], renewals) {
      // Three parallel arrays, each one parameter (sql.param: a bare array would become a list of parameters).
      const keys = sql.param(renewals.map((r) => r.key));
      const stored = sql.param(renewals.map((r) => r.stored));
      const renewed = sql.param(renewals.map((r) => r.renewed));
      const result = await executor(db).execute(
        sql`update ${id(table)} set ${id(col)} = r.renewed
            from unnest(${stored}::text[], ${renewed}::text[]) as r(stored, renewed)
            where ${id(table)}.${id(key)} = any(${keys}) and ${id(table)}.${id(col)} = r.stored`,
      );
      return result.rowCount ?? 0;
    },
  });
}

/** The rotation over a PostgreSQL database; run each batch in a unit of work, one batch at a time. */
export function createPgKeyRotation(db: PgDb, cipher: FieldCipher): KeyRotation {
  return rotationOver(pgValues(db), cipher);
}

/** How many stored values each key still opens in a PostgreSQL database (for `npm run keys:status`). */
export function pgRotationStatus(db: PgDb, cipher: FieldCipher): Promise<KeyCounts> {
  return keyCountsOf(pgValues(db), cipher);
}
