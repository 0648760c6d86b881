/**
 * Referrals (src/referrals/store.ts) over PostgreSQL, method for method the same as the SQLite store: a resident's
 * request for a caseworker and everything that happens to it, the contact preference, relayed texts and notes
 * encrypted. Every query runs on `executor(db)`, so inside a unit of work (src/db/pg-unit-of-work.ts) it is part of
 * the transaction.
 *
 * Several instances: a status change (claim, close, ...), a reassignment and a re-post are each one conditional
 * UPDATE naming the statuses it may start from. Two instances pressing Claim on the same case both send it; the
 * second waits on the row's lock, and when the first commits PostgreSQL checks the condition again on the new row
 * (read committed), finds the case claimed and changes nothing: one of them is told true. A status change and its
 * referral_events row are written in one transaction (a savepoint inside a unit of work), so the timeline never
 * misses a change, and /forget and retention erase a case's contact, texts and notes together or not at all.
 *
 * Lists come in the order the SQLite store gives them, written out with the id as the last tie-breaker: where its
 * query has no `order by` (inConversation), the order of the index SQLite reads (chat, status, then id).
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { caseMessages, caseNotes, caseOutcomes, referralEvents, referrals } from "../db/pg-schema.ts";
import { DAY_MS } from "../base/time.ts";
import { executor, type PgTransaction as Tx } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import {
  ACTIVE_STATUSES,
  caseMessageOf,
  caseNoteOf,
  contactPreferenceOf,
  type Referral,
  type ReferralStatus,
  type ReferralStore,
} from "./store.ts";

/** The columns that make a {@link Referral}. */
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

/** Whether a case is in one of `statuses`. */
const inStatus = (statuses: readonly ReferralStatus[]) => inArray(referrals.status, [...statuses]);

/** The ids of the cases meeting `where`, as a subquery (no list of ids sent as parameters). */
const idsWhere = (tx: Tx, where: SQL | undefined) => tx.select({ id: referrals.id }).from(referrals).where(where);

/** Erases the texts of the relayed messages and notes of the cases meeting `ofCases`. */
async function eraseTexts(tx: Tx, ofCases: SQL | undefined): Promise<void> {
  await tx
    .update(caseMessages)
    .set({ textEnc: null })
    .where(inArray(caseMessages.referralId, idsWhere(tx, ofCases)));
  await tx
    .update(caseNotes)
    .set({ textEnc: null })
    .where(inArray(caseNotes.referralId, idsWhere(tx, ofCases)));
}

