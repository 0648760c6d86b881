/**
 * The staff console's stores on both databases: the logins and sessions behind console access
 * (src/console/access-store.ts, src/console/pg-access-store.ts) and the service checks (src/console/service-checks.ts,
 * src/console/pg-service-checks.ts). One set of cases, run on SQLite always and on PostgreSQL when the test server
 * exists, so each PostgreSQL store is held to exactly what the SQLite store does; then a whole login through
 * src/console/access.ts on each database, and, on PostgreSQL only, two instances racing on the same login.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleAccess } from "../../src/console/access.ts";
import { type ConsoleAccessStore, createConsoleAccessStore, type LoginRow } from "../../src/console/access-store.ts";
import { createPgConsoleAccessStore } from "../../src/console/pg-access-store.ts";
import { createPgServiceChecks } from "../../src/console/pg-service-checks.ts";
import { createServiceChecks, type ServiceChecks } from "../../src/console/service-checks.ts";
import { openDatabase } from "../../src/db/open.ts";
import { createPgCommitQueue } from "../../src/db/pg-unit-of-work.ts";
import { openPostgres, type PgDb } from "../../src/db/postgres.ts";
import { createPgStaffStore } from "../../src/staff/pg-store.ts";
import { createStaffStore, type StaffStore } from "../../src/staff/store.ts";
import { describePostgres, openFreshPostgres } from "../helpers/postgres.ts";

/** The console's stores on an empty database, with a staff store on the same one, reading the time from a clock. */
interface ConsoleFixture {
  access: ConsoleAccessStore;
  checks: ServiceChecks;
  staff: StaffStore;
  close(): Promise<void>;
}

type ConsoleFactory = (clock: () => number) => Promise<ConsoleFixture>;

/** 2026-01-05 03:00 UTC. */
const T0 = 1_767_582_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Telegram user ids, one beyond 32 bits. */
const SOKHA = 7_012_345_678;
const BOPHA = 5_101_234;
const DARA = 6_543_210_987;

/** The fields of a LoginRow (the SQLite store's row has more columns than the interface names). */
function loginOf(row: LoginRow | undefined): LoginRow | undefined {
  if (!row) return undefined;
  const { id, staffId, state, browserHash, expiresAt } = row;
  return { id, staffId, state, browserHash, expiresAt };
}

