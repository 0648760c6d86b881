/**
 * Referrals: a resident's request for a caseworker, made with consent, and everything that happens to it. Status
 * changes are conditional updates, so two caseworkers pressing Claim at once cannot both take a case.
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { caseMessages, caseNotes, caseOutcomes, referralEvents, referrals } from "../db/schema.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import { asyncMethods } from "../db/async-store.ts";

export type ReferralStatus =
  | "open"
  | "claimed"
  | "in_conversation"
  | "resolved"
  | "closed_unreachable"
  /** The resident used /forget. */
  | "closed_by_resident";
export type Urgency = "urgent" | "normal";
export type ContactMethod = "telegram" | "call" | "sms";
export type SafeTime = "morning" | "afternoon" | "evening" | "any";

export interface ContactPreference {
  method: ContactMethod;
  time: SafeTime;
  /** Only for call and sms. */
  phone?: string;
}

export interface NewReferral {
  chatId: number;
  category: string;
  urgency: Urgency;
  district: string | undefined;
  consentVersion: string;
  contact: ContactPreference;
  /** When the first re-post is due if nobody claims it. */
  firstEscalationAt: number;
}

export interface Referral {
  id: number;
  chatId: number;
  category: string;
  urgency: Urgency;
  district: string | null;
  status: ReferralStatus;
  assignedTo: number | null;
  createdAt: number;
  claimedAt: number | null;
  closedAt: number | null;
  escalations: number;
  nextEscalationAt: number | null;
}

