/**
 * What the staff console shows and does, as domain calls (the web pages in src/http/console/ only render these).
 *
 * Who sees what comes from the roles table (features/roles.ts): a caseworker sees the unclaimed queue (no contact
 * details) and their own cases; supervisors and admins see every case; a counsellor is refused. Claims and closes go
 * through the referral desk, so a claim in the console edits the alert in the staff group and a claim in the group
 * shows in the console: one state. Every view of a case and every reveal of a contact is audited.
 */
import type { Reply, TextRef } from "../base/reply.ts";
import { text } from "../base/reply.ts";
import { DAY_MS } from "../base/time.ts";
import { CALLBACK_PREFIXES } from "../engine/callback-data.ts";
import { isRole, may } from "../features/roles.ts";
import type { Locale } from "../base/locale.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { Translator } from "../i18n/translator.ts";
import type { Desk } from "../referrals/desk.ts";
import {
  ACTIVE_STATUSES,
  type ContactPreference,
  type Outcome,
  OUTCOMES,
  type Referral,
  type ReferralStore,
} from "../referrals/store.ts";
import type { StaffMember, StaffStore } from "../staff/store.ts";
import { setCounsellorHours } from "../booking/counsellor-setup.ts";
import { formatWeeklyHours } from "../booking/hours.ts";
import type { BookingStore } from "../booking/store.ts";
import type { BookingDesk } from "../booking/desk.ts";
import type { Appointment } from "../booking/model.ts";
import { addDays, instantAt } from "../base/local-time.ts";
import type { CalendarDate } from "../base/calendar-date.ts";
import { SpeanError } from "../base/errors.ts";
import { calendarDateIn, toIsoDate } from "../base/calendar-date.ts";
import { type Directory, LAST_CHECKED_WARN_DAYS } from "../directory/services.ts";
import type { ServiceChecks } from "./service-checks.ts";
import { questionsReport } from "../knowledge/report.ts";
import type { KnowledgeStore } from "../knowledge/store.ts";
import type { SafetyStore } from "../safety/store.ts";

export type ConsoleDesk = ReturnType<typeof createConsoleDesk>;

export interface ConsoleDeskOptions {
  referrals: ReferralStore;
  /** Typed questions and the danger check-ins, for the questions page (the same report as /questions). */
  knowledge: KnowledgeStore;
  safety: SafetyStore;
  /** The service directory, and when staff last confirmed each number by phone. */
  directory: Directory;
  serviceChecks: ServiceChecks;
  /** Counsellors' profiles and hours. */
  booking: BookingStore;
  /** Attendance marks, as the counsellors' buttons in the bot make them. */
  bookingDesk: BookingDesk;
  /** Public holidays (YYYY-MM-DD): no sessions. */
  holidays: readonly string[];
  staff: StaffStore;
  desk: Desk;
  outbox: OutboxStore;
  translator: Translator;
  /** The language of messages to staff in Telegram. */
  staffLocale: Locale;
  /** The programme's time zone (a check's day is a day there). */
  timeZone: string;
  /** Messages and notes of a case closed longer ago than this are shown to supervisors only (default 30). */
  caseContentDays?: number;
  now: () => number;
}

/** One entry of a case's timeline, oldest first. Text is present only where the viewer may read it. */
export type TimelineEntry =
  | { kind: "status"; at: number; status: string; by: string | undefined }
  | { kind: "note"; at: number; by: string | undefined; text: string | null }
  | { kind: "message"; at: number; direction: "to_resident" | "from_resident"; what: string; text: string | null };

export interface CaseView {
  referral: Referral;
  assignedName: string | undefined;
  outcome: { outcome: Outcome; serviceId: string | null } | undefined;
  timeline: TimelineEntry[];
  /** Messages and notes are hidden (an old closed case, for someone not a supervisor). */
  contentHidden: boolean;
  may: { claim: boolean; close: boolean; note: boolean; reveal: boolean; reassign: boolean };
}

/** A counsellor as the hours page shows them: hours in their written form ("mon-fri 08:00-11:30 prek_pnov"). */
export interface CounsellorHours {
  member: StaffMember;
  hours: string;
  takesBookings: boolean;
  /** Days off from today on (inclusive local dates). */
  timeOff: { id: number; from: string; to: string }[];
}

