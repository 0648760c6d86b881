/**
 * The rows behind the staff console's logins and sessions (src/console/access-store.ts) over PostgreSQL, method for
 * method the same as the SQLite store; src/console/access.ts decides what they mean. Only hashes of tokens and browser
 * nonces are stored. Every query runs on `executor(db)`, so inside a unit of work (src/db/pg-unit-of-work.ts) it is
 * part of the transaction.
 *
 * Several instances: each change of a login's state (bind, answer, use) is one conditional UPDATE naming the state it
 * may start from (`where id = ... and state = ...`), and is told whether it moved the login by the row count. Two
 * instances acting on the same login at once both send it; the second waits on the row's lock, and when the first
 * commits PostgreSQL checks the condition again on the new row (read committed), finds the state moved on and changes
 * nothing: exactly one of them is told true, so a login link turns into one session only. Ending a session names
 * `ended_at is null` the same way, so a session ended twice keeps the time it first ended.
 */
import { and, eq, gte, isNull, lt } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { consoleLogins, consoleSessions } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { ConsoleAccessStore } from "./access-store.ts";

/** The columns that make a LoginRow. */
const loginColumns = {
  id: consoleLogins.id,
  staffId: consoleLogins.staffId,
  state: consoleLogins.state,
  browserHash: consoleLogins.browserHash,
  expiresAt: consoleLogins.expiresAt,
};

/** The columns that make a SessionRow. */
const sessionColumns = {
  id: consoleSessions.id,
  staffId: consoleSessions.staffId,
  createdAt: consoleSessions.createdAt,
  lastSeenAt: consoleSessions.lastSeenAt,
  endedAt: consoleSessions.endedAt,
};

/**
 * Creates the console access store over PostgreSQL: logins (sent → opened → approved or refused → used) and sessions,
 * each state change one conditional UPDATE, so that several instances on one database never both move a login.
 */
export function createPgConsoleAccessStore(db: PgDb): ConsoleAccessStore {
  const q = () => executor(db);

  return withDriverErrors<ConsoleAccessStore>({
    async addLogin(tokenHash, staffId, createdAt, expiresAt) {
      await q().insert(consoleLogins).values({ tokenHash, staffId, state: "sent", createdAt, expiresAt });
    },

    async loginByTokenHash(tokenHash) {
      const [row] = await q().select(loginColumns).from(consoleLogins).where(eq(consoleLogins.tokenHash, tokenHash));
      return row;
    },

    async bindLogin(id, browserHash, browser) {
      const bound = await q()
        .update(consoleLogins)
        .set({ state: "opened", browserHash, browser })
        .where(and(eq(consoleLogins.id, id), eq(consoleLogins.state, "sent")));
      return bound.rowCount === 1;
    },

    async answerLogin(id, staffId, state, at) {
      const answered = await q()
        .update(consoleLogins)
        .set({ state })
        .where(
          and(
            eq(consoleLogins.id, id),
            eq(consoleLogins.staffId, staffId),
            eq(consoleLogins.state, "opened"),
            gte(consoleLogins.expiresAt, at),
          ),
        );
      return answered.rowCount === 1;
    },

    async useLogin(id) {
      const used = await q()
        .update(consoleLogins)
        .set({ state: "used" })
        .where(and(eq(consoleLogins.id, id), eq(consoleLogins.state, "approved")));
      return used.rowCount === 1;
    },

    async addSession(tokenHash, staffId, at) {
      await q().insert(consoleSessions).values({ tokenHash, staffId, createdAt: at, lastSeenAt: at });
    },

    async sessionByTokenHash(tokenHash) {
      const [row] = await q()
        .select(sessionColumns)
        .from(consoleSessions)
        .where(eq(consoleSessions.tokenHash, tokenHash));
      return row;
    },

    async touchSession(id, at) {
      await q().update(consoleSessions).set({ lastSeenAt: at }).where(eq(consoleSessions.id, id));
    },

    async endSession(id, at) {
      await q()
        .update(consoleSessions)
        .set({ endedAt: at })
        .where(and(eq(consoleSessions.id, id), isNull(consoleSessions.endedAt)));
    },

    async endSessionsOf(staffId, at) {
      const ended = await q()
        .update(consoleSessions)
        .set({ endedAt: at })
        .where(and(eq(consoleSessions.staffId, staffId), isNull(consoleSessions.endedAt)));
      return ended.rowCount ?? 0;
    },

    async purge(loginsBefore, sessionsBefore) {
      const logins = await q().delete(consoleLogins).where(lt(consoleLogins.expiresAt, loginsBefore));
      const sessions = await q().delete(consoleSessions).where(lt(consoleSessions.lastSeenAt, sessionsBefore));
      return (logins.rowCount ?? 0) + (sessions.rowCount ?? 0);
    },
  });
}