/** What came of a closed case (the programme counts these, e.g. "into work"). */
export const OUTCOMES = [
  "service_received",
  "referred_on",
  "job_or_training",
  "unreachable",
  "closed_by_resident",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Statuses of a case someone still has to act on. */
export const ACTIVE_STATUSES: readonly ReferralStatus[] = ["open", "claimed", "in_conversation"];

export type ReferralStore = ReturnType<typeof createReferralStore>;

/** The columns of a relayed message's row (the same on SQLite and PostgreSQL). */
export type CaseMessageRow = typeof caseMessages.$inferSelect;
/** The columns of a case note's row (the same on SQLite and PostgreSQL). */
export type CaseNoteRow = typeof caseNotes.$inferSelect;

/** A contact preference as stored (encrypted JSON), decrypted; undefined once erased. */
export function contactPreferenceOf(cipher: FieldCipher, contactEnc: string | null): ContactPreference | undefined {
  return contactEnc ? (JSON.parse(cipher.decrypt(contactEnc)) as ContactPreference) : undefined;
}

/** A relayed message's row with its text decrypted (null once erased). */
export function caseMessageOf(cipher: FieldCipher, m: CaseMessageRow) {
  return { ...m, text: m.textEnc ? cipher.decrypt(m.textEnc) : null };
}

/** A case note as the console reads it, its text decrypted (null once erased). */
export function caseNoteOf(cipher: FieldCipher, n: CaseNoteRow) {
  return { id: n.id, staffId: n.staffId, at: n.at, text: n.textEnc ? cipher.decrypt(n.textEnc) : null };
}

/** Creates the store. `now` defaults to Date.now. */
export function createReferralStore(db: Db, cipher: FieldCipher, now: () => number = Date.now) {
  const columns = {
    id: referrals.id,
    chatId: referrals.chatId,
    category: referrals.category,
    urgency: referrals.urgency,
    district: referrals.district,
    status: referrals.status,
    assignedTo: referrals.assignedTo,
    createdAt: referrals.createdAt,
    claimedAt: referrals.claimedAt,
    closedAt: referrals.closedAt,
    escalations: referrals.escalations,
    nextEscalationAt: referrals.nextEscalationAt,
  };

  function event(referralId: number, status: string, actor: number | null): void {
    db.insert(referralEvents).values({ referralId, status, actor, at: now() }).run();
  }

  /** Moves a case from one of `from` to `to`; false when it was not in one of them (someone else acted first). */
  function transition(
    id: number,
    from: readonly ReferralStatus[],
    to: ReferralStatus,
    actor: number | null,
    extra: Partial<typeof referrals.$inferInsert> = {},
  ): boolean {
    const changed = db
      .update(referrals)
      .set({ status: to, updatedAt: now(), ...extra })
      .where(and(eq(referrals.id, id), inArray(referrals.status, [...from])))
      .run().changes;
    if (changed === 1) event(id, to, actor);
    return changed === 1;
  }

  return asyncMethods({
    create(input: NewReferral): Referral {
      const at = now();
      const [row] = db
        .insert(referrals)
        .values({
          chatId: input.chatId,
          category: input.category,
          urgency: input.urgency,
          district: input.district ?? null,
          consentVersion: input.consentVersion,
          consentAt: at,
          contactEnc: cipher.encrypt(JSON.stringify(input.contact)),
          status: "open",
          createdAt: at,
          updatedAt: at,
          nextEscalationAt: input.firstEscalationAt,
        })
        .returning(columns)
        .all();
      const referral = row as Referral;
      event(referral.id, "open", null);
      return referral;
    },

    get(id: number): Referral | undefined {
      return db.select(columns).from(referrals).where(eq(referrals.id, id)).get();
    },

    /** The resident's case that is still being handled, if any (a resident has at most one). */
    activeForChat(chatId: number): Referral | undefined {
      return db
        .select(columns)
        .from(referrals)
        .where(and(eq(referrals.chatId, chatId), inArray(referrals.status, [...ACTIVE_STATUSES])))
        .orderBy(sql`${referrals.id} desc`)
        .get();
    },

    /** The decrypted contact preference; undefined once erased. */
    contactOf(id: number): ContactPreference | undefined {
      const row = db.select({ contactEnc: referrals.contactEnc }).from(referrals).where(eq(referrals.id, id)).get();
      return contactPreferenceOf(cipher, row?.contactEnc ?? null);
    },

    claim(id: number, staffId: number): boolean {
      return transition(id, ["open"], "claimed", staffId, {
        assignedTo: staffId,
        claimedAt: now(),
        nextEscalationAt: null,
      });
    },

    startConversation(id: number, staffId: number): boolean {
      return transition(id, ["claimed"], "in_conversation", staffId, { conversationAt: now() });
    },

    endConversation(id: number, actor: number | null): boolean {
      return transition(id, ["in_conversation"], "claimed", actor);
    },

    close(id: number, status: "resolved" | "closed_unreachable" | "closed_by_resident", actor: number | null): boolean {
      return transition(id, ACTIVE_STATUSES, status, actor, { closedAt: now(), nextEscalationAt: null });
    },

    /** The case a resident is talking to a person in, if any. */
    inConversation(chatId: number): Referral | undefined {
      return db
        .select(columns)
        .from(referrals)
        .where(and(eq(referrals.chatId, chatId), eq(referrals.status, "in_conversation")))
        .get();
    },

    /** Open cases whose re-post is due, oldest first. */
    dueEscalations(limit = 100): Referral[] {
      return db
        .select(columns)
        .from(referrals)
        .where(
          and(
            eq(referrals.status, "open"),
            isNotNull(referrals.nextEscalationAt),
            lte(referrals.nextEscalationAt, now()),
          ),
        )
        .orderBy(asc(referrals.nextEscalationAt))
        .limit(limit)
        .all();
    },

    /** Records a re-post; only if the case is still open (a claim in between wins). */
    markEscalated(id: number, nextAt: number): boolean {
      return (
        db
          .update(referrals)
          .set({ escalations: sql`${referrals.escalations} + 1`, nextEscalationAt: nextAt, updatedAt: now() })
          .where(and(eq(referrals.id, id), eq(referrals.status, "open")))
          .run().changes === 1
      );
    },

    /** Cases still being handled, oldest first (for the morning digest and /cases). */
    active(assignedTo?: number): Referral[] {
      const filter = inArray(referrals.status, [...ACTIVE_STATUSES]);
      return db
        .select(columns)
        .from(referrals)
        .where(assignedTo === undefined ? filter : and(filter, eq(referrals.assignedTo, assignedTo)))
        .orderBy(asc(referrals.id))
        .all();
    },

    /** Logs a relayed message to the case (text encrypted). */
    logMessage(
      referralId: number,
      direction: "to_resident" | "from_resident",
      staffId: number,
      kind: string,
      text: string | undefined,
    ): void {
      db.insert(caseMessages)
        .values({ referralId, direction, staffId, kind, textEnc: text ? cipher.encrypt(text) : null, at: now() })
        .run();
    },

    messagesOf(referralId: number) {
      return db
        .select()
        .from(caseMessages)
        .where(eq(caseMessages.referralId, referralId))
        .orderBy(caseMessages.id)
        .all()
        .map((m) => caseMessageOf(cipher, m));
    },

    eventsOf(referralId: number) {
      return db
        .select()
        .from(referralEvents)
        .where(eq(referralEvents.referralId, referralId))
        .orderBy(referralEvents.id)
        .all();
    },

    /** Cases still being handled and those closed since `closedSince`, newest first (the console's queue). */
    queue(closedSince: number): Referral[] {
      return db
        .select(columns)
        .from(referrals)
        .where(or(inArray(referrals.status, [...ACTIVE_STATUSES]), gte(referrals.closedAt, closedSince)))
        .orderBy(desc(referrals.id))
        .limit(500)
        .all();
    },

    /** Gives a claimed case to another staff member (a supervisor's reassign). */
    reassign(id: number, to: number, actor: number): boolean {
      const changed = db
        .update(referrals)
        .set({ assignedTo: to, updatedAt: now() })
        .where(and(eq(referrals.id, id), inArray(referrals.status, ["claimed", "in_conversation"])))
        .run().changes;
      if (changed === 1) event(id, "reassigned", actor);
      return changed === 1;
    },

    /** Adds a staff member's note to a case (text encrypted). */
    addNote(referralId: number, staffId: number, text: string): void {
      db.insert(caseNotes)
        .values({ referralId, staffId, textEnc: cipher.encrypt(text), at: now() })
        .run();
    },

    notesOf(referralId: number) {
      return db
        .select()
        .from(caseNotes)
        .where(eq(caseNotes.referralId, referralId))
        .orderBy(caseNotes.id)
        .all()
        .map((n) => caseNoteOf(cipher, n));
    },

    /** Records what came of a closed case (once; a later record replaces it). */
    setOutcome(referralId: number, outcome: Outcome, serviceId: string | null, staffId: number | null): void {
      const values = { referralId, outcome, serviceId, staffId, at: now() };
      db.insert(caseOutcomes).values(values).onConflictDoUpdate({ target: caseOutcomes.referralId, set: values }).run();
    },

    outcomeOf(referralId: number) {
      return db.select().from(caseOutcomes).where(eq(caseOutcomes.referralId, referralId)).get();
    },

    /**
     * /forget: the chat's cases move to `anonymousId` and lose their contact preference and the text of their
     * messages (category, district, status and times stay for counting).
     */
    forgetChat(chatId: number, anonymousId: number): void {
      const ids = db.select({ id: referrals.id }).from(referrals).where(eq(referrals.chatId, chatId)).all();
      if (ids.length === 0) return;
      const referralIds = ids.map((r) => r.id);
      db.update(caseMessages).set({ textEnc: null }).where(inArray(caseMessages.referralId, referralIds)).run();
      db.update(caseNotes).set({ textEnc: null }).where(inArray(caseNotes.referralId, referralIds)).run();
      db.update(referrals)
        .set({ contactEnc: null, chatId: anonymousId })
        .where(inArray(referrals.id, referralIds))
        .run();
    },

    /**
     * Erases the contact preference, relayed texts and notes of cases closed more than `retentionDays` ago; the rows
     * stay for counting. Returns how many cases were erased.
     */
    purge(retentionDays: number): number {
      const before = now() - retentionDays * 86_400_000;
      const closed = db
        .select({ id: referrals.id })
        .from(referrals)
        .where(and(isNotNull(referrals.closedAt), lt(referrals.closedAt, before), isNotNull(referrals.contactEnc)))
        .all()
        .map((r) => r.id);
      if (closed.length === 0) return 0;
      db.update(referrals).set({ contactEnc: null }).where(inArray(referrals.id, closed)).run();
      db.update(caseMessages).set({ textEnc: null }).where(inArray(caseMessages.referralId, closed)).run();
      db.update(caseNotes).set({ textEnc: null }).where(inArray(caseNotes.referralId, closed)).run();
      return closed.length;
    },
  });
}

/** How staff and residents see a case number: SP-0042. */
export function caseNumber(id: number): string {
  return `SP-${String(id).padStart(4, "0")}`;
}
