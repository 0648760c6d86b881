/**
 * The staff store (src/staff/store.ts) over PostgreSQL, method for method the same as the SQLite store: staff
 * members, their one-time invite codes (stored only as a SHA-256 hash), the audit of what staff did or tried to do,
 * and which case a message in a staff member's chat belongs to. Every query runs on `executor(db)`, so inside a unit
 * of work (src/db/pg-unit-of-work.ts) it is part of the transaction.
 *
 * Several instances:
 * - redeem takes the code with one conditional UPDATE (`where code_hash = ... and used_at is null and expires_at >=
 *   now returning role`). Two instances redeeming the same code both send it; the second waits on the row's lock,
 *   and when the first commits PostgreSQL checks the condition again on the new row (read committed), finds the code
 *   used and changes nothing: exactly one of them registers. Only when nothing was taken does it read the invite, to
 *   tell why (unknown, used, expired, in the SQLite store's order). Taking the code and registering the member are
 *   one transaction (a savepoint inside a unit of work): a code is never used up without its member.
 * - register is an upsert (`on conflict (telegram_user_id) do update`), so registering the same user twice at once
 *   updates the one row instead of failing; it returns the row it wrote (the SQLite store reads it back with get).
 * - linkMessage is `on conflict do nothing`: the first case linked to a message stays, as over SQLite.
 * - forgetAudit is one DELETE that keeps the rows of an active member (`not exists` over staff_members), the same
 *   test the SQLite store makes with get, without a window between the test and the delete.
 *
 * Lists come in the order the SQLite store gives them, written out with the Telegram user id or the id as the last
 * tie-breaker: withRole has no `order by` there, and SQLite reads staff_members by its rowid, the Telegram user id;
 * members are by name, compared byte by byte (`collate "C"`, as SQLite does whatever the database's collation), then
 * by Telegram user id, the order in which SQLite's table scan hands equal names to its sort.
 */
import { and, asc, desc, eq, gte, isNull, notExists, sql } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { caseLinks, staffAudit, staffInvites, staffMembers } from "../db/pg-schema.ts";
import { executor, type PgExecutor, type PgTransaction as Tx } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { Role } from "../features/roles.ts";
import {
  hashCode,
  INVITE_TTL_MS,
  newInviteCode,
  type RedeemResult,
  type StaffMember,
  type StaffStore,
  toMember,
} from "./store.ts";

/** The columns that make a {@link StaffMember}. */
const memberColumns = {
  telegramUserId: staffMembers.telegramUserId,
  role: staffMembers.role,
  displayName: staffMembers.displayName,
  activeReferralId: staffMembers.activeReferralId,
};

/** Whether a member is active. */
const isActive = eq(staffMembers.active, true);

/** A member's name in SQLite's order (byte order), then the Telegram user id for equal names. */
const byName = [sql`${staffMembers.displayName} collate "C" asc`, asc(staffMembers.telegramUserId)];

/**
 * Creates the staff store over PostgreSQL: the same interface and behaviour as `createStaffStore` over SQLite, safe
 * with several instances on one database (an invite code is redeemed once, whoever redeems it first).
 * @param db the PostgreSQL database; each query runs in the caller's unit of work when there is one.
 * @param now the clock (default Date.now): invite expiry, use and creation times, audit times.
 */
