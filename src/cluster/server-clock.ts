/**
 * The PostgreSQL server's clock in epoch milliseconds, as SQL. Leases, tick claims and the send pace compare times
 * written by different instances, so they all use the one clock the instances share rather than each their own.
 */
import { sql } from "drizzle-orm";

/** `now` on the database server, in epoch milliseconds (a bigint, which node-postgres returns as a string). */
export const SERVER_NOW_MS = sql<string>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
