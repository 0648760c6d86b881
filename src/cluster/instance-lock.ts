/**
 * One service per PostgreSQL database, until several instances share the work (issue 18's lane leases, shared send
 * pace and job ticks are built in src/cluster/ but not yet used by the worker, the sender and the jobs). A second
 * instance on the same database would answer every update twice, as a second process on one SQLite file would, so
 * it refuses to start. The lock is a session-level advisory lock on a connection of its own: the server releases it
 * the moment that session ends, so a process that died (kill -9, a reboot) leaves nothing to clean up.
 */
import pg from "pg";
import { SpeanError } from "../base/errors.ts";
import { lockKeyOf } from "./election.ts";
import { redactedUrl } from "../db/postgres.ts";

/** The lock's name; every instance of this version takes the same one. */
const INSTANCE_LOCK = "spean:one-instance";

/**
 * Takes the instance lock on `url`; returns the function that releases it (and closes its connection).
 * `timeoutMs` (default 5,000) bounds connecting and the lock query.
 * @throws {SpeanError} SPEAN_DATABASE_IN_USE when another instance holds it; SPEAN_POSTGRES_UNREACHABLE
 */
export async function lockPostgres(url: string, timeoutMs = 5_000): Promise<() => Promise<void>> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: "spean-instance-lock",
  });
  // A dropped connection ends the session and with it the lock; it must not crash the process.
  client.on("error", () => undefined);
  let held: boolean;
  try {
    await client.connect();
    const result = await client.query<{ held: boolean }>("select pg_try_advisory_lock($1) as held", [
      lockKeyOf(INSTANCE_LOCK).toString(),
    ]);
    held = result.rows[0]?.held === true;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new SpeanError(
      "SPEAN_POSTGRES_UNREACHABLE",
      `cannot reach PostgreSQL at ${redactedUrl(url)}: ${(err as Error).message}`,
      {},
      { cause: err },
    );
  }
  if (!held) {
    await client.end().catch(() => undefined);
    throw new SpeanError(
      "SPEAN_DATABASE_IN_USE",
      `another Spean instance is using the PostgreSQL database at ${redactedUrl(url)}. ` +
        "Stop it first: this version runs one instance per database, and two would answer every update twice.",
    );
  }
  return async () => {
    await client.end().catch(() => undefined);
  };
}
