/**
 * Every indicator (src/programme/indicators.ts) and the CIP report's counts come out the same over PostgreSQL as over
 * SQLite: one seeded, made-up programme year (half its instants within two hours of a local month's start, claim
 * times on the bands' edges, phone sessions with and without a chosen district, unknown categories and articles)
 * written to SQLite, copied to PostgreSQL as a deployment would be (src/db/copy-to-postgres.ts), then counted over
 * each database with its figures store. Runs when the PostgreSQL test server exists.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { copySqliteToPostgres } from "../../src/db/copy-to-postgres.ts";
import { type Db, openDatabase } from "../../src/db/open.ts";
import { openPostgres, type PgDb } from "../../src/db/postgres.ts";
import { createActivityStore } from "../../src/programme/activities.ts";
import { createFiguresStore, type FiguresStore } from "../../src/programme/figures-store.ts";
import { computeIndicators, type IndicatorSources, periodOf } from "../../src/programme/indicators.ts";
import { createNeedsStore } from "../../src/programme/needs.ts";
import { createPgActivityStore } from "../../src/programme/pg-activities.ts";
import { createPgFiguresStore } from "../../src/programme/pg-figures-store.ts";
import { createPgNeedsStore } from "../../src/programme/pg-needs.ts";
import { describePostgres, freshPostgresDatabase } from "../helpers/postgres.ts";
import { NEEDS_SECRET } from "../helpers/store-contracts.ts";

const TIME_ZONE = "Asia/Phnom_Penh";
const HOUR = 3_600_000;
const DISTRICTS = ["prek_pnov", "russey_keo", "chbar_ampov", "elsewhere", null];
const ARTICLES = ["idpoor-card", "eviction-rights", "wage-claims", "no-longer-in-the-base"];
const TOPIC_OF: Record<string, string> = {
  "idpoor-card": "money",
  "eviction-rights": "housing",
  "wage-claims": "work",
};
const CATEGORIES = ["housing", "health", "work", "urgent", "not-in-the-directory"];
const OUTCOMES = ["service_received", "referred_on", "job_or_training", "unreachable", "closed_by_resident"];
const NEEDS = ["water", "drainage", "roads_lighting", "waste", "health_post", "jobs_training"];

/** A seeded generator: the same made-up year on every run. */
function generator(seed: number) {
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const first = Date.parse("2025-12-01T00:00+07:00");
  /** An instant from December 2025 to January 2027, half of them within two hours of a local month's start. */
  const instant = () => {
    if (random() < 0.5) return first + Math.floor(random() * 400 * 24 * HOUR);
    const month = Math.floor(random() * 14);
    const year = 2025 + Math.floor((11 + month) / 12);
    const start = Date.parse(`${year}-${String(((11 + month) % 12) + 1).padStart(2, "0")}-01T00:00+07:00`);
    return start + Math.floor((random() - 0.5) * 4 * HOUR);
  };
  return { random, pick, instant };
}

/** Fills a fresh SQLite database with the made-up year. */
function fill(db: Db): void {
  const { random, pick, instant } = generator(20_261_121);
  const chat = () => 1 + Math.floor(random() * 150);
  const sqlite = db.$client;
  const user = sqlite.prepare("insert into users (chat_id, first_seen_at, last_seen_at, district) values (?, 0, 0, ?)");
  for (let id = 1; id <= 150; id++) if (random() < 0.8) user.run(id, pick(DISTRICTS));
  const question = sqlite.prepare(
    "insert into questions (chat_id, locale, answered_with, score_milli, created_at) values (?, 'km', ?, 900, ?)",
  );
  for (let i = 0; i < 600; i++) question.run(chat(), random() < 0.3 ? null : pick(ARTICLES), instant());
  const appointment = sqlite.prepare(
    `insert into appointments (chat_id, counsellor_id, topic, site, starts_at, ends_at, for_whom, locale, status,
     created_at, updated_at) values (?, ?, 'family', ?, ?, ?, 'self', 'km', ?, 0, 0)`,
  );
  for (let i = 0; i < 600; i++) {
    const starts = instant();
    const site = pick(["prek_pnov", "russey_keo", "chbar_ampov", "phone", "phone"]);
    appointment.run(chat(), i, site, starts, starts + HOUR, pick(["attended", "attended", "no_show", "cancelled"]));
  }
  const referral = sqlite.prepare(
    `insert into referrals (chat_id, category, urgency, district, consent_version, consent_at, status, created_at,
     claimed_at, updated_at) values (?, ?, 'normal', ?, 'v1', 0, 'resolved', ?, ?, 0)`,
  );
  const outcome = sqlite.prepare("insert into case_outcomes (referral_id, outcome, at) values (?, ?, ?)");
  const claimAfter = [0, HOUR - 1, HOUR, 4 * HOUR - 1, 4 * HOUR, 24 * HOUR - 1, 24 * HOUR, 3 * 24 * HOUR];
  for (let i = 0; i < 500; i++) {
    const made = instant();
    const claimed = random() < 0.2 ? null : made + pick(claimAfter);
    const id = referral.run(chat(), pick(CATEGORIES), pick(DISTRICTS), made, claimed).lastInsertRowid;
    if (random() < 0.7) outcome.run(id, pick(OUTCOMES), instant());
  }
  const answer = sqlite.prepare(
    `insert into needs_responses (id, date, khan, sangkat, need1, need2, need3, meeting)
     values (?, ?, ?, null, ?, ?, ?, 'yes')`,
  );
  for (let i = 1; i <= 400; i++) {
    const date = new Date(instant() + 7 * HOUR).toISOString().slice(0, 10); // the local date in Phnom Penh
    const khan = pick(["prek_pnov", "russey_keo", "chbar_ampov"]);
    answer.run(i, date, khan, pick(NEEDS), random() < 0.5 ? pick(NEEDS) : null, random() < 0.3 ? pick(NEEDS) : null);
  }
}