/** The cases every console store meets, on the database `open` gives. */
function consoleStoreContract(open: ConsoleFactory): void {
  const clock = { now: T0 };
  const withFixture = (test: (f: ConsoleFixture) => Promise<void>) => async () => {
    clock.now = T0;
    const fixture = await open(() => clock.now);
    try {
      await test(fixture);
    } finally {
      await fixture.close();
    }
  };

  /** Adds a login and returns its id. */
  async function login(access: ConsoleAccessStore, hash: string, staffId: number, expiresAt = T0 + 5 * MINUTE) {
    await access.addLogin(hash, staffId, T0, expiresAt);
    return (await access.loginByTokenHash(hash))!.id;
  }

  it(
    "adds a login in state sent, found by its token's hash only",
    withFixture(async ({ access }) => {
      expect(await access.loginByTokenHash("hash-a")).toBeUndefined();
      await access.addLogin("hash-a", SOKHA, T0, T0 + 5 * MINUTE);
      await access.addLogin("hash-b", BOPHA, T0 + 1, T0 + 5 * MINUTE + 1);
      const a = await access.loginByTokenHash("hash-a");
      const b = await access.loginByTokenHash("hash-b");
      expect(loginOf(a)).toEqual({
        id: a!.id,
        staffId: SOKHA,
        state: "sent",
        browserHash: null,
        expiresAt: T0 + 5 * MINUTE,
      });
      expect(loginOf(b)).toEqual({
        id: b!.id,
        staffId: BOPHA,
        state: "sent",
        browserHash: null,
        expiresAt: T0 + 5 * MINUTE + 1,
      });
      expect(a!.id).not.toBe(b!.id);
      expect(await access.loginByTokenHash("hash-c")).toBeUndefined();
      // A token hash names one login.
      await expect(access.addLogin("hash-a", BOPHA, T0, T0 + MINUTE)).rejects.toThrow();
      expect(loginOf(await access.loginByTokenHash("hash-a"))).toEqual(loginOf(a));
    }),
  );

  it(
    "binds a login to a browser only from sent: the second bind is refused and changes nothing",
    withFixture(async ({ access }) => {
      const id = await login(access, "hash-a", SOKHA);
      expect(await access.bindLogin(id, "browser-1", "Chrome on Android")).toBe(true);
      expect(loginOf(await access.loginByTokenHash("hash-a"))).toMatchObject({
        state: "opened",
        browserHash: "browser-1",
      });
      expect(await access.bindLogin(id, "browser-2", "Firefox on Linux")).toBe(false);
      expect(loginOf(await access.loginByTokenHash("hash-a"))).toMatchObject({
        state: "opened",
        browserHash: "browser-1",
      });
      // Not from approved, refused or used either; not a login that does not exist.
      expect(await access.answerLogin(id, SOKHA, "approved", T0)).toBe(true);
      expect(await access.bindLogin(id, "browser-2", "Firefox on Linux")).toBe(false);
      expect(await access.useLogin(id)).toBe(true);
      expect(await access.bindLogin(id, "browser-2", "Firefox on Linux")).toBe(false);
      expect(loginOf(await access.loginByTokenHash("hash-a"))).toMatchObject({
        state: "used",
        browserHash: "browser-1",
      });
      const refused = await login(access, "hash-b", SOKHA);
      await access.bindLogin(refused, "browser-3", "Safari on iPhone");
      expect(await access.answerLogin(refused, SOKHA, "refused", T0)).toBe(true);
      expect(await access.bindLogin(refused, "browser-2", "Firefox on Linux")).toBe(false);
      expect(await access.bindLogin(refused + 1000, "browser-2", "Firefox on Linux")).toBe(false);
    }),
  );

  it(
    "takes an answer only from the login's member, only while opened",
    withFixture(async ({ access }) => {
      const id = await login(access, "hash-a", SOKHA);
      // Sent, not yet opened: nothing to answer.
      expect(await access.answerLogin(id, SOKHA, "approved", T0)).toBe(false);
      expect((await access.loginByTokenHash("hash-a"))!.state).toBe("sent");
      await access.bindLogin(id, "browser-1", "Chrome on Android");
      // Someone else's answer.
      expect(await access.answerLogin(id, BOPHA, "approved", T0)).toBe(false);
      expect((await access.loginByTokenHash("hash-a"))!.state).toBe("opened");
      expect(await access.answerLogin(id, SOKHA, "approved", T0)).toBe(true);
      expect((await access.loginByTokenHash("hash-a"))!.state).toBe("approved");
      // Answered already: neither a second approval nor a change of mind.
      expect(await access.answerLogin(id, SOKHA, "approved", T0)).toBe(false);
      expect(await access.answerLogin(id, SOKHA, "refused", T0)).toBe(false);
      expect((await access.loginByTokenHash("hash-a"))!.state).toBe("approved");

      const other = await login(access, "hash-b", BOPHA);
      await access.bindLogin(other, "browser-2", "Firefox on Linux");
      expect(await access.answerLogin(other, BOPHA, "refused", T0)).toBe(true);
      expect((await access.loginByTokenHash("hash-b"))!.state).toBe("refused");
      expect(await access.answerLogin(other, BOPHA, "approved", T0)).toBe(false);
      expect((await access.loginByTokenHash("hash-b"))!.state).toBe("refused");
      expect(await access.answerLogin(other + 1000, BOPHA, "approved", T0)).toBe(false);
    }),
  );

  it(
    "takes an answer up to the login's expiry, that millisecond included, and not after",
    withFixture(async ({ access }) => {
      const expiresAt = T0 + 5 * MINUTE;
      const late = await login(access, "hash-a", SOKHA, expiresAt);
      await access.bindLogin(late, "browser-1", "Chrome on Android");
      expect(await access.answerLogin(late, SOKHA, "approved", expiresAt + 1)).toBe(false);
      expect(await access.answerLogin(late, SOKHA, "refused", expiresAt + 1)).toBe(false);
      expect((await access.loginByTokenHash("hash-a"))!.state).toBe("opened");
      expect(await access.answerLogin(late, SOKHA, "approved", expiresAt)).toBe(true);
      expect((await access.loginByTokenHash("hash-a"))!.state).toBe("approved");

      const inTime = await login(access, "hash-b", SOKHA, expiresAt);
      await access.bindLogin(inTime, "browser-2", "Chrome on Android");
      expect(await access.answerLogin(inTime, SOKHA, "refused", expiresAt - 1)).toBe(true);
      expect((await access.loginByTokenHash("hash-b"))!.state).toBe("refused");
    }),
  );

  it(
    "uses an approved login once, and no login in another state",
    withFixture(async ({ access }) => {
      const id = await login(access, "hash-a", SOKHA);
      expect(await access.useLogin(id)).toBe(false); // sent
      await access.bindLogin(id, "browser-1", "Chrome on Android");
      expect(await access.useLogin(id)).toBe(false); // opened
      await access.answerLogin(id, SOKHA, "approved", T0);
      expect(await access.useLogin(id)).toBe(true);
      expect((await access.loginByTokenHash("hash-a"))!.state).toBe("used");
      expect(await access.useLogin(id)).toBe(false);
      expect((await access.loginByTokenHash("hash-a"))!.state).toBe("used");

      const refused = await login(access, "hash-b", SOKHA);
      await access.bindLogin(refused, "browser-2", "Chrome on Android");
      await access.answerLogin(refused, SOKHA, "refused", T0);
      expect(await access.useLogin(refused)).toBe(false);
      expect((await access.loginByTokenHash("hash-b"))!.state).toBe("refused");
      expect(await access.useLogin(refused + 1000)).toBe(false);
    }),
  );

  it(
    "adds, finds, touches and ends a session; an ended session keeps the time it first ended",
    withFixture(async ({ access }) => {
      expect(await access.sessionByTokenHash("session-a")).toBeUndefined();
      await access.addSession("session-a", SOKHA, T0);
      await access.addSession("session-b", BOPHA, T0 + 1);
      const a = await access.sessionByTokenHash("session-a");
      expect(a).toEqual({ id: a!.id, staffId: SOKHA, createdAt: T0, lastSeenAt: T0, endedAt: null });
      const b = await access.sessionByTokenHash("session-b");
      expect(b).toEqual({ id: b!.id, staffId: BOPHA, createdAt: T0 + 1, lastSeenAt: T0 + 1, endedAt: null });
      expect(a!.id).not.toBe(b!.id);
      await expect(access.addSession("session-a", BOPHA, T0)).rejects.toThrow();

      await access.touchSession(a!.id, T0 + 10 * MINUTE);
      expect(await access.sessionByTokenHash("session-a")).toEqual({ ...a, lastSeenAt: T0 + 10 * MINUTE });
      expect(await access.sessionByTokenHash("session-b")).toEqual(b);

      await access.endSession(a!.id, T0 + 20 * MINUTE);
      expect(await access.sessionByTokenHash("session-a")).toEqual({
        ...a,
        lastSeenAt: T0 + 10 * MINUTE,
        endedAt: T0 + 20 * MINUTE,
      });
      await access.endSession(a!.id, T0 + 30 * MINUTE);
      expect((await access.sessionByTokenHash("session-a"))!.endedAt).toBe(T0 + 20 * MINUTE);
      expect(await access.sessionByTokenHash("session-b")).toEqual(b);
      await access.endSession(b!.id + 1000, T0);
      expect(await access.sessionByTokenHash("session-b")).toEqual(b);
    }),
  );

  it(
    "ends every open session of one member and counts only those",
    withFixture(async ({ access }) => {
      for (const hash of ["s1", "s2", "s3"]) await access.addSession(hash, SOKHA, T0);
      await access.addSession("b1", BOPHA, T0);
      const s3 = (await access.sessionByTokenHash("s3"))!;
      await access.endSession(s3.id, T0 + MINUTE);
      expect(await access.endSessionsOf(SOKHA, T0 + HOUR)).toBe(2);
      expect((await access.sessionByTokenHash("s1"))!.endedAt).toBe(T0 + HOUR);
      expect((await access.sessionByTokenHash("s2"))!.endedAt).toBe(T0 + HOUR);
      expect((await access.sessionByTokenHash("s3"))!.endedAt).toBe(T0 + MINUTE);
      expect((await access.sessionByTokenHash("b1"))!.endedAt).toBeNull();
      expect(await access.endSessionsOf(SOKHA, T0 + 2 * HOUR)).toBe(0);
      expect((await access.sessionByTokenHash("s1"))!.endedAt).toBe(T0 + HOUR);
      expect(await access.endSessionsOf(DARA, T0 + 2 * HOUR)).toBe(0);
      expect(await access.endSessionsOf(BOPHA, T0 + 3 * HOUR)).toBe(1);
      expect((await access.sessionByTokenHash("b1"))!.endedAt).toBe(T0 + 3 * HOUR);
    }),
  );

  it(
    "purges logins expired and sessions last seen strictly before their own limits, and counts both",
    withFixture(async ({ access }) => {
      const logins = T0; // logins expiring before this go
      const sessions = T0 + HOUR; // sessions last seen before this go
      // Logins: one just before the limit, one at it, and one between the two limits (kept: the sessions' limit is
      // not the logins'). Whatever their state.
      await access.addLogin("login-before", SOKHA, T0 - HOUR, logins - 1);
      await access.addLogin("login-at", SOKHA, T0 - HOUR, logins);
      await access.addLogin("login-between", SOKHA, T0 - HOUR, sessions - 1);
      const used = await login(access, "login-used", SOKHA, logins - 2);
      await access.bindLogin(used, "browser-1", "Chrome on Android");
      await access.answerLogin(used, SOKHA, "approved", T0 - HOUR);
      await access.useLogin(used);
      // Sessions: one before both limits, one between them (goes: the logins' limit is not the sessions'), one at the
      // limit, one touched after it, and an ended one before it.
      await access.addSession("session-early", SOKHA, logins - 1);
      await access.addSession("session-between", SOKHA, sessions - 1);
      await access.addSession("session-at", SOKHA, sessions);
      await access.addSession("session-touched", BOPHA, T0 - 2 * HOUR);
      await access.touchSession((await access.sessionByTokenHash("session-touched"))!.id, sessions + 1);
      await access.addSession("session-ended", BOPHA, T0 - 2 * HOUR);
      await access.endSession((await access.sessionByTokenHash("session-ended"))!.id, T0 - 2 * HOUR);

      expect(await access.purge(logins, sessions)).toBe(2 + 3);
      expect(await access.loginByTokenHash("login-before")).toBeUndefined();
      expect(await access.loginByTokenHash("login-used")).toBeUndefined();
      expect(await access.loginByTokenHash("login-at")).toBeDefined();
      expect(await access.loginByTokenHash("login-between")).toBeDefined();
      expect(await access.sessionByTokenHash("session-early")).toBeUndefined();
      expect(await access.sessionByTokenHash("session-between")).toBeUndefined();
      expect(await access.sessionByTokenHash("session-ended")).toBeUndefined();
      expect(await access.sessionByTokenHash("session-at")).toBeDefined();
      expect(await access.sessionByTokenHash("session-touched")).toBeDefined();
      expect(await access.purge(logins, sessions)).toBe(0);
      // One millisecond later, the rows at the limits go too.
      expect(await access.purge(logins + 1, sessions + 1)).toBe(2);
      expect(await access.loginByTokenHash("login-at")).toBeUndefined();
      expect(await access.sessionByTokenHash("session-at")).toBeUndefined();
    }),
  );

  it(
    "gives the latest check of each service: latest first, checks in the same millisecond by the last recorded",
    withFixture(async ({ checks }) => {
      expect([...(await checks.latest())]).toEqual([]);
      clock.now = T0;
      await checks.record("legal-aid", SOKHA);
      await checks.record("shelter", SOKHA);
      await checks.record("legal-aid", BOPHA); // same millisecond, recorded later: this one
      clock.now = T0 + HOUR;
      await checks.record("clinic", DARA);
      await checks.record("hotline", BOPHA);
      clock.now = T0 + 30 * MINUTE; // a clock that went back: the latest is the greatest time, not the last id
      await checks.record("clinic", SOKHA);
      expect([...(await checks.latest())]).toEqual([
        ["hotline", { staffId: BOPHA, at: T0 + HOUR }],
        ["clinic", { staffId: DARA, at: T0 + HOUR }],
        ["legal-aid", { staffId: BOPHA, at: T0 }],
        ["shelter", { staffId: SOKHA, at: T0 }],
      ]);
      clock.now = T0 + 2 * HOUR;
      await checks.record("shelter", DARA);
      expect([...(await checks.latest())]).toEqual([
        ["shelter", { staffId: DARA, at: T0 + 2 * HOUR }],
        ["hotline", { staffId: BOPHA, at: T0 + HOUR }],
        ["clinic", { staffId: DARA, at: T0 + HOUR }],
        ["legal-aid", { staffId: BOPHA, at: T0 }],
      ]);
    }),
  );

  it(
    "a whole login through the console's access: link, ask, approve, session, log out",
    withFixture(async ({ access: store, staff }) => {
      await staff.register(SOKHA, "caseworker", "Sokha");
      await staff.register(BOPHA, "supervisor", "Bopha");
      const gate = createConsoleAccess({ store, staff, now: () => clock.now, idleMs: HOUR, maxMs: 12 * HOUR });

      const link = await gate.startLogin(SOKHA);
      const asked = await gate.open(link, "nonce-1", "Chrome on Android");
      expect(asked).toMatchObject({ kind: "ask", staffId: SOKHA, browser: "Chrome on Android" });
      const loginId = asked.kind === "ask" ? asked.loginId : -1;
      expect(await gate.open(link, "nonce-1", "Chrome on Android")).toEqual({ kind: "waiting" });
      expect(await gate.open(link, "nonce-2", "Firefox on Linux")).toEqual({ kind: "invalid" });
      expect(await gate.answer(loginId, BOPHA, true)).toBe("stale");
      clock.now += MINUTE;
      expect(await gate.answer(loginId, SOKHA, true)).toBe("approved");
      expect(await gate.answer(loginId, SOKHA, false)).toBe("stale");
      expect(await gate.open(link, "nonce-2", "Firefox on Linux")).toEqual({ kind: "invalid" });

      const opened = await gate.open(link, "nonce-1", "Chrome on Android");
      expect(opened).toMatchObject({ kind: "session", member: { telegramUserId: SOKHA, role: "caseworker" } });
      const token = opened.kind === "session" ? opened.token : "";
      expect(await gate.open(link, "nonce-1", "Chrome on Android")).toEqual({ kind: "invalid" }); // used up

      clock.now += 10 * MINUTE;
      const session = await gate.session(token);
      expect(session).toMatchObject({ member: { telegramUserId: SOKHA } });
      expect(gate.csrfMatches(token, session!.csrf)).toBe(true);
      expect(await gate.session("not-a-token")).toBeUndefined();
      await gate.end(session!.id);
      expect(await gate.session(token)).toBeUndefined();

      // A refused link gives no session; an unused session ends after idleMs.
      const refusedLink = await gate.startLogin(BOPHA);
      const refusedAsk = await gate.open(refusedLink, "nonce-3", "Safari on iPhone");
      expect(await gate.answer(refusedAsk.kind === "ask" ? refusedAsk.loginId : -1, BOPHA, false)).toBe("refused");
      expect(await gate.open(refusedLink, "nonce-3", "Safari on iPhone")).toEqual({ kind: "refused" });
      const again = await gate.startLogin(BOPHA);
      const againAsk = await gate.open(again, "nonce-4", "Safari on iPhone");
      await gate.answer(againAsk.kind === "ask" ? againAsk.loginId : -1, BOPHA, true);
      const idle = await gate.open(again, "nonce-4", "Safari on iPhone");
      const idleToken = idle.kind === "session" ? idle.token : "";
      expect(await gate.session(idleToken)).toBeDefined();
      clock.now += HOUR + 1;
      expect(await gate.session(idleToken)).toBeUndefined();
      expect(await gate.endAll(BOPHA)).toBe(0); // ended by the idle check already
    }),
  );
}

