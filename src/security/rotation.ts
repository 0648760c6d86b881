/**
 * Key rotation. Start the service with the new ENCRYPTION_KEY and the old one as ENCRYPTION_KEY_PREVIOUS: values
 * are read under either key, new values are written under the new one, and a job re-encrypts the old values in
 * batches, the database's key check among them (it is one more encrypted value). When a whole pass finds none
 * left, ENCRYPTION_KEY_PREVIOUS can go (`npm run keys:status` says so, and the job logs it once).
 *
 * The walk over the columns is the same on every database: a database gives it pages of one column's values, by
 * key, and writes renewed ones back (`EncryptedValues`). This file holds the walk and the SQLite side;
 * src/security/pg-rotation.ts is the PostgreSQL side.
 */
import type Database from "better-sqlite3";
import type { Db } from "../db/open.ts";
import type { FieldCipher } from "./field-cipher.ts";

/**
 * Every encrypted column: its table, the table's key column, and the column. The same names on SQLite and
 * PostgreSQL; identifiers in the rotation's SQL come only from here.
 */
export const ENCRYPTED_COLUMNS = [
  ["conversations", "chat_id", "vars_enc"],
  ["inbox", "update_id", "payload_enc"],
  ["interactions", "id", "text_enc"],
  ["outbox", "id", "payload_enc"],
  ["questions", "id", "text_enc"],
  ["referrals", "id", "contact_enc"],
  ["case_messages", "id", "text_enc"],
  ["case_notes", "id", "text_enc"],
  ["appointments", "id", "family_name_enc"],
  ["appointments", "id", "phone_enc"],
  ["store_meta", "name", "value"],
] as const;

export type EncryptedColumn = (typeof ENCRYPTED_COLUMNS)[number];

/**
 * A row's key as the driver returns it: a number, or a string (a text key, or a PostgreSQL bigint, which `pg`
 * returns as a string so that no digit is lost). It is only ever passed back to the same column, never compared
 * here: the database compares it, as the column's own type.
 */
export type RowKey = string | number;

/** One stored value of an encrypted column. */
export interface StoredValue {
  key: RowKey;
  stored: string;
}

/** A stored value and the same plain text under the current key. */
export interface Renewal extends StoredValue {
  renewed: string;
}

/** What the rotation reads and writes on one database. */
export interface EncryptedValues {
  /** Up to `limit` non-null values of `column` whose key is above `after` (any key when null), in key order. */
  page(column: EncryptedColumn, after: RowKey | null, limit: number): Promise<StoredValue[]>;
  /**
   * Writes each renewed value where its row still holds the value that was read (a value written meanwhile is
   * already under the current key and is kept); resolves with how many were written.
   */
  rewrite(column: EncryptedColumn, renewals: readonly Renewal[]): Promise<number>;
}

export interface RotationPass {
  /** Values re-encrypted in this batch. */
  rewritten: number;
  /** Whether a whole pass over every column found nothing left under the previous key. */
  complete: boolean;
}

export interface KeyRotation {
  /**
   * Re-encrypts up to `limit` values (default 2,000), going on from where the last batch stopped. Call inside a
   * unit of work, one batch at a time.
   */
  batch(limit?: number): Promise<RotationPass>;
}

/** How many stored values each key opens. */
export interface KeyCounts {
  current: number;
  previous: number;
  /** Values neither key opens (altered, or under a third key). */
  unreadable: number;
}

/** Values read at a time by the status count. */
const STATUS_PAGE = 5000;

/** The values of a page that are under the previous key, each with its renewal. */
function renewalsOf(values: readonly StoredValue[], cipher: FieldCipher): Renewal[] {
  const renewals: Renewal[] = [];
  for (const value of values) {
    const renewed = cipher.reencrypt(value.stored);
    if (renewed !== undefined) renewals.push({ ...value, renewed });
  }
  return renewals;
}

/**
 * The rotation over one database's values. Its progress lives in memory: after a restart it starts again from
 * the top, which is harmless.
 */
