/**
 * Key rotation. Start the service with the new ENCRYPTION_KEY and the old one as ENCRYPTION_KEY_PREVIOUS: values
 * are read under either key, new values are written under the new one, and a job re-encrypts the old values in
 * batches, the database's key check among them (it is one more encrypted value). When a whole pass finds none
 * left, ENCRYPTION_KEY_PREVIOUS can go (`npm run keys:status` says so, and the job logs it once).
 */
import type { Db } from "../db/open.ts";
import type { FieldCipher } from "./field-cipher.ts";

/** Every encrypted column: its table, the table's key column, and the column. */
export const ENCRYPTED_COLUMNS = [
  ["conversations", "chat_id", "vars_enc"],
  ["inbox", "update_id", "payload_enc"],
  ["interactions", "id", "text_enc"],
  ["outbox", "id", "payload_enc"],
  ["questions", "id", "text_enc"],
  ["referrals", "id", "contact_enc"],
  ["case_messages", "id", "text_enc"],
  ["appointments", "id", "family_name_enc"],
  ["appointments", "id", "phone_enc"],
  ["store_meta", "name", "value"],
] as const;

export interface RotationPass {
  /** Values re-encrypted in this batch. */
  rewritten: number;
  /** Whether a whole pass over every column found nothing left under the previous key. */
  complete: boolean;
}

export type KeyRotation = ReturnType<typeof createKeyRotation>;

/** The rotation's progress lives in memory: after a restart it starts again from the top, which is harmless. */
export function createKeyRotation(db: Db, cipher: FieldCipher) {
  let column = 0;
  /** The last key done in the current column (null: none yet). */
  let after: string | number | null = null;
  let rewrittenThisPass = 0;

  /** Re-encrypts up to `limit` values, going on from where the last batch stopped; call inside a transaction. */
  function batch(limit = 2000): RotationPass {
    let rewritten = 0;
    let scanned = 0;
    while (scanned < limit) {
      const [table, key, col] = ENCRYPTED_COLUMNS[column] as (typeof ENCRYPTED_COLUMNS)[number];
      const rows = db.$client
        .prepare(
          `select ${key} as k, ${col} as v from ${table} ` +
            `where ${col} is not null and (@after is null or ${key} > @after) order by ${key} limit @limit`,
        )
        .all({ after, limit: limit - scanned }) as { k: string | number; v: string }[];
      for (const row of rows) {
        const renewed = cipher.reencrypt(row.v);
        if (renewed !== undefined) {
          db.$client.prepare(`update ${table} set ${col} = ? where ${key} = ?`).run(renewed, row.k);
          rewritten++;
        }
        after = row.k;
      }
      scanned += rows.length;
      if (rows.length > 0 && scanned >= limit) break;
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

/** How many stored values each key still opens (for `npm run keys:status`). */
export function rotationStatus(db: Db, cipher: FieldCipher): { current: number; previous: number; unreadable: number } {
  const counts = { current: 0, previous: 0, unreadable: 0 };
  for (const [table, , col] of ENCRYPTED_COLUMNS) {
    const values = db.$client.prepare(`select ${col} as v from ${table} where ${col} is not null`).all() as {
      v: string;
    }[];
    for (const { v } of values) {
      if (!v.startsWith("v1:")) continue; // not an encrypted value
      if (cipher.reencrypt(v) !== undefined) counts.previous++;
      else {
        try {
          cipher.decrypt(v);
          counts.current++;
        } catch {
          counts.unreadable++;
        }
      }
    }
  }
  return counts;
}