/** Creates the referral store over PostgreSQL. `now` defaults to Date.now. */
export function createPgReferralStore(db: PgDb, cipher: FieldCipher, now: () => number = Date.now): ReferralStore {
  const q = () => executor(db);

  /**
   * Applies `set` to case `id` only if `allowed` holds for it, and then records `event` by `actor`, in one
   * transaction. False when the case was not changed (someone else acted first, or there is no such case).
   */
  async function changeIf(
    id: number,
    allowed: SQL | undefined,
    set: Partial<typeof referrals.$inferInsert>,
    event: string,
    actor: number | null,
  ): Promise<boolean> {
    return q().transaction(async (tx) => {
      const changed = await tx
        .update(referrals)
        .set({ ...set, updatedAt: now() })
        .where(and(eq(referrals.id, id), allowed))
        .returning({ id: referrals.id });
      if (changed.length !== 1) return false;
      await tx.insert(referralEvents).values({ referralId: id, status: event, actor, at: now() });
      return true;
    });
  }

  /** Moves a case from one of `from` to `to`; false when it was not in one of them. */
  const transition = (
    id: number,
    from: readonly ReferralStatus[],
    to: ReferralStatus,
    actor: number | null,
    extra: Partial<typeof referrals.$inferInsert> = {},
  ) => changeIf(id, inStatus(from), { status: to, ...extra }, to, actor);

  return withDriverErrors<ReferralStore>({
    async create(input) {
      const at = now();
      return q().transaction(async (tx) => {
        const [row] = await tx
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
          .returning(columns);
        const referral = row as Referral;
        await tx.insert(referralEvents).values({ referralId: referral.id, status: "open", actor: null, at: now() });
        return referral;
      });
    },

    async get(id) {
      const [row] = await q().select(columns).from(referrals).where(eq(referrals.id, id));
      return row;
    },

    async activeForChat(chatId) {
      const [row] = await q()
        .select(columns)
        .from(referrals)
        .where(and(eq(referrals.chatId, chatId), inStatus(ACTIVE_STATUSES)))
        .orderBy(desc(referrals.id))
        .limit(1);
      return row;
    },

    async contactOf(id) {
      const [row] = await q().select({ contactEnc: referrals.contactEnc }).from(referrals).where(eq(referrals.id, id));
      return contactPreferenceOf(cipher, row?.contactEnc ?? null);
    },

    async claim(id, staffId) {
      return transition(id, ["open"], "claimed", staffId, {
        assignedTo: staffId,
        claimedAt: now(),
        nextEscalationAt: null,
      });
    },

    async startConversation(id, staffId) {
      return transition(id, ["claimed"], "in_conversation", staffId, { conversationAt: now() });
    },

    async endConversation(id, actor) {
      return transition(id, ["in_conversation"], "claimed", actor);
    },

    async close(id, status, actor) {
      return transition(id, ACTIVE_STATUSES, status, actor, { closedAt: now(), nextEscalationAt: null });
    },

    async inConversation(chatId) {
      const [row] = await q()
        .select(columns)
        .from(referrals)
        .where(and(eq(referrals.chatId, chatId), eq(referrals.status, "in_conversation")))
        .orderBy(asc(referrals.id))
        .limit(1);
      return row;
    },

    async dueEscalations(limit = 100) {
      return q()
        .select(columns)
        .from(referrals)
        .where(
          and(
            eq(referrals.status, "open"),
            isNotNull(referrals.nextEscalationAt),
            lte(referrals.nextEscalationAt, now()),
          ),
        )
        .orderBy(asc(referrals.nextEscalationAt), asc(referrals.id))
        .limit(limit);
    },

    async markEscalated(id, nextAt) {
      const escalated = await q()
        .update(referrals)
        .set({ escalations: sql`${referrals.escalations} + 1`, nextEscalationAt: nextAt, updatedAt: now() })
        .where(and(eq(referrals.id, id), eq(referrals.status, "open")));
      return escalated.rowCount === 1;
    },

    async active(assignedTo) {
      const filter = inStatus(ACTIVE_STATUSES);
      return q()
        .select(columns)
        .from(referrals)
        .where(assignedTo === undefined ? filter : and(filter, eq(referrals.assignedTo, assignedTo)))
        .orderBy(asc(referrals.id));
    },

    async logMessage(referralId, direction, staffId, kind, text) {
      await q()
        .insert(caseMessages)
        .values({ referralId, direction, staffId, kind, textEnc: text ? cipher.encrypt(text) : null, at: now() });
    },

    async messagesOf(referralId) {
      const rows = await q()
        .select()
        .from(caseMessages)
        .where(eq(caseMessages.referralId, referralId))
        .orderBy(asc(caseMessages.id));
      return rows.map((m) => caseMessageOf(cipher, m));
    },

    async eventsOf(referralId) {
      return q()
        .select()
        .from(referralEvents)
        .where(eq(referralEvents.referralId, referralId))
        .orderBy(asc(referralEvents.id));
    },

    async queue(closedSince) {
      return q()
        .select(columns)
        .from(referrals)
        .where(or(inStatus(ACTIVE_STATUSES), gte(referrals.closedAt, closedSince)))
        .orderBy(desc(referrals.id))
        .limit(500);
    },

    async reassign(id, to, actor) {
      return changeIf(id, inStatus(["claimed", "in_conversation"]), { assignedTo: to }, "reassigned", actor);
    },

    async addNote(referralId, staffId, text) {
      await q()
        .insert(caseNotes)
        .values({ referralId, staffId, textEnc: cipher.encrypt(text), at: now() });
    },

    async notesOf(referralId) {
      const rows = await q()
        .select()
        .from(caseNotes)
        .where(eq(caseNotes.referralId, referralId))
        .orderBy(asc(caseNotes.id));
      return rows.map((n) => caseNoteOf(cipher, n));
    },

    async setOutcome(referralId, outcome, serviceId, staffId) {
      const values = { referralId, outcome, serviceId, staffId, at: now() };
      await q()
        .insert(caseOutcomes)
        .values(values)
        .onConflictDoUpdate({ target: caseOutcomes.referralId, set: values });
    },

    async outcomeOf(referralId) {
      const [row] = await q().select().from(caseOutcomes).where(eq(caseOutcomes.referralId, referralId));
      return row;
    },

    async forgetChat(chatId, anonymousId) {
      const ofChat = eq(referrals.chatId, chatId);
      await q().transaction(async (tx) => {
        // The texts first: once the cases have moved to the anonymous id, they can no longer be told from others'.
        await eraseTexts(tx, ofChat);
        await tx.update(referrals).set({ contactEnc: null, chatId: anonymousId }).where(ofChat);
      });
    },

    async purge(retentionDays) {
      const before = now() - retentionDays * DAY_MS;
      const due = and(isNotNull(referrals.closedAt), lt(referrals.closedAt, before), isNotNull(referrals.contactEnc));
      return q().transaction(async (tx) => {
        // The texts first: a case whose contact is erased is not found again.
        await eraseTexts(tx, due);
        const erased = await tx.update(referrals).set({ contactEnc: null }).where(due);
        return erased.rowCount ?? 0;
      });
    },
  });
}
