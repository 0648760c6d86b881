/**
 * The casework desk: everything that happens to a referral after the resident's yes, as database changes and
 * queued messages (the outbox sender delivers them). The Telegram layer (src/telegram/casework.ts) maps button
 * presses and messages to these operations; the flow action creates referrals through it.
 *
 * Staff messages carry codes, case numbers, categories and districts only: never a resident's words, name or
 * phone number. A caseworker sees the phone number only in a pop-up answer to their own button press, which is
 * not stored anywhere.
 */
import { CALLBACK_PREFIXES, decodeVerbButton, encodeVerbButton } from "../engine/callback-data.ts";
import type { Locale } from "../base/locale.ts";
import { type Reply, type TextRef, text } from "../base/reply.ts";
import type { Translator } from "../i18n/translator.ts";
import { localDigits } from "../khmer/digits.ts";
import type { OutboxStore } from "../outbox/store.ts";
import type { WorkCalendar } from "../scheduling/calendar.ts";
import { may, type StaffAction } from "../features/roles.ts";
import type { StaffMember, StaffStore } from "../staff/store.ts";
import type { Subject } from "../outbox/message.ts";
import { queueEdit, queueReply } from "../outbox/queue-reply.ts";
import {
  type ContactPreference,
  caseNumber,
  type NewReferral,
  type Referral,
  type ReferralStore,
  type Urgency,
} from "./store.ts";
import { MINUTE_MS } from "../base/time.ts";
import type { MediaStore } from "./media-store.ts";

export interface DeskOptions {
  referrals: ReferralStore;
  staff: StaffStore;
  outbox: OutboxStore;
  translator: Translator;
  calendar: WorkCalendar;
  /** The staff group; without it, alerts are not posted (staff use /cases). */
  staffChatId: number | undefined;
  /** The language of staff messages. */
  staffLocale: Locale;
  residentLocale: (chatId: number) => Promise<Locale>;
  /** Voice notes and photos residents sent for a person: copied to whoever claims their case. */
  media: MediaStore;
  timeZone: string;
  /** Default 15 minutes. */
  urgentEscalationMinutes?: number;
  /** Default 4 working hours. */
  normalEscalationWorkMinutes?: number;
  now?: () => number;
}

/** What a staff member's button press or command did, for the toast (answerCallbackQuery) they see. */
export interface DeskResult {
  notice: TextRef;
  /** Shown as a pop-up that must be dismissed (used for the contact details, which are never stored). */
  alert?: boolean;
  /** Queued messages to send at once. */
  outboxIds: number[];
}

/** Callback data of staff buttons: k:<verb>:<case id>. */
export const DESK_VERBS = { claim: "c", resolve: "r", unreachable: "u", talk: "t", end: "e", contact: "p" } as const;
export type DeskVerb = keyof typeof DESK_VERBS;

export function deskButtonData(verb: DeskVerb, referralId: number): string {
  return encodeVerbButton(CALLBACK_PREFIXES.casework, DESK_VERBS[verb], referralId);
}

export function parseDeskButton(data: string): { verb: DeskVerb; referralId: number } | undefined {
  const button = decodeVerbButton(CALLBACK_PREFIXES.casework, data);
  const verb = (Object.keys(DESK_VERBS) as DeskVerb[]).find((v) => DESK_VERBS[v] === button?.code);
  return button && verb ? { verb, referralId: button.id } : undefined;
}

