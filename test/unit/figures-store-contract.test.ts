/**
 * The figures store (src/programme/figures-store.ts) and its PostgreSQL twin (pg-figures-store.ts) on the same cases:
 * rows written through the stores that own them (booking, referrals, knowledge, needs, the users row), then each
 * method's rows: months that begin at local midnight in Asia/Phnom_Penh (17:00 UTC the day before), the period's
 * ends, first events ever, claim-time bands, empty periods. SQLite always; PostgreSQL when the test server exists
 * (one database for the file, its tables emptied before each case).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantAt } from "../../src/base/local-time.ts";
import { createPgBookingStore } from "../../src/booking/pg-store.ts";
import { type BookingStore, createBookingStore } from "../../src/booking/store.ts";
import { createPgConversationStore } from "../../src/conversations/pg-store.ts";
import { type ConversationStore, createConversationStore } from "../../src/conversations/store.ts";
import { type CommitQueue, createCommitQueue } from "../../src/db/commit-queue.ts";
import { openDatabase } from "../../src/db/open.ts";
import { createPgCommitQueue } from "../../src/db/pg-unit-of-work.ts";
import type { PgDb } from "../../src/db/postgres.ts";
import { createPgKnowledgeStore } from "../../src/knowledge/pg-store.ts";
import { createKnowledgeStore, type KnowledgeStore } from "../../src/knowledge/store.ts";
import { createFiguresStore, type FiguresStore, type MonthlyWindow } from "../../src/programme/figures-store.ts";
import { periodOf } from "../../src/programme/indicators.ts";
import { createNeedsStore, type Need, type NeedsStore } from "../../src/programme/needs.ts";
import { createPgFiguresStore } from "../../src/programme/pg-figures-store.ts";
import { createPgNeedsStore } from "../../src/programme/pg-needs.ts";
import { createPgReferralStore } from "../../src/referrals/pg-store.ts";
import { createReferralStore, type Outcome, type ReferralStore } from "../../src/referrals/store.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";
import { describePostgres, openFreshPostgres } from "../helpers/postgres.ts";
import { NEEDS_SECRET } from "../helpers/store-contracts.ts";

const cipher = createFieldCipher(Buffer.alloc(32, 9));
const TIME_ZONE = "Asia/Phnom_Penh";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A local time in Phnom Penh (UTC+7, no daylight saving): "2026-11-01T00:00". */
const at = (local: string) => Date.parse(`${local}+07:00`);
const OCTOBER = at("2026-10-01T00:00");
const NOVEMBER = at("2026-11-01T00:00");
const DECEMBER = at("2026-12-01T00:00");
/** October and November 2026: month 0 and month 1. */
const TWO_MONTHS: MonthlyWindow = { starts: [OCTOBER, NOVEMBER], to: DECEMBER };
const NOVEMBER_ONLY: MonthlyWindow = { starts: [NOVEMBER], to: DECEMBER };

/** The stores of one database, writing at `clock.now`. */
interface World {
  figures: FiguresStore;
  booking: BookingStore;
  referrals: ReferralStore;
  knowledge: KnowledgeStore;
  needs: NeedsStore;
  people: ConversationStore;
  commits: CommitQueue;
  clock: { now: number };
  close(): Promise<void>;
}

type OpenWorld = () => Promise<World>;

