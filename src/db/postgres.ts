/**
 * Opens a PostgreSQL database (node-postgres pool, Drizzle's pg dialect over src/db/pg-schema.ts) and applies the
 * committed PostgreSQL migrations in drizzle/pg/. Every network call has a deadline: connecting, each query on the
 * client, and each statement on the server.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { PROJECT_ROOT } from "../base/project-root.ts";
import { SpeanError } from "../base/errors.ts";
import * as pgSchema from "./pg-schema.ts";

export type PgDb = NodePgDatabase<typeof pgSchema> & { $client: pg.Pool };

const PG_MIGRATIONS_FOLDER = join(PROJECT_ROOT, "drizzle", "pg");

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** Deadline for opening a connection, in ms (default 5,000). */
  connectTimeoutMs?: number;
  /** Deadline for one query, in ms, on the client and as the server's statement_timeout (default 30,000). */
  queryTimeoutMs?: number;
  /**
   * How long a connection may sit idle inside an open transaction, in ms, before the server ends its session
   * (idle_in_transaction_session_timeout; default 60,000). A unit of work that waits on something other than the
   * database would otherwise hold its locks, and its pooled connection, for ever.
   */
  idleInTransactionTimeoutMs?: number;
}

/** The URL with its password, if any, replaced by "***": for logs and messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

/**
 * Opens a pool on `url` (postgres://user:password@host:port/database) and migrates the database.
 * @throws {SpeanError} SPEAN_POSTGRES_UNREACHABLE when the server cannot be reached or refuses the login.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PgDb> {
  const queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    query_timeout: queryTimeoutMs,
    statement_timeout: queryTimeoutMs,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
    application_name: "spean",
  });
  // An idle connection that the server drops (a restart, a network cut) must not crash the process.
  pool.on("error", () => undefined);
  try {
    await pool.query("select 1");
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new SpeanError(
      "SPEAN_POSTGRES_UNREACHABLE",
      `cannot reach PostgreSQL at ${redactedUrl(url)}: ${(err as Error).message}`,
      {},
      { cause: err },
    );
  }
  const db = drizzle(pool, { schema: pgSchema });
  await oneAtATimeAcrossInstances(pool, "spean:migrate", () => migrate(db, { migrationsFolder: PG_MIGRATIONS_FOLDER }));
  return db;
}

/** The advisory lock key for `name`: the first 8 bytes of its SHA-256, as PostgreSQL's signed 64-bit integer. */
export function advisoryKeyOf(name: string): bigint {
  return createHash("sha256").update(name).digest().readBigInt64BE(0);
}

/**
 * Runs `work` while holding the advisory lock `name` on a connection of `pool`, waiting for it if another instance
 * holds it: instances started together on an empty database would otherwise all create the same tables at once.
 */
async function oneAtATimeAcrossInstances<T>(pool: pg.Pool, name: string, work: () => Promise<T>): Promise<T> {
  const key = advisoryKeyOf(name).toString();
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1::bigint)", [key]);
    try {
      return await work();
    } finally {
      await client.query("select pg_advisory_unlock($1::bigint)", [key]);
    }
  } finally {
    client.release();
  }
}
