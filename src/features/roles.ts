/**
 * Staff roles and what each may do. Every staff action asks {@link may} first; a refusal is recorded in the audit
 * table by the caller.
 */
/** A "content" member looks after what residents read and hear: recordings, and words taught to the search. */
export const ROLES = ["counsellor", "caseworker", "content", "supervisor", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Things staff do through the bot. */
export type StaffAction =
  | "claim"
  | "resolve_own"
  | "resolve_any"
  | "relay"
  | "invite"
  | "see_cases"
  | "see_reports"
  | "see_day_list"
  | "mark_own_appointment"
  | "mark_any_appointment"
  | "teach_search"
  | "review_wording"
  | "use_console"
  | "manage_hours"
  | "see_staff"
  | "manage_staff"
  | "check_services"
  | "see_results"
  | "record_activities"
  | "manage_recordings";

const ALLOWED: Record<StaffAction, readonly Role[]> = {
  claim: ["caseworker", "supervisor", "admin"],
  resolve_own: ["caseworker", "supervisor", "admin"],
  resolve_any: ["supervisor", "admin"],
  relay: ["caseworker", "supervisor", "admin"],
  invite: ["admin"],
  see_cases: ["caseworker", "supervisor", "admin"],
  /** /questions and /sessions in the staff chat: registered staff only (the questions are residents' own words). */
  see_reports: ["counsellor", "caseworker", "content", "supervisor", "admin"],
  /** /today: a counsellor's own appointments (supervisors and admins see theirs, if any, and unmarked ones). */
  see_day_list: ["counsellor", "supervisor", "admin"],
  /** Attended / no-show / phone on an appointment with oneself. */
  mark_own_appointment: ["counsellor", "supervisor", "admin"],
  /** The same on anyone's appointment. */
  mark_any_appointment: ["supervisor", "admin"],
  /** /teach: propose words that should lead to an article (any registered staff member who reads /questions). */
  teach_search: ["counsellor", "caseworker", "content", "supervisor", "admin"],
  /** ✅ / ❌ on someone else's proposed wording, and /unteach. */
  review_wording: ["content", "supervisor", "admin"],
  /** /console: a login link to the staff console (each page then checks its own action). */
  use_console: ["counsellor", "caseworker", "content", "supervisor", "admin"],
  /** Any counsellor's weekly hours in the console (a counsellor may always set their own). */
  manage_hours: ["supervisor", "admin"],
  /** The console's staff page and audit log. */
  see_staff: ["supervisor", "admin"],
  /** Changing a member's role or removing them from the roster (invites are `invite`). */
  manage_staff: ["admin"],
  /** "Checked today by phone" on a service in the console's directory. */
  check_services: ["caseworker", "supervisor", "admin"],
  /** The console's programme results, exports and CIP report (counts only, suppressed): programme staff. */
  see_results: ["supervisor", "admin"],
  /** Recording a group activity (a session in a room) in the console: anyone who runs one. */
  record_activities: ["counsellor", "caseworker", "supervisor", "admin"],
  /** Attaching a voice recording to an article or key screen (/recording), removing one, the console's list. */
  manage_recordings: ["content", "supervisor", "admin"],
};

/** Whether a role may do an action; no role (not staff, or inactive) may do nothing. */
export function may(role: Role | undefined, action: StaffAction): boolean {
  return role !== undefined && ALLOWED[action].includes(role);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