/** Rows in a fixed order (a grouped query's order is the database's). */
const sorted = <T>(rows: readonly T[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** The cases, on the world `open` makes. */
function figuresStoreContract(open: OpenWorld): void {
  let slot = 0;

  /** A session at `starts`, marked `status` (another counsellor each time, so no slot is ever taken twice). */
  async function session(
    w: World,
    chatId: number,
    site: "prek_pnov" | "russey_keo" | "phone",
    starts: number,
    status: "attended" | "no_show" | "cancelled" | "booked" = "attended",
  ) {
    w.clock.now = starts - 86_400_000;
    const booked = await w.booking.insert({
      chatId,
      counsellorId: 6000 + slot++,
      topic: "family",
      site,
      startsAt: starts,
      endsAt: starts + HOUR,
      forWhom: "self",
      locale: "km",
    });
    w.clock.now = starts + HOUR;
    if (status !== "booked") expect(await w.booking.setStatus(booked.id, status, 6000)).toBe(true);
  }

  /** A resident the service knows, with the district chosen under "Get help" (if any). */
  async function resident(w: World, chatId: number, district?: string) {
    await w.people.touch(chatId, chatId);
    if (district) await w.people.setDistrict(chatId, district);
  }

  /** A referral made at `made`, claimed `claimedAfter` ms later (if given); its id. */
  async function referral(
    w: World,
    chatId: number,
    category: string,
    district: string | undefined,
    made: number,
    claimedAfter?: number,
  ): Promise<number> {
    w.clock.now = made;
    const { id } = await w.referrals.create({
      chatId,
      category,
      urgency: "normal",
      district,
      consentVersion: "v1",
      contact: { method: "telegram", time: "any" },
      firstEscalationAt: made + HOUR,
    });
    if (claimedAfter !== undefined) {
      w.clock.now = made + claimedAfter;
      expect(await w.referrals.claim(id, 5001)).toBe(true);
    }
    return id;
  }

  async function outcome(w: World, referralId: number, what: Outcome, when: number) {
    w.clock.now = when;
    await w.referrals.setOutcome(referralId, what, null, 5001);
  }

  async function question(w: World, chatId: number, answeredWith: string | undefined, when: number) {
    w.clock.now = when;
    await w.knowledge.recordQuestion({ chatId, text: "ប័ណ្ណក្រីក្រ", locale: "km", answeredWith, score: 0.9 });
  }

  let answering = 90_000;
  /** One needs survey answer, from a chat of its own. */
  async function answer(w: World, date: string, khan: string, needs: Need[]) {
    const saved = await w.needs.save(answering++, "2026-Q4", { date, khan, sangkat: undefined, needs, meeting: "yes" });
    expect(saved).toBe(true);
  }

  /** Runs `test` on a fresh world, closed afterwards. */
  const withWorld = (test: (w: World) => Promise<void>) => async () => {
    const w = await open();
    try {
      await test(w);
    } finally {
      await w.close();
    }
  };

  it(
    "answers every method with no rows over an empty database or a period with nothing in it",
    withWorld(async (w) => {
      const nothing = async () => [
        await w.figures.sessions(TWO_MONTHS),
        await w.figures.firstSessions(OCTOBER, DECEMBER),
        await w.figures.referrals(TWO_MONTHS),
        await w.figures.outcomes(TWO_MONTHS),
        await w.figures.firstOutcomes("job_or_training", undefined, OCTOBER, DECEMBER),
        await w.figures.questions(TWO_MONTHS),
        await w.figures.needs("2026-10-01", "2026-12-01"),
        await w.figures.referralsByDistrict(OCTOBER, DECEMBER),
        await w.figures.questionsByDistrict(OCTOBER, DECEMBER),
      ];
      expect(await nothing()).toEqual([[], [], [], [], [], [], [], [], []]);
      // Something in every table, all of it in January: October and November are still empty.
      const january = at("2026-01-15T10:00");
      await resident(w, 1, "russey_keo");
      await session(w, 1, "russey_keo", january);
      await outcome(w, await referral(w, 1, "work", "russey_keo", january, MINUTE), "job_or_training", january);
      await question(w, 1, "idpoor-card", january);
      await answer(w, "2026-01-15", "russey_keo", ["water"]);
      expect(await nothing()).toEqual([[], [], [], [], [], [], [], [], []]);
    }),
  );

  it(
    "buckets sessions by the local month: 00:00 on the 1st in Phnom Penh is the new month",
    withWorld(async (w) => {
      // The months are the local ones the results page computes.
      const period = periodOf({ year: 2026, month: 10 }, { year: 2026, month: 11 }, TIME_ZONE);
      expect(period.months.map((m) => instantAt({ ...m, day: 1 }, 0, TIME_ZONE))).toEqual(TWO_MONTHS.starts);
      expect([period.from, period.to]).toEqual([OCTOBER, DECEMBER]);
      await session(w, 1, "russey_keo", OCTOBER - 1); // 23:59:59.999 on 30 September: before the period
      await session(w, 1, "russey_keo", OCTOBER); // the period's first instant
      await session(w, 2, "russey_keo", at("2026-10-31T23:59")); // 16:59 UTC, still October here
      await session(w, 2, "russey_keo", NOVEMBER); // 17:00 UTC on 31 October: November here
      await session(w, 3, "prek_pnov", DECEMBER - 1); // the period's last instant
      await session(w, 3, "prek_pnov", DECEMBER); // after the period
      await session(w, 4, "prek_pnov", at("2026-11-10T09:00"), "no_show");
      await session(w, 4, "prek_pnov", at("2026-11-11T09:00"), "cancelled");
      await session(w, 4, "prek_pnov", at("2026-11-12T09:00"), "booked");
      expect(sorted(await w.figures.sessions(TWO_MONTHS))).toEqual(
        sorted([
          { district: "russey_keo", status: "attended", month: 0, count: 2 },
          { district: "russey_keo", status: "attended", month: 1, count: 1 },
          { district: "prek_pnov", status: "attended", month: 1, count: 1 },
          { district: "prek_pnov", status: "no_show", month: 1, count: 1 },
        ]),
      );
      // One month: everything in it is month 0.
      expect(sorted(await w.figures.sessions(NOVEMBER_ONLY))).toEqual(
        sorted([
          { district: "russey_keo", status: "attended", month: 0, count: 1 },
          { district: "prek_pnov", status: "attended", month: 0, count: 1 },
          { district: "prek_pnov", status: "no_show", month: 0, count: 1 },
        ]),
      );
    }),
  );

  it(
    "counts a phone session in the district the family chose, and a site session at its site",
    withWorld(async (w) => {
      await resident(w, 1, "chbar_ampov");
      await resident(w, 2); // known, no district chosen
      await resident(w, 4, "chbar_ampov");
      await session(w, 1, "phone", at("2026-11-03T09:00"));
      await session(w, 1, "phone", at("2026-11-04T23:30"));
      await session(w, 2, "phone", at("2026-11-05T09:00"));
      await session(w, 3, "phone", at("2026-11-06T09:00")); // no users row at all
      await session(w, 4, "prek_pnov", at("2026-11-07T09:00")); // at a site: the site, not the chosen district
      expect(sorted(await w.figures.sessions(TWO_MONTHS))).toEqual(
        sorted([
          { district: "chbar_ampov", status: "attended", month: 1, count: 2 },
          { district: null, status: "attended", month: 1, count: 2 },
          { district: "prek_pnov", status: "attended", month: 1, count: 1 },
        ]),
      );
    }),
  );

  it(
    "gives each family's first attended session ever, when it falls in the period",
    withWorld(async (w) => {
      await resident(w, 5, "russey_keo");
      await session(w, 1, "russey_keo", at("2026-09-20T09:00")); // first seen before the period: not again
      await session(w, 1, "russey_keo", at("2026-10-02T09:00"));
      await session(w, 2, "prek_pnov", at("2026-10-05T09:00"), "no_show"); // a no-show is no first session
      await session(w, 2, "russey_keo", at("2026-11-01T00:00"));
      await session(w, 2, "prek_pnov", at("2026-11-20T09:00"));
      await session(w, 3, "prek_pnov", OCTOBER);
      await session(w, 4, "prek_pnov", DECEMBER); // after the period
      await session(w, 5, "phone", at("2026-10-31T23:30"));
      await session(w, 5, "prek_pnov", at("2026-11-02T09:00"));
      expect(sorted(await w.figures.firstSessions(OCTOBER, DECEMBER))).toEqual(
        sorted([
          { district: "russey_keo", at: NOVEMBER },
          { district: "prek_pnov", at: OCTOBER },
          { district: "russey_keo", at: at("2026-10-31T23:30") },
        ]),
      );
      // From November: family 5's first session was in October, family 3's too.
      expect(await w.figures.firstSessions(NOVEMBER, DECEMBER)).toEqual([{ district: "russey_keo", at: NOVEMBER }]);
      expect(await w.figures.firstSessions(DECEMBER, at("2027-01-01T00:00"))).toEqual([
        { district: "prek_pnov", at: DECEMBER },
      ]);
    }),
  );

  it(
    "counts referrals by category, month and claim-time band, at each band's edge",
    withWorld(async (w) => {
      const made = at("2026-10-10T09:00");
      await referral(w, 1, "housing", "russey_keo", made); // never claimed
      await referral(w, 2, "housing", "russey_keo", made, HOUR - 1);
      await referral(w, 3, "housing", "russey_keo", made, HOUR);
      await referral(w, 4, "housing", "russey_keo", made, 4 * HOUR - 1);
      await referral(w, 5, "housing", "russey_keo", made, 4 * HOUR);
      await referral(w, 6, "housing", "russey_keo", made, 24 * HOUR - 1);
      await referral(w, 7, "housing", "russey_keo", made, 24 * HOUR);
      await referral(w, 8, "health", undefined, NOVEMBER, 10 * MINUTE);
      await referral(w, 9, "health", undefined, NOVEMBER - 1, 10 * MINUTE); // 23:59 on 31 October, claimed in November
      await referral(w, 10, "health", undefined, DECEMBER, 10 * MINUTE); // after the period
      await referral(w, 11, "health", undefined, OCTOBER - 1, 10 * MINUTE); // before it
      expect(sorted(await w.figures.referrals(TWO_MONTHS))).toEqual(
        sorted([
          { category: "housing", month: 0, band: "not_claimed", count: 1 },
          { category: "housing", month: 0, band: "under_1h", count: 1 },
          { category: "housing", month: 0, band: "1h_4h", count: 2 },
          { category: "housing", month: 0, band: "4h_24h", count: 2 },
          { category: "housing", month: 0, band: "over_24h", count: 1 },
          { category: "health", month: 0, band: "under_1h", count: 1 },
          { category: "health", month: 1, band: "under_1h", count: 1 },
        ]),
      );
    }),
  );

  it(
    "counts outcomes by the month they were recorded in",
    withWorld(async (w) => {
      const made = at("2026-09-01T09:00");
      const ids = [];
      for (let chat = 1; chat <= 6; chat++) ids.push(await referral(w, chat, "work", "prek_pnov", made, MINUTE));
      await outcome(w, ids[0]!, "job_or_training", at("2026-10-31T23:59"));
      await outcome(w, ids[1]!, "job_or_training", NOVEMBER);
      await outcome(w, ids[2]!, "unreachable", NOVEMBER + HOUR);
      await outcome(w, ids[3]!, "referred_on", OCTOBER - 1);
      await outcome(w, ids[4]!, "referred_on", DECEMBER);
      await outcome(w, ids[5]!, "job_or_training", DECEMBER - 1);
      expect(sorted(await w.figures.outcomes(TWO_MONTHS))).toEqual(
        sorted([
          { outcome: "job_or_training", month: 0, count: 1 },
          { outcome: "job_or_training", month: 1, count: 2 },
          { outcome: "unreachable", month: 1, count: 1 },
        ]),
      );
    }),
  );

  it(
    "gives each person's first case closed with an outcome ever, of a category if asked",
    withWorld(async (w) => {
      const work = (chat: number, district: string | undefined, made: number) =>
        referral(w, chat, "work", district, made, MINUTE);
      // Person 1: two jobs, the first in October from Chbar Ampov.
      await outcome(w, await work(1, "russey_keo", at("2026-10-20T09:00")), "job_or_training", at("2026-11-05T09:00"));
      await outcome(w, await work(1, "chbar_ampov", at("2026-10-01T09:00")), "job_or_training", at("2026-10-15T09:00"));
      // Person 2: a job before the period, and another in it: not counted again.
      await outcome(w, await work(2, "prek_pnov", at("2026-09-01T09:00")), "job_or_training", at("2026-09-30T23:59"));
      await outcome(w, await work(2, "prek_pnov", at("2026-10-01T09:00")), "job_or_training", at("2026-10-05T09:00"));
      // Person 3: unreachable first, a job later (no district given); person 4: a job after the period.
      await outcome(w, await work(3, "prek_pnov", at("2026-10-01T09:00")), "unreachable", at("2026-10-02T09:00"));
      await outcome(w, await work(3, undefined, at("2026-10-03T09:00")), "job_or_training", NOVEMBER);
      await outcome(w, await work(4, "prek_pnov", at("2026-11-01T09:00")), "job_or_training", DECEMBER);
      // Health: person 5 received a service for a health case; person 6 for a housing one.
      const health = await referral(w, 5, "health", "russey_keo", at("2026-10-01T09:00"), MINUTE);
      await outcome(w, health, "service_received", at("2026-10-31T23:30"));
      const housing = await referral(w, 6, "housing", "russey_keo", at("2026-10-01T09:00"), MINUTE);
      await outcome(w, housing, "service_received", at("2026-10-10T09:00"));

      expect(sorted(await w.figures.firstOutcomes("job_or_training", undefined, OCTOBER, DECEMBER))).toEqual(
        sorted([
          { district: "chbar_ampov", at: at("2026-10-15T09:00") },
          { district: null, at: NOVEMBER },
        ]),
      );
      expect(await w.figures.firstOutcomes("service_received", "health", OCTOBER, DECEMBER)).toEqual([
        { district: "russey_keo", at: at("2026-10-31T23:30") },
      ]);
      expect(sorted(await w.figures.firstOutcomes("service_received", undefined, OCTOBER, DECEMBER))).toEqual(
        sorted([
          { district: "russey_keo", at: at("2026-10-31T23:30") },
          { district: "russey_keo", at: at("2026-10-10T09:00") },
        ]),
      );
      expect(await w.figures.firstOutcomes("service_received", "health", NOVEMBER, DECEMBER)).toEqual([]);
    }),
  );

  it(
    "counts questions by the answering article (or none) and month",
    withWorld(async (w) => {
      await question(w, 1, "idpoor-card", OCTOBER);
      await question(w, 1, "idpoor-card", at("2026-10-31T23:59"));
      await question(w, 2, "idpoor-card", NOVEMBER);
      await question(w, 2, undefined, NOVEMBER + MINUTE);
      await question(w, 3, undefined, DECEMBER - 1);
      await question(w, 3, "eviction-rights", DECEMBER);
      await question(w, 3, "eviction-rights", OCTOBER - 1);
      expect(sorted(await w.figures.questions(TWO_MONTHS))).toEqual(
        sorted([
          { answeredWith: "idpoor-card", month: 0, count: 2 },
          { answeredWith: "idpoor-card", month: 1, count: 1 },
          { answeredWith: null, month: 1, count: 2 },
        ]),
      );
    }),
  );

  it(
    "counts each need an answer names, by the month of its local date and khan",
    withWorld(async (w) => {
      await answer(w, "2026-09-30", "russey_keo", ["water"]);
      await answer(w, "2026-10-01", "russey_keo", ["water", "drainage", "waste"]);
      await answer(w, "2026-10-31", "russey_keo", ["drainage"]);
      await answer(w, "2026-11-01", "russey_keo", ["water", "waste"]);
      await answer(w, "2026-11-30", "prek_pnov", ["health_post", "water"]);
      await answer(w, "2026-12-01", "prek_pnov", ["water"]);
      expect(sorted(await w.figures.needs("2026-10-01", "2026-12-01"))).toEqual(
        sorted([
          { month: "2026-10", khan: "russey_keo", need: "water", count: 1 },
          { month: "2026-10", khan: "russey_keo", need: "drainage", count: 2 },
          { month: "2026-10", khan: "russey_keo", need: "waste", count: 1 },
          { month: "2026-11", khan: "russey_keo", need: "water", count: 1 },
          { month: "2026-11", khan: "russey_keo", need: "waste", count: 1 },
          { month: "2026-11", khan: "prek_pnov", need: "health_post", count: 1 },
          { month: "2026-11", khan: "prek_pnov", need: "water", count: 1 },
        ]),
      );
      expect(await w.figures.needs("2026-12-01", "2027-01-01")).toEqual([
        { month: "2026-12", khan: "prek_pnov", need: "water", count: 1 },
      ]);
    }),
  );

  it(
    "counts referrals and questions by the district the resident chose",
    withWorld(async (w) => {
      await resident(w, 1, "russey_keo");
      await resident(w, 2); // no district
      await referral(w, 1, "housing", "russey_keo", OCTOBER);
      await referral(w, 1, "housing", "russey_keo", DECEMBER - 1);
      await referral(w, 2, "work", undefined, NOVEMBER);
      await referral(w, 1, "work", "russey_keo", DECEMBER); // after the period
      await question(w, 1, "idpoor-card", OCTOBER);
      await question(w, 1, undefined, NOVEMBER);
      await question(w, 1, undefined, NOVEMBER + 1);
      await question(w, 2, "idpoor-card", NOVEMBER);
      await question(w, 3, "idpoor-card", NOVEMBER); // no users row: no district to count it in
      await question(w, 1, "idpoor-card", OCTOBER - 1); // before the period
      expect(sorted(await w.figures.referralsByDistrict(OCTOBER, DECEMBER))).toEqual(
        sorted([
          { district: "russey_keo", key: "housing", count: 2 },
          { district: null, key: "work", count: 1 },
        ]),
      );
      expect(sorted(await w.figures.questionsByDistrict(OCTOBER, DECEMBER))).toEqual(
        sorted([
          { district: "russey_keo", key: "idpoor-card", count: 1 },
          { district: "russey_keo", key: null, count: 2 },
          { district: null, key: "idpoor-card", count: 1 },
        ]),
      );
    }),
  );

  it(
    "reads, inside a unit of work, what the same unit of work wrote",
    withWorld(async (w) => {
      const seen = await w.commits.run(async () => {
        await referral(w, 1, "housing", "russey_keo", NOVEMBER, MINUTE);
        await question(w, 1, undefined, NOVEMBER);
        return [await w.figures.referrals(NOVEMBER_ONLY), await w.figures.questions(NOVEMBER_ONLY)];
      });
      expect(seen).toEqual([
        [{ category: "housing", month: 0, band: "under_1h", count: 1 }],
        [{ answeredWith: null, month: 0, count: 1 }],
      ]);
    }),
  );
}

describe("figures store on SQLite", () => {
  figuresStoreContract(async () => {
    const db = openDatabase(":memory:");
    const clock = { now: 0 };
    const now = () => clock.now;
    return {
      figures: createFiguresStore(db),
      booking: createBookingStore(db, cipher, now),
      referrals: createReferralStore(db, cipher, now),
      knowledge: createKnowledgeStore(db, cipher, now),
      needs: createNeedsStore(db, NEEDS_SECRET),
      people: createConversationStore(db, cipher, now),
      commits: createCommitQueue(db.$client),
      clock,
      close: async () => {
        db.$client.close();
      },
    };
  });
});

/** The tables the cases write, emptied before each PostgreSQL case. */
const TABLES = [
  "users",
  "appointments",
  "referrals",
  "referral_events",
  "case_outcomes",
  "questions",
  "needs_answered",
  "needs_responses",
];

describePostgres("figures store on PostgreSQL", () => {
  let db: PgDb;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => ({ db, close } = await openFreshPostgres()));
  afterAll(() => close?.());

  figuresStoreContract(async () => {
    await db.$client.query(`truncate ${TABLES.join(", ")} restart identity`);
    const clock = { now: 0 };
    const now = () => clock.now;
    return {
      figures: createPgFiguresStore(db),
      booking: createPgBookingStore(db, cipher, now),
      referrals: createPgReferralStore(db, cipher, now),
      knowledge: createPgKnowledgeStore(db, cipher, now),
      needs: createPgNeedsStore(db, NEEDS_SECRET),
      people: createPgConversationStore(db, cipher, now),
      commits: createPgCommitQueue(db),
      clock,
      close: async () => undefined,
    };
  });
});
