/**
 * Staff members, their one-time invite codes, and the audit of what staff did (or tried to do). Codes are shown
 * once and stored only as a SHA-256 hash.
 */
import { createHash, randomInt } from "node:crypto";
import { and, desc, eq, gte, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { caseLinks, staffAudit, staffInvites, staffMembers } from "../db/schema.ts";
import type { Role } from "../features/roles.ts";
import { asyncMethods } from "../db/async-store.ts";

export interface StaffMember {
  telegramUserId: number;
  role: Role;
  displayName: string;
  activeReferralId: number | null;
}

export type RedeemResult = { ok: true; member: StaffMember } | { ok: false; reason: "unknown" | "expired" | "used" };

/** Invite codes last this long (7 days). */
export const INVITE_TTL_MS = 7 * 86_400_000;
/** Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L). */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 10;

/** The staff store's interface, over either database. */
export type StaffStore = ReturnType<typeof createStaffStore>;

/** Creates the staff store. `now` defaults to Date.now. */
export function createStaffStore(db: Db, now: () => number = Date.now) {
  return asyncMethods({
    /** Makes a one-time code for a role; returns the code (shown once, never stored). */
    createInvite(role: Role, createdBy: number | null): string {
      const code = newInviteCode();
      db.insert(staffInvites)
        .values({ codeHash: hashCode(code), role, createdBy, expiresAt: now() + INVITE_TTL_MS, createdAt: now() })
        .run();
      return code;
    },

    /** Registers the Telegram user with the code's role (or changes their role); the code cannot be used again. */
    redeem(code: string, telegramUserId: number, displayName: string): RedeemResult {
      const invite = db
        .select()
        .from(staffInvites)
        .where(eq(staffInvites.codeHash, hashCode(code)))
        .get();
      if (!invite) return { ok: false, reason: "unknown" };
      if (invite.usedAt !== null) return { ok: false, reason: "used" };
      if (invite.expiresAt < now()) return { ok: false, reason: "expired" };
      const taken = db
        .update(staffInvites)
        .set({ usedBy: telegramUserId, usedAt: now() })
        .where(and(eq(staffInvites.id, invite.id), isNull(staffInvites.usedAt)))
        .run();
      if (taken.changes !== 1) return { ok: false, reason: "used" };
      return { ok: true, member: this.register(telegramUserId, invite.role, displayName) };
    },

    /** Adds or updates a member directly (sandbox seed data and the command line). */
    register(telegramUserId: number, role: Role, displayName: string): StaffMember {
      const name = displayName.trim().slice(0, 40) || "Staff";
      db.insert(staffMembers)
        .values({ telegramUserId, role, displayName: name, active: true, createdAt: now() })
        .onConflictDoUpdate({ target: staffMembers.telegramUserId, set: { role, displayName: name, active: true } })
        .run();
      return this.get(telegramUserId) as StaffMember;
    },

    /** The active member with this Telegram user id, if any. */
    get(telegramUserId: number | undefined): StaffMember | undefined {
      if (telegramUserId === undefined) return undefined;
      const row = db
        .select()
        .from(staffMembers)
        .where(and(eq(staffMembers.telegramUserId, telegramUserId), eq(staffMembers.active, true)))
        .get();
      return row ? toMember(row) : undefined;
    },

    /** Active members with a role, e.g. the supervisors to mention on an escalation. */
    withRole(role: Role): StaffMember[] {
      return db
        .select()
        .from(staffMembers)
        .where(and(eq(staffMembers.role, role), eq(staffMembers.active, true)))
        .all()
        .map(toMember);
    },

    /** Every active member, by name (the console's staff page). */
    members(): StaffMember[] {
      return db
        .select()
        .from(staffMembers)
        .where(eq(staffMembers.active, true))
        .orderBy(staffMembers.displayName)
        .all()
        .map(toMember);
    },

    /** Changes an active member's role; false when there is no such active member. */
    setRole(telegramUserId: number, role: Role): boolean {
      return (
        db
          .update(staffMembers)
          .set({ role })
          .where(and(eq(staffMembers.telegramUserId, telegramUserId), eq(staffMembers.active, true)))
          .run().changes === 1
      );
    },

    deactivate(telegramUserId: number): void {
      db.update(staffMembers)
        .set({ active: false, activeReferralId: null })
        .where(eq(staffMembers.telegramUserId, telegramUserId))
        .run();
    },

    /** The case a member's plain messages go to; null stops relaying. */
    setActiveReferral(telegramUserId: number, referralId: number | null): void {
      db.update(staffMembers)
        .set({ activeReferralId: referralId })
        .where(eq(staffMembers.telegramUserId, telegramUserId))
        .run();
    },

    /** Stops relaying to a case for every member (the case ended). */
    clearActiveReferral(referralId: number): void {
      db.update(staffMembers)
        .set({ activeReferralId: null })
        .where(eq(staffMembers.activeReferralId, referralId))
        .run();
    },

    /** Records a staff action or a refused attempt. */
    audit(telegramUserId: number, action: string, referralId: number | undefined, allowed: boolean): void {
      db.insert(staffAudit)
        .values({ telegramUserId, action, referralId: referralId ?? null, allowed, at: now() })
        .run();
    },

    /**
     * /forget by someone who is not staff: their refused attempts (a resident pressing Claim, typing /today) are
     * deleted. Staff members' own audit trail stays.
     */
    forgetAudit(telegramUserId: number): void {
      if (this.get(telegramUserId)) return;
      db.delete(staffAudit).where(eq(staffAudit.telegramUserId, telegramUserId)).run();
    },

    /** Refused attempts of one kind by a user since `since` (to stop guessing invite codes). */
    refusals(telegramUserId: number, action: string, since: number): number {
      return (
        db
          .select({ n: sql<number>`count(*)` })
          .from(staffAudit)
          .where(
            and(
              eq(staffAudit.telegramUserId, telegramUserId),
              eq(staffAudit.action, action),
              eq(staffAudit.allowed, false),
              gte(staffAudit.at, since),
            ),
          )
          .get()?.n ?? 0
      );
    },

    auditLog() {
      return db.select().from(staffAudit).orderBy(staffAudit.id).all();
    },

    /** The latest `limit` audit entries, newest first. */
    recentAudit(limit = 100) {
      return db.select().from(staffAudit).orderBy(desc(staffAudit.id)).limit(limit).all();
    },

    /** Remembers that a message in a staff member's chat belongs to a case. */
    linkMessage(chatId: number, messageId: number, referralId: number): void {
      db.insert(caseLinks).values({ chatId, messageId, referralId }).onConflictDoNothing().run();
    },

    caseOfMessage(chatId: number, messageId: number): number | undefined {
      return db
        .select()
        .from(caseLinks)
        .where(and(eq(caseLinks.chatId, chatId), eq(caseLinks.messageId, messageId)))
        .get()?.referralId;
    },
  });
}

/** A member as stores return it (shared with the PostgreSQL store). */
export function toMember(r: Pick<typeof staffMembers.$inferSelect, keyof StaffMember>): StaffMember {
  return {
    telegramUserId: r.telegramUserId,
    role: r.role,
    displayName: r.displayName,
    activeReferralId: r.activeReferralId,
  };
}

/** Makes a new invite code from {@link CODE_ALPHABET} (shared with the PostgreSQL store). */
export function newInviteCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
}

/** The stored form of an invite code: case and surrounding spaces do not matter (shared with the PostgreSQL store). */
export function hashCode(code: string): string {
  return createHash("sha256").update(code.trim().toUpperCase()).digest("hex");
}
