/**
 * Moving a deployment from its SQLite file to PostgreSQL: every table copied row by row as it is (encrypted fields
 * stay encrypted with the same key, ids keep their values), then checked. The copy is one PostgreSQL transaction:
 * it is committed only when every table holds as many rows as its source and the same rows (an order-independent
 * fingerprint of each table, computed on both sides), so a failed or interrupted copy leaves the target empty.
 */
import { createHash } from "node:crypto";
import { is } from "drizzle-orm";
import { getTableConfig, PgTable, type PgColumn } from "drizzle-orm/pg-core";
import type pg from "pg";
import { SpeanError } from "../base/errors.ts";
import type { Db } from "./open.ts";
import * as pgSchema from "./pg-schema.ts";
import type { PgDb } from "./postgres.ts";

/** What was copied of one table. */
export interface TableCopy {
  table: string;
  rows: number;
  /** The rows' fingerprint, the same on both sides (hex). */
  fingerprint: string;
}

export interface CopyReport {
  tables: TableCopy[];
  rows: number;
}

interface TablePlan {
  name: string;
  columns: { name: string; kind: "boolean" | "bigint" | "text"; identity: boolean }[];
}

/** Rows per INSERT is bounded by PostgreSQL's 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000;
const FETCH_ROWS = 5_000;
const MODULUS = 1n << 256n;

/** Every table of the PostgreSQL schema, by name, with its columns in order. */
export function copyPlan(): TablePlan[] {
  return (Object.values(pgSchema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => {
      const config = getTableConfig(table);
      return { name: config.name, columns: config.columns.map(columnPlan) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function columnPlan(column: PgColumn): TablePlan["columns"][number] {
  const kind =
    column.columnType === "PgBoolean" ? "boolean" : column.columnType === "PgText" ? "text" : ("bigint" as const);
  const identity = Boolean((column as unknown as { generatedIdentity?: unknown }).generatedIdentity);
  return { name: column.name, kind, identity };
}

/**
 * Copies every table of `source` into `target`, which must be migrated and empty, and checks the copy.
 * `batchRows` (default: as many as fit in one statement, at most 1,000) is for tests.
 * @throws {SpeanError} SPEAN_COPY_REFUSED when a target table already holds rows; SPEAN_COPY_FAILED when PostgreSQL
 *   refuses a row; SPEAN_COPY_MISMATCH when a copied table's count or fingerprint differs from its source. Nothing is
 *   committed after either of the last two.
 */
export async function copySqliteToPostgres(
  source: Db,
  target: PgDb,
  options: { batchRows?: number; onTable?: (copy: TableCopy) => void } = {},
): Promise<CopyReport> {
  const plan = copyPlan();
  const client = await target.$client.connect();
  const sqlite = source.$client;
  try {
    await client.query("begin");
    const tables: TableCopy[] = [];
    try {
      // Checked inside the transaction, with the tables locked against writers: a service or a second copy started
      // against the same database meanwhile waits for this one instead of mixing rows into it.
      await client.query(`lock table ${plan.map((t) => quote(t.name)).join(", ")} in exclusive mode`);
      await refuseUnlessEmpty(client, plan);
      sqlite.exec("begin"); // one snapshot of the source for the whole copy
      for (const table of plan) {
        const copied = await copyTable(sqlite, client, table, options.batchRows).catch((err: unknown) => {
          throw new SpeanError("SPEAN_COPY_FAILED", `${table.name}: ${(err as Error).message}`, {}, { cause: err });
        });
        await resetIdentities(client, table);
        const landed = await fingerprintInPostgres(client, table);
        if (landed.rows !== copied.rows || landed.fingerprint !== copied.fingerprint) {
          throw new SpeanError(
            "SPEAN_COPY_MISMATCH",
            `${table.name}: ${copied.rows} rows in SQLite, ${landed.rows} in PostgreSQL` +
              (landed.rows === copied.rows ? " (same count, different rows)" : ""),
          );
        }
        tables.push(copied);
        options.onTable?.(copied);
      }
      await client.query("commit");
    } catch (err) {
      await client.query("rollback").catch(() => undefined);
      throw err;
    } finally {
      if (sqlite.inTransaction) sqlite.exec("commit");
    }
    return { tables, rows: tables.reduce((sum, t) => sum + t.rows, 0) };
  } finally {
    client.release();
  }
}

async function refuseUnlessEmpty(client: pg.PoolClient, plan: TablePlan[]): Promise<void> {
  const filled: string[] = [];
  for (const table of plan) {
    const { rows } = await client.query(`select exists (select 1 from ${quote(table.name)}) as filled`);
    if ((rows[0] as { filled: boolean }).filled) filled.push(table.name);
  }
  if (filled.length > 0) {
    throw new SpeanError(
      "SPEAN_COPY_REFUSED",
      `the PostgreSQL database is not empty (${filled.join(", ")}): copy into a new, empty database`,
    );
  }
}

async function copyTable(
  sqlite: Db["$client"],
  client: pg.PoolClient,
  table: TablePlan,
  batchRows?: number,
): Promise<TableCopy> {
  const names = table.columns.map((c) => quote(c.name)).join(", ");
  const perBatch = batchRows ?? Math.min(1_000, Math.floor(MAX_PARAMETERS / table.columns.length));
  const rows = sqlite
    .prepare(`select ${names} from ${quote(table.name)}`)
    .raw()
    .iterate() as Iterable<unknown[]>;
  const fingerprint = new Fingerprint();
  let batch: unknown[][] = [];
  for (const raw of rows) {
    // The source's fingerprint is of the values as SQLite holds them, so that a value changed on the way is caught.
    fingerprint.add(table.columns.map((column, i) => (column.kind === "boolean" ? asStoredBoolean(raw[i]) : raw[i])));
    batch.push(table.columns.map((column, i) => fromSqlite(raw[i], column.kind)));
    if (batch.length >= perBatch) {
      await insertBatch(client, table, names, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await insertBatch(client, table, names, batch);
  return { table: table.name, rows: fingerprint.rows, fingerprint: fingerprint.hex() };
}

async function insertBatch(client: pg.PoolClient, table: TablePlan, names: string, batch: unknown[][]): Promise<void> {
  const width = table.columns.length;
  const tuples = batch.map((_, r) => `(${table.columns.map((_c, c) => `$${r * width + c + 1}`).join(", ")})`);
  await client.query(`insert into ${quote(table.name)} (${names}) values ${tuples.join(", ")}`, batch.flat());
}

/** Copied ids keep their values, so each identity column's next value must come after the largest copied one. */
async function resetIdentities(client: pg.PoolClient, table: TablePlan): Promise<void> {
  for (const column of table.columns.filter((c) => c.identity)) {
    await client.query(
      `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quote(column.name)}) ` +
        `from ${quote(table.name)}), 0) + 1, false)`,
      [quote(table.name), column.name],
    );
  }
}

async function fingerprintInPostgres(client: pg.PoolClient, table: TablePlan): Promise<Omit<TableCopy, "table">> {
  const names = table.columns.map((c) => quote(c.name)).join(", ");
  const fingerprint = new Fingerprint();
  await client.query(`declare spean_copy_check no scroll cursor for select ${names} from ${quote(table.name)}`);
  for (;;) {
    const { rows } = await client.query<unknown[]>({
      text: `fetch ${FETCH_ROWS} from spean_copy_check`,
      rowMode: "array",
    });
    for (const row of rows) fingerprint.add(row);
    if (rows.length < FETCH_ROWS) break;
  }
  await client.query("close spean_copy_check");
  return { rows: fingerprint.rows, fingerprint: fingerprint.hex() };
}

/** How a boolean column's value compares: 0 and 1 as false and true, anything else as itself. */
function asStoredBoolean(value: unknown): unknown {
  return value === 0 || value === 0n ? false : value === 1 || value === 1n ? true : value;
}

/** SQLite keeps booleans as 0 and 1; everything else goes across as it is. */
function fromSqlite(value: unknown, kind: TablePlan["columns"][number]["kind"]): unknown {
  if (value === null || value === undefined) return null;
  if (kind === "boolean") return value !== 0 && value !== 0n;
  return value;
}

/**
 * An order-independent fingerprint of a multiset of rows: the sum, modulo 2^256, of each row's SHA-256. The same rows
 * in any order give the same sum; a changed, missing or extra row changes it. Values are compared as text (node-
 * postgres returns bigint columns as strings; SQLite gives numbers).
 */
class Fingerprint {
  rows = 0;
  private sum = 0n;

  add(row: unknown[]): void {
    const canonical = row.map((v) => (v === null ? "\u0000" : typeof v === "boolean" ? (v ? "t" : "f") : String(v)));
    const digest = createHash("sha256").update(canonical.join("\u0001")).digest("hex");
    this.sum = (this.sum + BigInt(`0x${digest}`)) % MODULUS;
    this.rows += 1;
  }

  hex(): string {
    return this.sum.toString(16).padStart(64, "0");
  }
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
