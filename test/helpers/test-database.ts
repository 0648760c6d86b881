/**
 * Which database the harness-based tests run on, and what a test that reads SQLite itself uses.
 * `SPEAN_TEST_DATABASE=postgres npm test` runs the bot and HTTP tests again on PostgreSQL (the CI does both).
 */
import { it } from "vitest";
import type { Db } from "../../src/db/open.ts";
import type { Core } from "../../src/service/core.ts";

/** The database harnesses run on unless a test says otherwise (default SQLite). */
export const TEST_DATABASE: "sqlite" | "postgres" =
  process.env.SPEAN_TEST_DATABASE === "postgres" ? "postgres" : "sqlite";

/**
 * `it` for a test that needs SQLite itself (the database file, its write-ahead log, pragmas, SQLite-only
 * behaviour): skipped, and reported as skipped, when the harnesses run on PostgreSQL. A test that only reads or writes
 * rows the stores do not show uses {@link rowsOf} / {@link runOn} and runs on both.
 */
export const itOnSqlite = it.skipIf(TEST_DATABASE === "postgres");

/** The SQLite database under a core. Throws on a core over PostgreSQL: such a test must be an {@link itOnSqlite}. */
export function sqliteOf(core: Pick<Core, "database">): Db {
  if (core.database.kind !== "sqlite") throw new Error("this test reads the SQLite database directly");
  return core.database.db;
}

/** node-postgres type ids turned into numbers (int8 and numeric come back as strings) or 1/0 (bool). */
const PG_INT8 = 20;
const PG_NUMERIC = 1700;
const PG_BOOL = 16;

/** `?` placeholders (outside quoted strings and identifiers) as PostgreSQL's `$1, $2, …`. */
function numberedPlaceholders(sql: string): string {
  let n = 0;
  let quote: string | null = null;
  let out = "";
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else out += ch === "?" ? `$${++n}` : ch;
  }
  return out;
}

/**
 * Runs raw SQL with `?` placeholders on whichever database the core is on, and returns the rows as SQLite would, so
 * that one assertion holds on both:
 * - on PostgreSQL the placeholders become `$1, $2, …` (a `?` inside a quoted string or identifier is left alone);
 * - int8 and numeric columns, which node-postgres returns as strings, become numbers (so `count(*)` is a number on
 *   both; a value beyond 2^53 loses precision);
 * - boolean columns become 1/0, as SQLite stores them (`{ allowed: 1 }`). In SQL, compare them with the literals
 *   `true`/`false`, which both accept (`allowed = 0` fails on PostgreSQL).
 *
 * Write SQL both dialects accept: no `rowid`, `json_extract`, `sqlite_master`, `printf` or pragmas, and mind integer
 * division and text/number comparisons, which differ. On SQLite, a statement that returns no rows is run and gives [].
 */
export async function rowsOf(
  core: Pick<Core, "database">,
  sql: string,
  params: readonly unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const database = core.database;
  if (database.kind === "sqlite") {
    const statement = database.db.$client.prepare(sql);
    return statement.reader ? (statement.all(...params) as Record<string, unknown>[]) : (statement.run(...params), []);
  }
  const result = await database.db.$client.query(numberedPlaceholders(sql), [...params]);
  const fields = result.fields ?? [];
  return (result.rows as Record<string, unknown>[]).map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const { name, dataTypeID } of fields) {
      const value = out[name];
      if (value === null || value === undefined) continue;
      if (dataTypeID === PG_INT8 || dataTypeID === PG_NUMERIC) out[name] = Number(value);
      else if (dataTypeID === PG_BOOL) out[name] = value ? 1 : 0;
    }
    return out;
  });
}

/**
 * Runs a write (insert, update, delete) with `?` placeholders on whichever database the core is on; booleans are
 * not converted, so pass 1/0 only to integer columns and write `true`/`false` literals for boolean ones.
 */
export async function runOn(core: Pick<Core, "database">, sql: string, params: readonly unknown[] = []): Promise<void> {
  const database = core.database;
  if (database.kind === "sqlite") database.db.$client.prepare(sql).run(...params);
  else await database.db.$client.query(numberedPlaceholders(sql), [...params]);
}

/**
 * The names of the tables on whichever database the core is on, sorted: every table in SQLite's main schema
 * (its own and Drizzle's migration table included), or every base table in PostgreSQL's current schema.
 */
export async function tableNamesOf(core: Pick<Core, "database">): Promise<string[]> {
  const sql =
    core.database.kind === "sqlite"
      ? "select name from sqlite_master where type = 'table'"
      : "select table_name as name from information_schema.tables " +
        "where table_schema = current_schema() and table_type = 'BASE TABLE'";
  return (await rowsOf(core, sql)).map((r) => r.name as string).sort();
}
