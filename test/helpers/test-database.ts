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
 * `it` for a test that reads or writes SQLite directly (rows the stores do not show, the database file, its
 * write-ahead log): skipped, and reported as skipped, when the harnesses run on PostgreSQL.
 */
export const itOnSqlite = it.skipIf(TEST_DATABASE === "postgres");

/** The SQLite database under a core. Throws on a core over PostgreSQL: such a test must be an {@link itOnSqlite}. */
export function sqliteOf(core: Pick<Core, "database">): Db {
  if (core.database.kind !== "sqlite") throw new Error("this test reads the SQLite database directly");
  return core.database.db;
}