export function createPgStaffStore(db: PgDb, now: () => number = Date.now): StaffStore {
  const q = () => executor(db);

  /** Adds or updates a member on `on` (the store's executor, or redeem's transaction); returns it as stored. */
  async function upsertMember(
    on: PgExecutor | Tx,
    telegramUserId: number,
    role: Role,
    displayName: string,
  ): Promise<StaffMember> {
    const name = displayName.trim().slice(0, 40) || "Staff";
    const [row] = await on
      .insert(staffMembers)
      .values({ telegramUserId, role, displayName: name, active: true, createdAt: now() })
      .onConflictDoUpdate({ target: staffMembers.telegramUserId, set: { role, displayName: name, active: true } })
      .returning(memberColumns);
    return toMember(row!);
  }

  return withDriverErrors<StaffStore>({
    async createInvite(role, createdBy) {
      const code = newInviteCode();
      await q()
        .insert(staffInvites)
        .values({ codeHash: hashCode(code), role, createdBy, expiresAt: now() + INVITE_TTL_MS, createdAt: now() });
      return code;
    },

    async redeem(code, telegramUserId, displayName) {
      const codeHash = hashCode(code);
      return q().transaction(async (tx): Promise<RedeemResult> => {
        const at = now();
        const [taken] = await tx
          .update(staffInvites)
          .set({ usedBy: telegramUserId, usedAt: at })
          .where(and(eq(staffInvites.codeHash, codeHash), isNull(staffInvites.usedAt), gte(staffInvites.expiresAt, at)))
          .returning({ role: staffInvites.role });
        if (taken) return { ok: true, member: await upsertMember(tx, telegramUserId, taken.role, displayName) };
        const [invite] = await tx
          .select({ usedAt: staffInvites.usedAt })
          .from(staffInvites)
          .where(eq(staffInvites.codeHash, codeHash));
        if (!invite) return { ok: false, reason: "unknown" };
        // Nothing taken from a known code: used (even if it has expired since, as over SQLite), or else expired.
        return { ok: false, reason: invite.usedAt !== null ? "used" : "expired" };
      });
    },

    async register(telegramUserId, role, displayName) {
      return upsertMember(q(), telegramUserId, role, displayName);
    },

    async get(telegramUserId) {
      if (telegramUserId === undefined) return undefined;
      const [row] = await q()
        .select(memberColumns)
        .from(staffMembers)
        .where(and(eq(staffMembers.telegramUserId, telegramUserId), isActive));
      return row ? toMember(row) : undefined;
    },

    async withRole(role) {
      const rows = await q()
        .select(memberColumns)
        .from(staffMembers)
        .where(and(eq(staffMembers.role, role), isActive))
        .orderBy(asc(staffMembers.telegramUserId));
      return rows.map(toMember);
    },

    async members() {
      const rows = await q()
        .select(memberColumns)
        .from(staffMembers)
        .where(isActive)
        .orderBy(...byName);
      return rows.map(toMember);
    },

    async setRole(telegramUserId, role) {
      const changed = await q()
        .update(staffMembers)
        .set({ role })
        .where(and(eq(staffMembers.telegramUserId, telegramUserId), isActive));
      return changed.rowCount === 1;
    },

    async deactivate(telegramUserId) {
      await q()
        .update(staffMembers)
        .set({ active: false, activeReferralId: null })
        .where(eq(staffMembers.telegramUserId, telegramUserId));
    },

    async setActiveReferral(telegramUserId, referralId) {
      await q()
        .update(staffMembers)
        .set({ activeReferralId: referralId })
        .where(eq(staffMembers.telegramUserId, telegramUserId));
    },

    async clearActiveReferral(referralId) {
      await q()
        .update(staffMembers)
        .set({ activeReferralId: null })
        .where(eq(staffMembers.activeReferralId, referralId));
    },

    async audit(telegramUserId, action, referralId, allowed) {
      await q()
        .insert(staffAudit)
        .values({ telegramUserId, action, referralId: referralId ?? null, allowed, at: now() });
    },

    async forgetAudit(telegramUserId) {
      const member = q()
        .select({ one: sql`1` })
        .from(staffMembers)
        .where(and(eq(staffMembers.telegramUserId, telegramUserId), isActive));
      await q()
        .delete(staffAudit)
        .where(and(eq(staffAudit.telegramUserId, telegramUserId), notExists(member)));
    },

    async refusals(telegramUserId, action, since) {
      const [row] = await q()
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(staffAudit)
        .where(
          and(
            eq(staffAudit.telegramUserId, telegramUserId),
            eq(staffAudit.action, action),
            eq(staffAudit.allowed, false),
            gte(staffAudit.at, since),
          ),
        );
      return row?.n ?? 0;
    },

    async auditLog() {
      return q().select().from(staffAudit).orderBy(asc(staffAudit.id));
    },

    async recentAudit(limit = 100) {
      return q().select().from(staffAudit).orderBy(desc(staffAudit.id)).limit(limit);
    },

    async linkMessage(chatId, messageId, referralId) {
      await q().insert(caseLinks).values({ chatId, messageId, referralId }).onConflictDoNothing();
    },

    async caseOfMessage(chatId, messageId) {
      const [row] = await q()
        .select({ referralId: caseLinks.referralId })
        .from(caseLinks)
        .where(and(eq(caseLinks.chatId, chatId), eq(caseLinks.messageId, messageId)));
      return row?.referralId;
    },
  });
}