/** One line of the audit log as the staff page shows it: a member's name, never a resident's id. */
export interface AuditLine {
  at: number;
  /** The staff member's name; undefined for someone not (or no longer) on the roster. */
  who: string | undefined;
  action: string;
  referralId: number | null;
  allowed: boolean;
}

/** A service as the services page shows it. */
export interface ServiceLine {
  id: string;
  phones: string[];
  source: { title: string; url: string; year: number | null };
  /** The directory file's last check (YYYY-MM-DD). */
  lastChecked: string;
  /** The latest confirmation by phone: the file's date, or a staff member's check in the console (newer wins). */
  confirmed: { at: string; by: string | undefined } | undefined;
  /** Neither checked in the last LAST_CHECKED_WARN_DAYS days. */
  stale: boolean;
}

/** One weekday of the appointments week. */
export interface AppointmentDay {
  date: CalendarDate;
  holiday: boolean;
  /** Appointments that hold a slot (booked, attended, no-show), by time, with the counsellor's name. */
  items: (Appointment & { counsellorName: string })[];
}

/** Whatever a console action came to: done (with messages to send now), or refused with a reason key. */
export type ActionResult = { ok: true; outboxIds: number[]; notice: TextRef } | { ok: false; reason: string };

const isActive = (r: Referral) => ACTIVE_STATUSES.includes(r.status);