/** Words casework shows (content check makes sure both languages have them). */
export const CASEWORK_TEXT_KEYS = [
  "casework.alert_new",
  "casework.alert_again",
  "casework.alert_mention",
  "casework.alert_no_supervisor",
  "casework.facts",
  "casework.contact",
  "casework.contact_erased",
  "casework.district_unknown",
  "casework.urgency_urgent",
  "casework.urgency_normal",
  "casework.status_open",
  "casework.status_claimed",
  "casework.status_in_conversation",
  "casework.button_claim",
  "casework.button_resolve",
  "casework.button_unreachable",
  "casework.button_contact",
  "casework.button_talk",
  "casework.button_end",
  "casework.claimed_by",
  "casework.closed_resolved",
  "casework.closed_closed_unreachable",
  "casework.you_claimed",
  "casework.you_closed_resolved",
  "casework.you_closed_closed_unreachable",
  "casework.already_taken",
  "casework.already_closed",
  "casework.not_yours",
  "casework.not_allowed",
  "casework.card_intro",
  "casework.contact_popup_phone",
  "casework.contact_popup_chat",
  "casework.talk_started",
  "casework.talk_notice",
  "casework.talk_ended",
  "casework.not_talking",
  "casework.relayed",
  "casework.relay_not_talking",
  "casework.resident_claimed",
  "casework.resident_talking",
  "casework.resident_back",
  "casework.resident_left",
  "casework.digest_title",
  "casework.digest_line",
  "casework.digest_overdue",
  "casework.digest_empty",
  "casework.cases_title",
  "casework.cases_none",
  "casework.role_counsellor",
  "casework.role_caseworker",
  "casework.role_content",
  "casework.role_supervisor",
  "casework.role_admin",
  "casework.private_only",
  "casework.closed_closed_by_resident",
  "casework.resident_forgot",
] as const;

/** Messages about a case (the caseworker's card, relays, notices to the resident); a reply to one finds the case. */
export const CASE_SUBJECT = "case";
/** The staff-group alerts of a case (rung: the escalation round); rewritten when the case is claimed or closed. */
export const ALERT_SUBJECT = "alert";

const caseSubject = (referralId: number): Subject => ({ kind: CASE_SUBJECT, id: referralId });

export type Desk = ReturnType<typeof createDesk>;

