/**
 * The SQL expressions both figures stores put in their queries (src/programme/figures-store.ts over SQLite,
 * pg-figures-store.ts over PostgreSQL): the month an instant falls in, a referral's claim-time band, and the district
 * a counselling session counts in. Plain CASE expressions that read the same in either dialect, so the two databases
 * bucket and band every row alike.
 */
import { type Column, type SQL, sql } from "drizzle-orm";

/**
 * The month an instant column falls in, as an index into `starts` (the months' first instants, computed in the
 * service's time zone: exact in any zone, a session at 23:30 on a month's last day stays in that month). For rows
 * already limited to the period; an instant before `starts[1]` is month 0. Grouped on by position (`group by 1`):
 * the instants are parameters, and PostgreSQL takes two copies of an expression with parameters for two expressions.
 */
export function monthIndex(column: Column, starts: readonly number[]): SQL<number> {
  if (starts.length <= 1) return sql<number>`0`.mapWith(Number);
  const steps = starts.slice(1).map((start, i) => sql` when ${column} < ${start} then ${sql.raw(String(i))}`);
  return sql<number>`case${sql.join(steps)} else ${sql.raw(String(starts.length - 1))} end`.mapWith(Number);
}

/** The claim-time band of a referral (the bands of CLAIM_BANDS in src/programme/indicators.ts). */
export function claimBand(createdAt: Column, claimedAt: Column): SQL<string> {
  return sql<string>`case when ${claimedAt} is null then 'not_claimed'
    when ${claimedAt} - ${createdAt} < 3600000 then 'under_1h'
    when ${claimedAt} - ${createdAt} < 14400000 then '1h_4h'
    when ${claimedAt} - ${createdAt} < 86400000 then '4h_24h' else 'over_24h' end`;
}

/**
 * Where a counselling session counts: its site, or for a phone session the district the family chose under "Get
 * help" (the users row, joined for phone sessions only), null when it chose none.
 */
export function sessionDistrict(site: Column, chosen: Column): SQL<string | null> {
  return sql<string | null>`case when ${site} = 'phone' then ${chosen} else ${site} end`;
}

/** `count(*)` as a number (PostgreSQL's is a bigint, which node-postgres gives as a string). */
export function countAll(): SQL<number> {
  return sql<number>`count(*)`.mapWith(Number);
}