export function createConsoleDesk(options: ConsoleDeskOptions) {
  const { referrals, staff, desk, now } = options;
  const contentDays = options.caseContentDays ?? 30;

  const isSupervisor = (m: StaffMember) => may(m.role, "resolve_any");
  /** The display names of these staff ids (each read once); ids no longer on the roster are left out. */
  async function namesOf(ids: Iterable<number | null>): Promise<Map<number, string>> {
    const names = new Map<number, string>();
    for (const id of new Set(ids)) {
      const member = id === null ? undefined : await staff.get(id);
      if (member) names.set(member.telegramUserId, member.displayName);
    }
    return names;
  }
  const nameIn = (names: Map<number, string>, id: number | null) => (id === null ? undefined : names.get(id));

  /** Whether `member` may see this case's contact details: once claimed, its caseworker or a supervisor. */
  function canReveal(member: StaffMember, r: Referral): boolean {
    return (
      r.status !== "open" &&
      may(member.role, "relay") &&
      (r.assignedTo === member.telegramUserId || isSupervisor(member))
    );
  }

  /** Whether `member` may open this case at all. */
  function canSee(member: StaffMember, r: Referral): boolean {
    if (!may(member.role, "see_cases")) return false;
    return isSupervisor(member) || r.status === "open" || r.assignedTo === member.telegramUserId;
  }

  async function audit(member: StaffMember, action: string, referralId: number | undefined, allowed: boolean) {
    await staff.audit(member.telegramUserId, action, referralId, allowed);
  }

  /** Whether `member` may set this counsellor's hours and time off (supervisors, admins, or themselves); audited. */
  async function mayManageHoursOf(member: StaffMember, counsellorId: number, action: string): Promise<boolean> {
    const allowed =
      (await staff.get(counsellorId))?.role === "counsellor" &&
      (may(member.role, "manage_hours") || counsellorId === member.telegramUserId);
    await audit(member, action, undefined, allowed);
    return allowed;
  }

  /** Today in the programme's time zone, YYYY-MM-DD. */
  const today = () => toIsoDate(calendarDateIn(new Date(now()), options.timeZone));

  return {
    /**
     * The queue as `member` may see it: open cases oldest first, then active cases, then cases closed in the last
     * 30 days. Undefined (and audited) when the member may not see it.
     */
    async queue(
      member: StaffMember,
    ): Promise<{ open: Referral[]; active: Referral[]; closed: Referral[] } | undefined> {
      if (!may(member.role, "see_cases")) {
        await audit(member, "console_queue", undefined, false);
        return undefined;
      }
      const visible = (await referrals.queue(now() - 30 * DAY_MS)).filter((r) => canSee(member, r));
      return {
        open: visible.filter((r) => r.status === "open").sort((a, b) => a.createdAt - b.createdAt),
        active: visible.filter((r) => r.status !== "open" && isActive(r)),
        closed: visible.filter((r) => !isActive(r)),
      };
    },

    /** One case with its timeline, audited; undefined when it does not exist or the member may not see it. */
    async view(member: StaffMember, id: number): Promise<CaseView | undefined> {
      const referral = await referrals.get(id);
      const allowed = referral !== undefined && canSee(member, referral);
      await audit(member, "console_view", id, allowed);
      if (!referral || !allowed) return undefined;
      const own = referral.assignedTo === member.telegramUserId;
      const oldClosed = referral.closedAt !== null && now() - referral.closedAt > contentDays * DAY_MS;
      const contentHidden = !isSupervisor(member) && (oldClosed || !own);
      const events = await referrals.eventsOf(id);
      const notes = await referrals.notesOf(id);
      const names = await namesOf([...events.map((e) => e.actor), ...notes.map((n) => n.staffId), referral.assignedTo]);
      const timeline: TimelineEntry[] = [
        ...events.map((e): TimelineEntry => ({
          kind: "status",
          at: e.at,
          status: e.status,
          by: nameIn(names, e.actor),
        })),
        ...notes.map((n): TimelineEntry => ({
          kind: "note",
          at: n.at,
          by: nameIn(names, n.staffId),
          text: contentHidden ? null : n.text,
        })),
        ...(await referrals.messagesOf(id)).map((m): TimelineEntry => ({
          kind: "message",
          at: m.at,
          direction: m.direction,
          what: m.kind,
          text: contentHidden ? null : m.text,
        })),
      ].sort((a, b) => a.at - b.at);
      const active = isActive(referral);
      const outcome = await referrals.outcomeOf(id);
      return {
        referral,
        assignedName: nameIn(names, referral.assignedTo),
        outcome: outcome ? { outcome: outcome.outcome, serviceId: outcome.serviceId } : undefined,
        timeline,
        contentHidden,
        may: {
          claim: referral.status === "open" && may(member.role, "claim"),
          close: active && (own || isSupervisor(member)),
          note: active && (own || isSupervisor(member)),
          reveal: canReveal(member, referral),
          reassign: active && referral.status !== "open" && isSupervisor(member),
        },
      };
    },

    /**
     * The contact preference, shown on a click that is audited: "erased" once retention or /forget removed it,
     * undefined when the member may not see it.
     */
    async revealContact(member: StaffMember, id: number): Promise<ContactPreference | "erased" | undefined> {
      const referral = await referrals.get(id);
      const allowed = referral !== undefined && canReveal(member, referral);
      await audit(member, "console_reveal_contact", id, allowed);
      return allowed ? ((await referrals.contactOf(id)) ?? "erased") : undefined;
    },

    /** Claims a case, as the Claim button in the staff group does (the group's alert is edited). */
    async claim(member: StaffMember, id: number): Promise<ActionResult> {
      const result = await desk.press(member.telegramUserId, "claim", id);
      return result.notice.key === "casework.you_claimed"
        ? { ok: true, outboxIds: result.outboxIds, notice: result.notice }
        : { ok: false, reason: result.notice.key };
    },

    /** Closes a case with what came of it (the programme's closed loop); "unreachable" closes it as such. */
    async close(
      member: StaffMember,
      id: number,
      outcome: string,
      serviceId: string | undefined,
    ): Promise<ActionResult> {
      if (!(OUTCOMES as readonly string[]).includes(outcome) || outcome === "closed_by_resident")
        return { ok: false, reason: "console.outcome_required" };
      const result = await desk.press(member.telegramUserId, outcome === "unreachable" ? "unreachable" : "resolve", id);
      if (!result.notice.key.startsWith("casework.you_closed")) return { ok: false, reason: result.notice.key };
      const service = outcome === "referred_on" && serviceId ? serviceId.slice(0, 60) : null;
      await referrals.setOutcome(id, outcome as Outcome, service, member.telegramUserId);
      return { ok: true, outboxIds: result.outboxIds, notice: result.notice };
    },

    /** Adds a note to a case the member handles (or any, for a supervisor). */
    async note(member: StaffMember, id: number, body: string): Promise<ActionResult> {
      const referral = await referrals.get(id);
      const allowed =
        referral !== undefined &&
        isActive(referral) &&
        (referral.assignedTo === member.telegramUserId || isSupervisor(member));
      await audit(member, "console_note", id, allowed);
      const trimmed = body.trim().slice(0, 2000);
      if (!allowed) return { ok: false, reason: "casework.not_allowed" };
      if (!trimmed) return { ok: false, reason: "console.note_empty" };
      await referrals.addNote(id, member.telegramUserId, trimmed);
      return { ok: true, outboxIds: [], notice: text("console.note_added") };
    },

    /** A supervisor gives a claimed case to another caseworker. */
    async reassign(member: StaffMember, id: number, to: number): Promise<ActionResult> {
      const target = await staff.get(to);
      const allowed = isSupervisor(member) && target !== undefined && may(target.role, "claim");
      await audit(member, "console_reassign", id, allowed);
      if (!allowed) return { ok: false, reason: "casework.not_allowed" };
      if (!(await referrals.reassign(id, to, member.telegramUserId)))
        return { ok: false, reason: "casework.already_closed" };
      return { ok: true, outboxIds: [], notice: text("console.reassigned") };
    },

    /**
     * How the resident asked to be contacted (method and safe time, never the phone number, which only
     * revealContact shows); undefined once erased.
     */
    async contactOf(id: number): Promise<Omit<ContactPreference, "phone"> | undefined> {
      const contact = await referrals.contactOf(id);
      return contact ? { method: contact.method, time: contact.time } : undefined;
    },

    /** Whether the member may open the hours page (supervisors and admins: everyone's; counsellors: their own). */
    mayUseHours: (member: StaffMember) => may(member.role, "manage_hours") || member.role === "counsellor",

    /** The counsellors whose hours `member` may see and set. */
    async counsellorHours(member: StaffMember): Promise<CounsellorHours[]> {
      const all = may(member.role, "manage_hours");
      const counsellors = (await staff.withRole("counsellor")).filter(
        (c) => all || c.telegramUserId === member.telegramUserId,
      );
      const hours: CounsellorHours[] = [];
      for (const c of counsellors) {
        const profile = await options.booking.counsellor(c.telegramUserId);
        hours.push({
          member: c,
          hours: formatWeeklyHours(profile?.hours ?? []),
          takesBookings: profile?.active ?? false,
          timeOff: await options.booking.timeOff(today(), c.telegramUserId),
        });
      }
      return hours;
    },

    /**
     * Adds days off (YYYY-MM-DD, inclusive, today or later, at most a year) for a counsellor the member may manage;
     * no new sessions are offered on them (booked ones stay, and show in the week view).
     */
    async addTimeOff(member: StaffMember, counsellorId: number, from: string, to: string): Promise<ActionResult> {
      if (!(await mayManageHoursOf(member, counsellorId, "console_time_off")))
        return { ok: false, reason: "casework.not_allowed" };
      const valid = [from, to].every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)));
      const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
      if (!valid || days < 0 || days > 366 || to < today()) return { ok: false, reason: "console.time_off_invalid" };
      await options.booking.addTimeOff(counsellorId, from, to, member.telegramUserId);
      return { ok: true, outboxIds: [], notice: text("console.time_off_added") };
    },

    async removeTimeOff(member: StaffMember, counsellorId: number, timeOffId: number): Promise<ActionResult> {
      if (!(await mayManageHoursOf(member, counsellorId, "console_time_off")))
        return { ok: false, reason: "casework.not_allowed" };
      if (!(await options.booking.removeTimeOff(timeOffId, counsellorId)))
        return { ok: false, reason: "casework.not_allowed" };
      return { ok: true, outboxIds: [], notice: text("console.time_off_removed") };
    },

    /** Sets a counsellor's weekly hours from their written form; new bookings are offered from them at once. */
    async setHours(
      member: StaffMember,
      counsellorId: number,
      spec: string,
      takesBookings: boolean,
    ): Promise<ActionResult> {
      const target = await staff.get(counsellorId);
      const allowed =
        target?.role === "counsellor" && (may(member.role, "manage_hours") || counsellorId === member.telegramUserId);
      await audit(member, "console_hours", undefined, allowed);
      if (!allowed) return { ok: false, reason: "casework.not_allowed" };
      try {
        await setCounsellorHours(options.booking, target, spec.slice(0, 1000), { active: takesBookings });
      } catch (err) {
        if (err instanceof SpeanError) return { ok: false, reason: "console.hours_invalid" };
        throw err;
      }
      return { ok: true, outboxIds: [], notice: text("console.hours_saved") };
    },

    /** Whether the member may open the staff page (supervisors and admins); admins also change it. */
    mayUseStaff: (member: StaffMember) => may(member.role, "see_staff"),
    mayManageStaff: (member: StaffMember) => may(member.role, "manage_staff"),

    /** The roster and the latest audit entries (names only), or undefined (audited) when not allowed. */
    async staffPage(member: StaffMember): Promise<{ members: StaffMember[]; audit: AuditLine[] } | undefined> {
      const allowed = may(member.role, "see_staff");
      await audit(member, "console_staff", undefined, allowed);
      if (!allowed) return undefined;
      const members = await staff.members();
      const names = new Map(members.map((m) => [m.telegramUserId, m.displayName]));
      return {
        members,
        audit: (await staff.recentAudit(200)).map((a) => ({
          at: a.at,
          who: names.get(a.telegramUserId),
          action: a.action,
          referralId: a.referralId,
          allowed: a.allowed,
        })),
      };
    },

    /** Makes a one-time invite code for a role (admins); the code is shown once and never stored. */
    async invite(
      member: StaffMember,
      role: string,
    ): Promise<{ ok: true; code: string } | { ok: false; reason: string }> {
      const allowed = may(member.role, "invite") && isRole(role);
      await audit(member, "invite", undefined, allowed);
      if (!allowed) return { ok: false, reason: "casework.not_allowed" };
      return { ok: true, code: await staff.createInvite(role, member.telegramUserId) };
    },

    /** Changes a member's role, or removes them from the roster (which ends their console sessions at once). */
    async changeMember(member: StaffMember, targetId: number, change: string): Promise<ActionResult> {
      const allowed = may(member.role, "manage_staff") && targetId !== member.telegramUserId;
      await audit(member, change === "remove" ? "remove_member" : "change_role", undefined, allowed);
      if (!allowed) return { ok: false, reason: "casework.not_allowed" };
      if (change === "remove") {
        await staff.deactivate(targetId);
        return { ok: true, outboxIds: [], notice: text("console.member_removed") };
      }
      if (!isRole(change) || !(await staff.setRole(targetId, change)))
        return { ok: false, reason: "casework.not_allowed" };
      return { ok: true, outboxIds: [], notice: text("console.role_changed") };
    },

    /** The service directory with its sources and checks, newest confirmation first per service. */
    async services(): Promise<ServiceLine[]> {
      const checks = await options.serviceChecks.latest();
      const names = await namesOf([...checks.values()].map((check) => check.staffId));
      const isoDay = (at: number) => toIsoDate(calendarDateIn(new Date(at), options.timeZone));
      return options.directory.services.map((s) => {
        const check = checks.get(s.id);
        const byStaff = check ? { at: isoDay(check.at), by: nameIn(names, check.staffId) } : undefined;
        const fromFile = s.checked_by_staff ? { at: s.checked_by_staff, by: undefined } : undefined;
        const confirmed = byStaff && (!fromFile || byStaff.at >= fromFile.at) ? byStaff : fromFile;
        const latest = [s.last_checked, confirmed?.at]
          .filter((d): d is string => d !== undefined)
          .sort()
          .at(-1);
        const ageDays = (now() - Date.parse(`${latest}T00:00:00Z`)) / DAY_MS;
        return {
          id: s.id,
          phones: s.phones,
          source: s.source,
          lastChecked: s.last_checked,
          confirmed,
          stale: ageDays > LAST_CHECKED_WARN_DAYS,
        };
      });
    },

    /** A staff member confirmed a service's number by phone today. */
    async checkService(member: StaffMember, serviceId: string): Promise<ActionResult> {
      const known = options.directory.services.some((s) => s.id === serviceId);
      const allowed = known && may(member.role, "check_services");
      await audit(member, "check_service", undefined, allowed);
      if (!allowed) return { ok: false, reason: "casework.not_allowed" };
      await options.serviceChecks.record(serviceId, member.telegramUserId);
      return { ok: true, outboxIds: [], notice: text("console.service_checked") };
    },

    /**
     * The questions report (as /questions in the staff chat: unanswered and 👎-rated questions of the last 30 days,
     * and the weekly check-in counts) in `locale`; undefined (audited) when the member may not see it.
     */
    async questions(member: StaffMember, locale: Locale): Promise<Reply | undefined> {
      const allowed = may(member.role, "see_reports");
      await audit(member, "console_questions", undefined, allowed);
      if (!allowed) return undefined;
      return await questionsReport(options.knowledge, { locale, timeZone: options.timeZone, safety: options.safety });
    },

    /** Whether the member may see appointments (counsellors their own; supervisors and admins everyone's). */
    mayUseAppointments: (member: StaffMember) => may(member.role, "see_day_list"),

    /**
     * Monday to Friday of the week starting `monday`: each day's appointments (a counsellor's own; everyone's for
     * supervisors and admins) and whether it is a public holiday. Undefined (audited) when not allowed.
     */
    async appointmentsWeek(
      member: StaffMember,
      monday: CalendarDate,
      filter: { counsellorId?: number; site?: string } = {},
    ): Promise<AppointmentDay[] | undefined> {
      const allowed = may(member.role, "see_day_list");
      await audit(member, "console_appointments", undefined, allowed);
      if (!allowed) return undefined;
      const everyone = may(member.role, "mark_any_appointment");
      const counsellors = (await options.booking.activeCounsellors())
        .filter((c) => everyone || c.telegramUserId === member.telegramUserId)
        .filter((c) => filter.counsellorId === undefined || c.telegramUserId === filter.counsellorId);
      const days: AppointmentDay[] = [];
      for (const offset of [0, 1, 2, 3, 4]) {
        const date = addDays(monday, offset);
        const from = instantAt(date, 0, options.timeZone);
        const to = instantAt(addDays(date, 1), 0, options.timeZone);
        const items: AppointmentDay["items"] = [];
        for (const c of counsellors) {
          for (const a of await options.booking.forCounsellor(c.telegramUserId, from, to))
            if (filter.site === undefined || a.site === filter.site)
              items.push({ ...a, counsellorName: c.displayName });
        }
        items.sort((a, b) => a.startsAt - b.startsAt);
        days.push({ date, holiday: options.holidays.includes(toIsoDate(date)), items });
      }
      return days;
    },

    /** The counsellors whose appointments the member may see (for the week view's filter). */
    appointmentCounsellors: async (member: StaffMember) =>
      (await options.booking.activeCounsellors())
        .filter((c) => may(member.role, "mark_any_appointment") || c.telegramUserId === member.telegramUserId)
        .map((c) => ({ id: c.telegramUserId, name: c.displayName })),

    /** Attended or no-show on an appointment, exactly as the counsellor's button in the bot does it. */
    async markAppointment(member: StaffMember, appointmentId: number, verb: string): Promise<ActionResult> {
      if (verb !== "attended" && verb !== "no_show") return { ok: false, reason: "casework.not_allowed" };
      const outcome = await options.bookingDesk.press(member.telegramUserId, verb, appointmentId);
      return outcome.notice.key.startsWith("booking.marked_")
        ? { ok: true, outboxIds: [], notice: outcome.notice }
        : { ok: false, reason: outcome.notice.key };
    },

    /** Whether the member may mark services as checked. */
    mayCheckServices: (member: StaffMember) => may(member.role, "check_services"),

    /** Staff a supervisor may give a case to. */
    caseworkers: async () => [
      ...(await staff.withRole("caseworker")),
      ...(await staff.withRole("supervisor")),
      ...(await staff.withRole("admin")),
    ],

    /**
     * Asks the staff member in Telegram to approve a console login from `browser`; returns outbox ids to send now.
     */
    async askApproval(loginId: number, staffId: number, browser: string): Promise<number[]> {
      const reply: Reply = {
        text: [text("console.approve_question", { browser })],
        buttons: [
          [
            { label: text("console.approve_yes"), data: `${CALLBACK_PREFIXES.console}:${loginId}:y` },
            { label: text("console.approve_no"), data: `${CALLBACK_PREFIXES.console}:${loginId}:n` },
          ],
        ],
      };
      return await queueReply(options.outbox, options.translator, {
        chatId: staffId,
        dedupeKey: `console-login:${loginId}`,
        reply,
        locale: options.staffLocale,
        purpose: "notice",
      });
    },
  };
}