export function createDesk(options: DeskOptions) {
  const { referrals, staff, outbox, translator, staffLocale } = options;
  const now = options.now ?? Date.now;
  const urgentMinutes = options.urgentEscalationMinutes ?? 15;
  const normalWorkMinutes = options.normalEscalationWorkMinutes ?? 4 * 60;

  /** Renders a reply and queues it; returns the outbox ids. */
  async function queue(
    chatId: number,
    dedupeKey: string,
    reply: Reply,
    locale: Locale,
    purpose: "alert" | "notice" = "notice",
    subject?: Subject,
  ): Promise<number[]> {
    return await queueReply(outbox, translator, {
      chatId,
      dedupeKey,
      reply,
      locale,
      purpose,
      ...(subject ? { subject } : {}),
    });
  }

  async function toResident(referral: Referral, key: string, reply: Reply): Promise<number[]> {
    return await queue(
      referral.chatId,
      `case:${referral.id}:${key}`,
      { ...reply, discreet: true },
      await options.residentLocale(referral.chatId),
      "notice",
      caseSubject(referral.id),
    );
  }

  async function toStaffChat(dedupeKey: string, reply: Reply): Promise<number[]> {
    if (options.staffChatId === undefined) return [];
    return await queue(options.staffChatId, dedupeKey, reply, staffLocale, "alert");
  }

  /** The facts staff see about a case: no free text, no name, no phone number. */
  async function facts(referral: Referral): Promise<TextRef> {
    const contact = await referrals.contactOf(referral.id);
    return text("casework.facts", {
      case: caseNumber(referral.id),
      category: text(`help.category_${referral.category}`),
      urgency: text(`casework.urgency_${referral.urgency}`),
      district: referral.district ? text(`help.district_${referral.district}`) : text("casework.district_unknown"),
      contact: contact ? contactText(contact) : text("casework.contact_erased"),
      since: clock(referral.createdAt),
    });
  }

  function clock(at: number): string {
    const formatted = new Intl.DateTimeFormat(staffLocale === "km" ? "km-KH" : "en-GB", {
      timeZone: options.timeZone,
      day: "numeric",
      month: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(at));
    return localDigits(staffLocale, formatted);
  }

  function alertButtons(referral: Referral) {
    return referral.status === "open"
      ? [
          [
            { label: text("casework.button_claim"), data: deskButtonData("claim", referral.id) },
            { label: text("casework.button_resolve"), data: deskButtonData("resolve", referral.id) },
          ],
        ]
      : [[{ label: text("casework.button_resolve"), data: deskButtonData("resolve", referral.id) }]];
  }

  /** Posts the alert; `round` 0 is the first post, later rounds are escalations that mention the supervisors. */
  async function postAlert(referral: Referral, round: number): Promise<number[]> {
    if (options.staffChatId === undefined) return [];
    const supervisors = round > 0 ? await staff.withRole("supervisor") : [];
    const lines: TextRef[] = [text(round === 0 ? "casework.alert_new" : "casework.alert_again"), await facts(referral)];
    if (round > 0) {
      const key = supervisors.length > 0 ? "casework.alert_mention" : "casework.alert_no_supervisor";
      lines.push(text(key, { names: supervisors.map((s) => s.displayName).join(", ") }));
    }
    const reply: Reply = { text: [text("common.lines", { lines })], buttons: alertButtons(referral) };
    return await queueReply(outbox, translator, {
      chatId: options.staffChatId,
      dedupeKey: `alert:${referral.id}:${round}`,
      reply,
      locale: staffLocale,
      purpose: "alert",
      subject: { kind: ALERT_SUBJECT, id: referral.id, rung: round },
      mentions: supervisors.map((m) => ({ name: m.displayName, userId: m.telegramUserId })),
    });
  }

  /** Rewrites every alert already posted for a case (after a claim or a close). */
  async function updateAlerts(referral: Referral, status: TextRef): Promise<number[]> {
    if (options.staffChatId === undefined) return [];
    const reply: Reply = {
      text: [text("common.lines", { lines: [await facts(referral), status] })],
      buttons: referral.status === "claimed" || referral.status === "in_conversation" ? alertButtons(referral) : [],
    };
    const ids: number[] = [];
    for (const messageId of await outbox.sentMessageIds(ALERT_SUBJECT, referral.id)) {
      const id = await queueEdit(outbox, translator, {
        chatId: options.staffChatId,
        messageId,
        dedupeKey: `alert-edit:${referral.id}:${messageId}:${referral.status}:${now()}`,
        reply,
        locale: staffLocale,
        purpose: "alert",
      });
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  function firstEscalation(urgency: Urgency, from: number): number {
    return urgency === "urgent"
      ? from + urgentMinutes * MINUTE_MS
      : options.calendar.addWorkingMinutes(from, normalWorkMinutes);
  }

  /** Checks the role and records the attempt either way; the member when their role allows the action. */
  async function allowed(
    member: StaffMember | undefined,
    userId: number,
    action: StaffAction,
    referralId: number | undefined,
  ): Promise<StaffMember | undefined> {
    const ok = may(member?.role, action);
    await staff.audit(userId, action, referralId, ok);
    return ok ? member : undefined;
  }

  function refused(): DeskResult {
    return { notice: text("casework.not_allowed"), alert: true, outboxIds: [] };
  }

  function done(notice: string, outboxIds: number[], params?: Record<string, string>): DeskResult {
    return { notice: text(notice, params), outboxIds };
  }

  /**
   * Copies a case's waiting voice notes and photos from the resident's chat to its caseworker (copyMessage: the bot
   * never downloads them), protected from forwarding. Returns the outbox ids.
   */
  async function relayMedia(referral: Referral): Promise<number[]> {
    if (referral.assignedTo === null) return [];
    const items = await options.media.unrelayed(referral.id);
    const ids: number[] = [];
    for (const item of items) {
      const id = await outbox.enqueue({
        dedupeKey: `case:${referral.id}:media:${item.id}`,
        chatId: referral.assignedTo as number,
        purpose: "notice",
        message: { kind: "relay", fromChatId: referral.chatId, messageId: item.messageId, protect: true },
        subject: caseSubject(referral.id),
      });
      if (id !== undefined) ids.push(id);
    }
    await options.media.markRelayed(items.map((i) => i.id));
    return ids;
  }

  /** The resident is told they are back with the assistant, with the main menu button. */
  async function backToAssistant(referral: Referral): Promise<number[]> {
    return await toResident(referral, `back:${now()}`, {
      text: [text("casework.resident_back")],
      buttons: [[{ label: text("common.main_menu"), data: CALLBACK_PREFIXES.menu }]],
    });
  }

  return {
    /** Records a referral the resident agreed to and posts the alert. */
    async createReferral(input: Omit<NewReferral, "firstEscalationAt">): Promise<Referral> {
      const referral = await referrals.create({ ...input, firstEscalationAt: firstEscalation(input.urgency, now()) });
      await postAlert(referral, 0);
      return referral;
    },

    relayMedia,

    /** The resident's case that is still being handled, if any. */
    async activeReferral(chatId: number): Promise<Referral | undefined> {
      return await referrals.activeForChat(chatId);
    },

    /** A staff button press (Claim, Resolve, Talk, End, Could not reach, Show contact) by Telegram user `userId`. */
    async press(userId: number, verb: DeskVerb, referralId: number): Promise<DeskResult> {
      const member = await staff.get(userId);
      const referral = await referrals.get(referralId);
      switch (verb) {
        case "claim": {
          const actor = await allowed(member, userId, "claim", referralId);
          if (!actor) return refused();
          if (!referral || !(await referrals.claim(referralId, userId))) return done("casework.already_taken", []);
          const claimed = (await referrals.get(referralId)) as Referral;
          await staff.setActiveReferral(userId, null);
          const ids = [
            ...(await updateAlerts(claimed, text("casework.claimed_by", { name: actor.displayName }))),
            ...(await toResident(claimed, "claimed", {
              text: [text("casework.resident_claimed", { name: actor.displayName, case: caseNumber(claimed.id) })],
            })),
            ...(await queue(
              userId,
              `case:${claimed.id}:card:${userId}`,
              await caseCard(claimed),
              staffLocale,
              "notice",
              caseSubject(claimed.id),
            )),
            ...(await relayMedia(claimed)),
          ];
          return done("casework.you_claimed", ids, { case: caseNumber(claimed.id) });
        }
        case "resolve":
        case "unreachable": {
          const own = referral?.assignedTo === userId;
          const actor = await allowed(member, userId, own ? "resolve_own" : "resolve_any", referralId);
          if (!actor) return refused();
          const wasTalking = referral?.status === "in_conversation";
          const status = verb === "resolve" ? "resolved" : "closed_unreachable";
          if (!referral || !(await referrals.close(referralId, status, userId)))
            return done("casework.already_closed", []);
          const closed = (await referrals.get(referralId)) as Referral;
          await staff.clearActiveReferral(referralId);
          const ids = [
            ...(await updateAlerts(closed, text(`casework.closed_${status}`, { name: actor.displayName }))),
            ...(wasTalking ? await backToAssistant(closed) : []),
          ];
          return done(`casework.you_closed_${status}`, ids, { case: caseNumber(closed.id) });
        }
        case "talk": {
          const actor = await allowed(member, userId, "relay", referralId);
          if (!actor) return refused();
          if (!referral || referral.assignedTo !== userId) return done("casework.not_yours", []);
          if (referral.status === "claimed" && !(await referrals.startConversation(referralId, userId)))
            return done("casework.already_closed", []);
          if (referral.status !== "claimed" && referral.status !== "in_conversation")
            return done("casework.already_closed", []);
          await staff.setActiveReferral(userId, referralId);
          const ids: number[] =
            referral.status === "claimed"
              ? await toResident(referral, `talk:${now()}`, {
                  text: [text("casework.resident_talking", { name: actor.displayName })],
                })
              : [];
          ids.push(
            ...(await queue(
              userId,
              `case:${referralId}:staff-talk:${now()}`,
              {
                text: [text("casework.talk_started", { case: caseNumber(referralId) })],
                buttons: [[{ label: text("casework.button_end"), data: deskButtonData("end", referralId) }]],
              },
              staffLocale,
              "notice",
              caseSubject(referralId),
            )),
          );
          return done("casework.talk_notice", ids, { case: caseNumber(referralId) });
        }
        case "end": {
          if (!(await allowed(member, userId, "relay", referralId))) return refused();
          if (!referral || referral.assignedTo !== userId) return done("casework.not_yours", []);
          if (!(await referrals.endConversation(referralId, userId))) return done("casework.not_talking", []);
          await staff.setActiveReferral(userId, null);
          return done("casework.talk_ended", await backToAssistant(referral), { case: caseNumber(referralId) });
        }
        case "contact": {
          const actor = await allowed(member, userId, "relay", referralId);
          if (!actor) return refused();
          if (!referral || (referral.assignedTo !== userId && !may(actor.role, "resolve_any")))
            return done("casework.not_yours", []);
          const contact = await referrals.contactOf(referralId);
          return { notice: contactNotice(referral, contact), alert: true, outboxIds: [] };
        }
      }
    },

    /**
     * A staff member's message in their private chat: relayed to the case it replies to, or to their active case.
     * Returns undefined when it is not for a case (the bot then treats it like anyone's message).
     */
    async relayFromStaff(
      userId: number,
      message: {
        messageId: number;
        replyTo: number | undefined;
        kind: string;
        text: string | undefined;
        updateId: number;
      },
    ): Promise<DeskResult | undefined> {
      const member = await staff.get(userId);
      if (!member) return undefined;
      const linked = message.replyTo === undefined ? undefined : await staff.caseOfMessage(userId, message.replyTo);
      const referralId = linked ?? member.activeReferralId ?? undefined;
      if (referralId === undefined) return undefined;
      if (!(await allowed(member, userId, "relay", referralId))) return refused();
      const referral = await referrals.get(referralId);
      if (!referral || referral.assignedTo !== userId || referral.status !== "in_conversation") {
        return {
          notice: text("casework.relay_not_talking", { case: caseNumber(referralId) }),
          outboxIds: await queue(
            userId,
            `relay-refused:${message.updateId}`,
            { text: [text("casework.relay_not_talking", { case: caseNumber(referralId) })] },
            staffLocale,
          ),
        };
      }
      await referrals.logMessage(referralId, "to_resident", userId, message.kind, message.text);
      const id = await outbox.enqueue({
        dedupeKey: `case:${referralId}:relay:${message.updateId}`,
        chatId: referral.chatId,
        purpose: "notice",
        message: { kind: "relay", fromChatId: userId, messageId: message.messageId, protect: true },
        subject: caseSubject(referralId),
      });
      return { notice: text("casework.relayed"), outboxIds: id === undefined ? [] : [id] };
    },

    /** A resident's message while a caseworker talks with them: copied to the caseworker and logged to the case. */
    async relayFromResident(
      referral: Referral,
      message: { messageId: number; kind: string; text: string | undefined; updateId: number },
    ): Promise<number[]> {
      if (referral.assignedTo === null) return [];
      await referrals.logMessage(referral.id, "from_resident", referral.assignedTo, message.kind, message.text);
      const id = await outbox.enqueue({
        dedupeKey: `case:${referral.id}:relay:${message.updateId}`,
        chatId: referral.assignedTo,
        purpose: "notice",
        message: { kind: "relay", fromChatId: referral.chatId, messageId: message.messageId },
        subject: caseSubject(referral.id),
      });
      return id === undefined ? [] : [id];
    },

    /** The resident used quick exit: a conversation with a person ends, and the caseworker is told (no content). */
    /**
     * The resident used /forget: their active case is closed, its alerts say so, and the caseworker (if any) is told
     * the case number and nothing else. Returns the outbox ids.
     */
    async closedByResident(chatId: number): Promise<number[]> {
      const referral = await referrals.activeForChat(chatId);
      if (!referral || !(await referrals.close(referral.id, "closed_by_resident", null))) return [];
      await referrals.setOutcome(referral.id, "closed_by_resident", null, null);
      await staff.clearActiveReferral(referral.id);
      const closed = (await referrals.get(referral.id)) as Referral;
      const ids = await updateAlerts(closed, text("casework.closed_closed_by_resident"));
      if (referral.assignedTo !== null) {
        const notice = { text: [text("casework.resident_forgot", { case: caseNumber(referral.id) })] };
        ids.push(...(await queue(referral.assignedTo, `case:${referral.id}:forgot`, notice, staffLocale, "notice")));
      }
      return ids;
    },

    async residentLeft(chatId: number): Promise<number[]> {
      const referral = await referrals.inConversation(chatId);
      if (!referral || referral.assignedTo === null) return [];
      await referrals.endConversation(referral.id, null);
      await staff.clearActiveReferral(referral.id);
      return await queue(
        referral.assignedTo,
        `case:${referral.id}:left:${now()}`,
        { text: [text("casework.resident_left", { case: caseNumber(referral.id) })] },
        staffLocale,
        "notice",
        caseSubject(referral.id),
      );
    },

    /** Re-posts unclaimed alerts whose time is up, mentioning the supervisors. Returns how many. */
    async escalateDue(): Promise<number> {
      let count = 0;
      for (const referral of await referrals.dueEscalations()) {
        const next =
          referral.urgency === "urgent"
            ? now() + urgentMinutes * MINUTE_MS
            : options.calendar.addWorkingMinutes(now(), normalWorkMinutes);
        if (!(await referrals.markEscalated(referral.id, next))) continue;
        await postAlert({ ...referral, escalations: referral.escalations + 1 }, referral.escalations + 1);
        count++;
      }
      return count;
    },

    /** The morning digest of open and overdue referrals, once per local date. Returns how many cases it lists. */
    async postDigest(localDate: string): Promise<number> {
      const active = await referrals.active();
      const at = now();
      const lines: TextRef[] = [
        text("casework.digest_title", {
          date: localDigits(staffLocale, localDate),
          count: localDigits(staffLocale, active.length),
        }),
      ];
      for (const r of active) {
        const overdue = r.status === "open" && r.escalations > 0;
        lines.push(
          text("casework.digest_line", {
            case: caseNumber(r.id),
            category: text(`help.category_${r.category}`),
            urgency: text(`casework.urgency_${r.urgency}`),
            status: text(`casework.status_${r.status}`),
            hours: localDigits(staffLocale, Math.floor((at - r.createdAt) / 3_600_000)),
            overdue: overdue ? text("casework.digest_overdue") : "",
          }),
        );
      }
      if (active.length === 0) lines.push(text("casework.digest_empty"));
      await toStaffChat(`digest:${localDate}`, { text: [text("common.lines", { lines })] });
      return active.length;
    },

    /** A staff member's own open cases (/cases), or all for supervisors and admins. */
    async casesFor(userId: number): Promise<Reply | undefined> {
      const member = await staff.get(userId);
      const actor = await allowed(member, userId, "see_cases", undefined);
      if (!actor) return undefined;
      const list = await referrals.active(may(actor.role, "resolve_any") ? undefined : userId);
      if (list.length === 0) return { text: [text("casework.cases_none")] };
      return { text: [text("casework.cases_title"), ...(await Promise.all(list.map((r) => facts(r))))] };
    },
  };

  async function caseCard(referral: Referral): Promise<Reply> {
    return {
      text: [text("casework.card_intro"), await facts(referral)],
      buttons: [
        [{ label: text("casework.button_contact"), data: deskButtonData("contact", referral.id) }],
        [{ label: text("casework.button_talk"), data: deskButtonData("talk", referral.id) }],
        [
          { label: text("casework.button_resolve"), data: deskButtonData("resolve", referral.id) },
          { label: text("casework.button_unreachable"), data: deskButtonData("unreachable", referral.id) },
        ],
      ],
    };
  }

  function contactNotice(referral: Referral, contact: ContactPreference | undefined): TextRef {
    if (!contact) return text("casework.contact_erased");
    const how = contactText(contact);
    return contact.phone
      ? text("casework.contact_popup_phone", { case: caseNumber(referral.id), how, phone: contact.phone })
      : text("casework.contact_popup_chat", { case: caseNumber(referral.id), how });
  }
}

/** "phone call, morning" */
function contactText(contact: ContactPreference): TextRef {
  return text("casework.contact", {
    method: text(`help.contact_${contact.method}`),
    time: text(`help.time_${contact.time}`),
  });
}