/** What computeIndicators reads, around one database's figures store. */
function sources(figures: FiguresStore, activities: IndicatorSources["activities"], needs: IndicatorSources["needs"]) {
  return {
    figures,
    activities,
    needs,
    topicOf: (article: string) => TOPIC_OF[article],
    topics: ["money", "housing", "work"],
    categories: CATEGORIES.slice(0, 4),
    timeZone: TIME_ZONE,
  } satisfies IndicatorSources;
}

/** Rows in a fixed order (a grouped query's order is the database's). */
const sorted = <T>(rows: readonly T[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

const PERIODS = [
  [
    { year: 2026, month: 1 },
    { year: 2026, month: 12 },
  ],
  [
    { year: 2025, month: 12 },
    { year: 2026, month: 2 },
  ],
  [
    { year: 2026, month: 6 },
    { year: 2026, month: 6 },
  ],
  [
    { year: 2027, month: 3 },
    { year: 2027, month: 4 },
  ],
] as const;

describePostgres("indicators over PostgreSQL and SQLite", () => {
  let sqlite: Db;
  let pg: PgDb;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    sqlite = openDatabase(":memory:");
    fill(sqlite);
    const fresh = await freshPostgresDatabase();
    drop = fresh.drop;
    pg = await openPostgres(fresh.url);
    await copySqliteToPostgres(sqlite, pg);
  });
  afterAll(async () => {
    sqlite?.$client.close();
    await pg?.$client.end();
    await drop?.();
  });

  it("computes every indicator the same over both databases, for periods long, short, empty", async () => {
    const overSqlite = sources(
      createFiguresStore(sqlite),
      createActivityStore(sqlite, () => 0),
      createNeedsStore(sqlite, NEEDS_SECRET),
    );
    const overPg = sources(
      createPgFiguresStore(pg),
      createPgActivityStore(pg, () => 0),
      createPgNeedsStore(pg, NEEDS_SECRET),
    );
    for (const [first, last] of PERIODS) {
      const period = periodOf(first, last, TIME_ZONE);
      const expected = await computeIndicators(overSqlite, period);
      expect(await computeIndicators(overPg, period)).toEqual(expected);
    }
    // Not equal by being empty: the year has something in every indicator that the store counts.
    const year = await computeIndicators(overSqlite, periodOf(...PERIODS[0], TIME_ZONE));
    const totals = Object.fromEntries(year.map((f) => [f.id, f.cells.flat().reduce((sum, n) => sum + n, 0)]));
    for (const id of ["counselling_sessions", "counselling_families", "counselling_no_shows", "referrals"])
      expect(totals[id]).toBeGreaterThan(0);
    for (const id of [
      "time_to_claim",
      "referral_outcomes",
      "into_work",
      "health_people",
      "questions",
      "community_needs",
    ])
      expect(totals[id]).toBeGreaterThan(0);
  });

  it("gives the CIP report's counts by khan the same over both databases", async () => {
    const [overSqlite, overPg] = [createFiguresStore(sqlite), createPgFiguresStore(pg)];
    const { from, to } = periodOf(...PERIODS[0], TIME_ZONE);
    const same = async (read: (figures: FiguresStore) => Promise<unknown[]>) => {
      const expected = sorted(await read(overSqlite));
      expect(expected.length).toBeGreaterThan(5);
      expect(sorted(await read(overPg))).toEqual(expected);
    };
    await same((figures) => figures.needs("2026-01-01", "2027-01-01"));
    await same((figures) => figures.referralsByDistrict(from, to));
    await same((figures) => figures.questionsByDistrict(from, to));
  });
});
