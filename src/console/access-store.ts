/**
 * The rows behind the console's logins and sessions (src/console/access.ts decides what they mean). Only hashes of
 * tokens and browser nonces are stored. Every change of a login's state names the state it may start from, so two
 * requests (or two instances) racing on one login cannot both move it.
 */
import { and, eq, gte, isNull, lt } from "drizzle-orm";
import { asyncMethods } from "../db/async-store.ts";
import type { Db } from "../db/open.ts";
import { consoleLogins, consoleSessions } from "../db/schema.ts";

/** A login's state: sent (link made), opened (a browser bound), approved or refused in Telegram, used. */
export type LoginRowState = "sent" | "opened" | "approved" | "refused" | "used";

/** A stored login. */
export interface LoginRow {
  id: number;
  staffId: number;
  state: LoginRowState;
  browserHash: string | null;
  expiresAt: number;
}

/** A stored session. */
export interface SessionRow {
  id: number;
  staffId: number;
  createdAt: number;
  lastSeenAt: number;
  endedAt: number | null;
}

/** The console access store's interface, over either database. */
export type ConsoleAccessStore = ReturnType<typeof createConsoleAccessStore>;

/** Creates the console access store over SQLite. */
export function createConsoleAccessStore(db: Db) {
  return asyncMethods({
    /** Stores a new login link's hash, in state "sent". */
    addLogin(tokenHash: string, staffId: number, createdAt: number, expiresAt: number): void {
      db.insert(consoleLogins).values({ tokenHash, staffId, state: "sent", createdAt, expiresAt }).run();
    },

    loginByTokenHash(tokenHash: string): LoginRow | undefined {
      return db.select().from(consoleLogins).where(eq(consoleLogins.tokenHash, tokenHash)).get();
    },

    /** Binds a "sent" login to the first browser that opened it; false when another request did first. */
    bindLogin(id: number, browserHash: string, browser: string): boolean {
      return (
        db
          .update(consoleLogins)
          .set({ state: "opened", browserHash, browser })
          .where(and(eq(consoleLogins.id, id), eq(consoleLogins.state, "sent")))
          .run().changes === 1
      );
    },

    /**
     * The member's answer to an "opened" login that has not expired at `at`: approved or refused. False when the
     * login is not theirs, not waiting, or expired.
     */
    answerLogin(id: number, staffId: number, state: "approved" | "refused", at: number): boolean {
      return (
        db
          .update(consoleLogins)
          .set({ state })
          .where(
            and(
              eq(consoleLogins.id, id),
              eq(consoleLogins.staffId, staffId),
              eq(consoleLogins.state, "opened"),
              gte(consoleLogins.expiresAt, at),
            ),
          )
          .run().changes === 1
      );
    },

    /** Uses up an "approved" login; false when it was used already. */
    useLogin(id: number): boolean {
      return (
        db
          .update(consoleLogins)
          .set({ state: "used" })
          .where(and(eq(consoleLogins.id, id), eq(consoleLogins.state, "approved")))
          .run().changes === 1
      );
    },

    addSession(tokenHash: string, staffId: number, at: number): void {
      db.insert(consoleSessions).values({ tokenHash, staffId, createdAt: at, lastSeenAt: at }).run();
    },

    sessionByTokenHash(tokenHash: string): SessionRow | undefined {
      return db
        .select({
          id: consoleSessions.id,
          staffId: consoleSessions.staffId,
          createdAt: consoleSessions.createdAt,
          lastSeenAt: consoleSessions.lastSeenAt,
          endedAt: consoleSessions.endedAt,
        })
        .from(consoleSessions)
        .where(eq(consoleSessions.tokenHash, tokenHash))
        .get();
    },

    touchSession(id: number, at: number): void {
      db.update(consoleSessions).set({ lastSeenAt: at }).where(eq(consoleSessions.id, id)).run();
    },

    /** Ends a session that has not ended yet. */
    endSession(id: number, at: number): void {
      db.update(consoleSessions)
        .set({ endedAt: at })
        .where(and(eq(consoleSessions.id, id), isNull(consoleSessions.endedAt)))
        .run();
    },

    /** Ends every open session of a member; returns how many. */
    endSessionsOf(staffId: number, at: number): number {
      return db
        .update(consoleSessions)
        .set({ endedAt: at })
        .where(and(eq(consoleSessions.staffId, staffId), isNull(consoleSessions.endedAt)))
        .run().changes;
    },

    /** Deletes logins that expired before `loginsBefore` and sessions last seen before `sessionsBefore`. */
    purge(loginsBefore: number, sessionsBefore: number): number {
      const logins = db.delete(consoleLogins).where(lt(consoleLogins.expiresAt, loginsBefore)).run().changes;
      const sessions = db.delete(consoleSessions).where(lt(consoleSessions.lastSeenAt, sessionsBefore)).run().changes;
      return logins + sessions;
    },
  });
}