describe("console stores on SQLite", () => {
  consoleStoreContract(async (clock) => {
    const db = openDatabase(":memory:");
    return {
      access: createConsoleAccessStore(db),
      checks: createServiceChecks(db, clock),
      staff: createStaffStore(db, clock),
      close: async () => {
        db.$client.close();
      },
    };
  });
});

describePostgres("console stores on PostgreSQL", () => {
  /** The tables the cases write, emptied before each. */
  const TABLES = ["console_logins", "console_sessions", "service_checks", "staff_members", "staff_invites"];
  let db: PgDb;
  let url: string;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => ({ db, url, close } = await openFreshPostgres()));
  afterAll(() => close?.());

  const empty = () => db.$client.query(`truncate ${TABLES.join(", ")} restart identity`);

  consoleStoreContract(async (clock) => {
    await empty();
    return {
      access: createPgConsoleAccessStore(db),
      checks: createPgServiceChecks(db, clock),
      staff: createPgStaffStore(db, clock),
      close: async () => undefined,
    };
  });

  it("two instances use the same approved login at once: exactly one is told true", async () => {
    await empty();
    const second = await openPostgres(url, { maxConnections: 4 });
    try {
      const here = createPgConsoleAccessStore(db);
      const there = createPgConsoleAccessStore(second);
      const ids: number[] = [];
      for (let n = 0; n < 20; n++) {
        await here.addLogin(`hash-${n}`, SOKHA, T0, T0 + 5 * MINUTE);
        const id = (await here.loginByTokenHash(`hash-${n}`))!.id;
        expect(await here.bindLogin(id, `browser-${n}`, "Chrome on Android")).toBe(true);
        expect(await here.answerLogin(id, SOKHA, "approved", T0)).toBe(true);
        ids.push(id);
      }
      const uses = await Promise.all(ids.map((id) => Promise.all([here.useLogin(id), there.useLogin(id)])));
      for (const [n, [mine, theirs]] of uses.entries()) {
        expect(mine !== theirs).toBe(true);
        expect((await there.loginByTokenHash(`hash-${n}`))!.state).toBe("used");
      }

      // One step at a time: a use in a transaction still open, and another instance's use meanwhile.
      await here.addLogin("hash-held", SOKHA, T0, T0 + 5 * MINUTE);
      const id = (await here.loginByTokenHash("hash-held"))!.id;
      await here.bindLogin(id, "browser-held", "Chrome on Android");
      await here.answerLogin(id, SOKHA, "approved", T0);
      let finish!: () => void;
      const held = new Promise<void>((resolve) => (finish = resolve));
      let used!: (won: boolean) => void;
      const first = new Promise<boolean>((resolve) => (used = resolve));
      const turn = createPgCommitQueue(db).run(async () => {
        used(await here.useLogin(id));
        await held;
      });
      expect(await first).toBe(true);
      const late = there.useLogin(id);
      const waited = await Promise.race([late.then(() => "answered"), sleep(300).then(() => "waiting")]);
      expect(waited).toBe("waiting"); // on the row's lock, until the first use commits or rolls back
      finish();
      await turn;
      expect(await late).toBe(false);
      expect((await there.loginByTokenHash("hash-held"))!.state).toBe("used");
    } finally {
      await second.$client.end();
    }
  });

  it("two instances bind the same sent login at once: exactly one browser is bound", async () => {
    await empty();
    const second = await openPostgres(url, { maxConnections: 4 });
    try {
      const here = createPgConsoleAccessStore(db);
      const there = createPgConsoleAccessStore(second);
      const ids: number[] = [];
      for (let n = 0; n < 20; n++) {
        await here.addLogin(`hash-${n}`, SOKHA, T0, T0 + 5 * MINUTE);
        ids.push((await here.loginByTokenHash(`hash-${n}`))!.id);
      }
      const binds = await Promise.all(
        ids.map((id) =>
          Promise.all([here.bindLogin(id, "browser-here", "Chrome"), there.bindLogin(id, "browser-there", "Firefox")]),
        ),
      );
      for (const [n, [mine, theirs]] of binds.entries()) {
        expect(mine !== theirs).toBe(true);
        expect(await there.loginByTokenHash(`hash-${n}`)).toMatchObject({
          state: "opened",
          browserHash: mine ? "browser-here" : "browser-there",
        });
      }
    } finally {
      await second.$client.end();
    }
  });
});
