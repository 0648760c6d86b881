/**
 * PostgreSQL for tests: `describePostgres` runs a block only when the test server exists (test/helpers/
 * postgres-server.ts), and `freshPostgresDatabase` makes an empty database on it for one test, dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, inject } from "vitest";
import { openPostgres, type PgDb } from "../../src/db/postgres.ts";

/** The test server's superuser URL, or "" when there is none. */
export const POSTGRES_URL = inject("postgresUrl");

/** `describe`, skipped (and reported as skipped) when no PostgreSQL server is available. */
export const describePostgres = describe.skipIf(!POSTGRES_URL);

/** URL of `database` on the test server. */
export function urlOf(database: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Makes an empty database; returns its URL and a function that drops it (ending its connections first). */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `spean_test_${randomBytes(6).toString("hex")}`;
  await asAdmin((client) => client.query(`create database ${name}`));
  return {
    url: urlOf(name),
    drop: () => asAdmin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database opened as the service opens it (migrated), for the tests of one file: `close` ends the pool and
 * drops the database. Typically `beforeAll(async () => ({ db, url, close } = await openFreshPostgres()))`.
 */
export async function openFreshPostgres(): Promise<{ db: PgDb; url: string; close: () => Promise<void> }> {
  const fresh = await freshPostgresDatabase();
  const db = await openPostgres(fresh.url);
  return {
    db,
    url: fresh.url,
    close: async () => {
      await db.$client.end();
      await fresh.drop();
    },
  };
}