export function rotationOver(values: EncryptedValues, cipher: FieldCipher): KeyRotation {
  let column = 0;
  /** The last key done in the current column (null: none yet). */
  let after: RowKey | null = null;
  let rewrittenThisPass = 0;

  async function batch(limit = 2000): Promise<RotationPass> {
    let rewritten = 0;
    let scanned = 0;
    while (scanned < limit) {
      const current = ENCRYPTED_COLUMNS[column] as EncryptedColumn;
      const page = await values.page(current, after, limit - scanned);
      const renewals = renewalsOf(page, cipher);
      if (renewals.length > 0) rewritten += await values.rewrite(current, renewals);
      after = page.at(-1)?.key ?? after;
      scanned += page.length;
      if (page.length > 0 && scanned >= limit) break;
      // This column is done: on to the next; after the last one, a pass is over.
      column = (column + 1) % ENCRYPTED_COLUMNS.length;
      after = null;
      if (column === 0) {
        const complete = rewrittenThisPass + rewritten === 0;
        rewrittenThisPass = 0;
        return { rewritten, complete };
      }
    }
    rewrittenThisPass += rewritten;
    return { rewritten, complete: false };
  }

  return { batch };
}

/** Adds `stored` to the count of the key that opens it; a value that is not encrypted is not counted. */
function count(counts: KeyCounts, stored: string, cipher: FieldCipher): void {
  if (!stored.startsWith("v1:")) return;
  if (cipher.reencrypt(stored) !== undefined) counts.previous++;
  else {
    try {
      cipher.decrypt(stored);
      counts.current++;
    } catch {
      counts.unreadable++;
    }
  }
}

/** How many stored values each key opens, over every encrypted column, read a page at a time. */
export async function keyCountsOf(values: EncryptedValues, cipher: FieldCipher): Promise<KeyCounts> {
  const counts: KeyCounts = { current: 0, previous: 0, unreadable: 0 };
  for (const column of ENCRYPTED_COLUMNS) {
    let after: RowKey | null = null;
    for (;;) {
      const page = await values.page(column, after, STATUS_PAGE);
      for (const { stored } of page) count(counts, stored, cipher);
      if (page.length < STATUS_PAGE) break;
      after = (page.at(-1) as StoredValue).key;
    }
  }
  return counts;
}

/** The encrypted values of a SQLite database, through prepared statements made once per column. */
function sqliteValues(db: Db): EncryptedValues {
  const prepared = new Map<string, Database.Statement<unknown[]>>();
  // Identifiers come from ENCRYPTED_COLUMNS only; values are bound.
  const statement = (text: string) => {
    let made = prepared.get(text);
    if (!made) prepared.set(text, (made = db.$client.prepare<unknown[]>(text)));
    return made;
  };
  return {
    async page([table, key, col], after, limit) {
      return statement(
        `select ${key} as key, ${col} as stored from ${table} ` +
          `where ${col} is not null and (@after is null or ${key} > @after) order by ${key} limit @limit`,
      ).all({ after, limit }) as StoredValue[];
    },
    async rewrite([table, key, col], renewals) {
      const update = statement(`update ${table} set ${col} = ? where ${key} = ? and ${col} = ?`);
      let written = 0;
      for (const { key: k, stored, renewed } of renewals) written += update.run(renewed, k, stored).changes;
      return written;
    },
  };
}

/**
 * The rotation over a SQLite database. Its statements answer at once, so a batch run in a unit of work
 * (src/db/commit-queue.ts) is one transaction within one turn of the event loop.
 */
export function createKeyRotation(db: Db, cipher: FieldCipher): KeyRotation {
  return rotationOver(sqliteValues(db), cipher);
}

/** How many stored values each key still opens in a SQLite database (for `npm run keys:status`). */
export function rotationStatus(db: Db, cipher: FieldCipher): Promise<KeyCounts> {
  return keyCountsOf(sqliteValues(db), cipher);
}
