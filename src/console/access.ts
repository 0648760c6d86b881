/**
 * Who may use the staff console, and how they get in without a password:
 *
 * 1. A rostered staff member sends /console to the bot and gets a one-time link (valid LOGIN_TTL_MS, used once).
 * 2. The first browser that opens it is bound to the login (a random nonce in a cookie; only hashes are stored) and
 *    the bot asks the staff member in Telegram: "Log in from Chrome on Android? ✅ / ❌". A forwarded link alone is
 *    useless: the approval comes from the staff member's own Telegram account.
 * 3. Once approved, that browser (and only it) turns the login into a session: a random token in an HttpOnly cookie,
 *    ending after `idleMs` without use or `maxMs` after it began, on "log out (everywhere)", or at once when the
 *    member leaves the roster (every request checks the roster).
 *
 * Tokens are 32 random bytes; the database keeps their SHA-256 only. The CSRF token of a session is derived from its
 * token, so it needs no storage and cannot be guessed without the cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ConsoleAccessStore } from "./access-store.ts";
import type { StaffMember, StaffStore } from "../staff/store.ts";

/** How long a /console link may wait to be opened and approved. */
export const LOGIN_TTL_MS = 5 * 60_000;

export type ConsoleAccess = ReturnType<typeof createConsoleAccess>;

/** What opening a login link came to. */
export type LoginState =
  | { kind: "ask"; loginId: number; staffId: number; browser: string }
  | { kind: "waiting" }
  | { kind: "session"; token: string; member: StaffMember }
  | { kind: "refused" }
  | { kind: "invalid" };

export interface Session {
  id: number;
  member: StaffMember;
  csrf: string;
}

export interface AccessOptions {
  store: ConsoleAccessStore;
  staff: StaffStore;
  now: () => number;
  /** A session ends after this long unused (default 60 minutes). */
  idleMs?: number;
  /** ... and this long after it began, used or not (default 12 hours). */
  maxMs?: number;
}

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const newToken = () => randomBytes(32).toString("base64url");

/** The console's logins and sessions. */
export function createConsoleAccess(options: AccessOptions) {
  const { store, staff, now } = options;
  const idleMs = options.idleMs ?? 60 * 60_000;
  const maxMs = options.maxMs ?? 12 * 60 * 60_000;

  return {
    /** Starts a login for a staff member; returns the one-time token for the link. */
    async startLogin(staffId: number): Promise<string> {
      const token = newToken();
      await store.addLogin(sha256(token), staffId, now(), now() + LOGIN_TTL_MS);
      return token;
    },

    /**
     * A browser opened the link `token`, carrying `browserNonce` (its login cookie, if it has one) and described as
     * `browser`. The first browser binds the login ("ask": the caller asks the staff member in Telegram); the same
     * browser later gets "waiting", "refused", or, once approved, its session (once: the login is then used up).
     * Any other browser, or an expired or used link, gets "invalid".
     */
    async open(token: string, browserNonce: string, browser: string): Promise<LoginState> {
      const login = await store.loginByTokenHash(sha256(token));
      if (!login || login.expiresAt < now() || login.state === "used") return { kind: "invalid" };
      if (login.state === "sent") {
        const bound = await store.bindLogin(login.id, sha256(browserNonce), browser.slice(0, 60));
        return bound ? { kind: "ask", loginId: login.id, staffId: login.staffId, browser } : { kind: "invalid" };
      }
      if (!login.browserHash || !sameHash(login.browserHash, sha256(browserNonce))) return { kind: "invalid" };
      if (login.state === "refused") return { kind: "refused" };
      if (login.state === "opened") return { kind: "waiting" };
      const member = await staff.get(login.staffId);
      const used = await store.useLogin(login.id);
      if (!used || !member) return { kind: "invalid" };
      const sessionToken = newToken();
      await store.addSession(sha256(sessionToken), member.telegramUserId, now());
      return { kind: "session", token: sessionToken, member };
    },

    /**
     * The staff member `userId` answered the approval question of login `loginId`. Only the member the login is for,
     * while it waits and has not expired. Returns what the answer did.
     */
    async answer(loginId: number, userId: number, approve: boolean): Promise<"approved" | "refused" | "stale"> {
      const state = approve ? "approved" : "refused";
      return (await store.answerLogin(loginId, userId, state, now())) ? state : "stale";
    },

    /** The live session of a cookie token, touched now; undefined when it ended, expired, or its member left. */
    async session(token: string | undefined): Promise<Session | undefined> {
      if (!token) return undefined;
      const row = await store.sessionByTokenHash(sha256(token));
      if (!row || row.endedAt !== null) return undefined;
      const at = now();
      const member = await staff.get(row.staffId);
      if (!member || at - row.lastSeenAt > idleMs || at - row.createdAt > maxMs) {
        await store.endSession(row.id, at);
        return undefined;
      }
      await store.touchSession(row.id, at);
      return { id: row.id, member, csrf: csrfOf(token) };
    },

    /** Ends one session ("log out"). */
    async end(sessionId: number): Promise<void> {
      await store.endSession(sessionId, now());
    },

    /** Ends every session of a staff member ("log out everywhere"); returns how many. */
    async endAll(staffId: number): Promise<number> {
      return await store.endSessionsOf(staffId, now());
    },

    /** Whether a form's CSRF token belongs to the session of `token`. */
    csrfMatches(token: string, submitted: unknown): boolean {
      return typeof submitted === "string" && sameHash(csrfOf(token), submitted);
    },

    /** Forgets logins and sessions that ended or expired more than a day ago (retention). */
    async purge(): Promise<number> {
      const before = now() - 86_400_000;
      return await store.purge(before, before - maxMs);
    },
  };
}

function csrfOf(sessionToken: string): string {
  return sha256(`csrf:${sessionToken}`);
}

/** Constant-time comparison of two strings (hex hashes), false when lengths differ. */
function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
