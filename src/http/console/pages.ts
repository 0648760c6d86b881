/**
 * The console's pages, rendered on the server from the console desk's views: plain HTML forms that work without
 * JavaScript, Khmer first, readable on a 360 px phone. Text comes from locales/<lang>/console.json.
 */
import type { Locale } from "../../base/locale.ts";
import type { Reply, TextParam } from "../../base/reply.ts";
import { localDigits } from "../../khmer/digits.ts";
import type {
  AppointmentDay,
  AuditLine,
  CaseView,
  CounsellorHours,
  ServiceLine,
  TimelineEntry,
} from "../../console/desk.ts";
import { appointmentRef } from "../../booking/desk.ts";
import { SITES } from "../../booking/model.ts";
import { type CalendarDate, toIsoDate } from "../../base/calendar-date.ts";
import { localTime } from "../../base/local-time.ts";
import { ROLES } from "../../features/roles.ts";
import type { Translator } from "../../i18n/translator.ts";
import { type ContactPreference, OUTCOMES, type Referral, caseNumber } from "../../referrals/store.ts";
import type { StaffMember } from "../../staff/store.ts";
import { type Html, html } from "./html.ts";

export interface PageContext {
  locale: Locale;
  translator: Translator;
  timeZone: string;
  now: number;
  /** The signed-in member and the session's CSRF token; absent on login pages. */
  member?: StaffMember;
  csrf?: string;
  /** Whether the header links the hours page (supervisors, admins and counsellors). */
  showHours?: boolean;
  /** Whether the header links the appointments page (counsellors, supervisors and admins). */
  showAppointments?: boolean;
  /** Whether the header links the staff page (supervisors and admins). */
  showStaff?: boolean;
}

/** Renders a text key (console.* unless the key has a dot) in the page's language. */
export function t(ctx: PageContext, key: string, params?: Record<string, TextParam>): string {
  const full = key.includes(".") ? key : `console.${key}`;
  return ctx.translator.render(ctx.locale, params ? { key: full, params } : { key: full });
}

const STYLE = `
:root{--ink:#1b1b1b;--muted:#555;--line:#ccc;--accent:#0b5394;--urgent:#a40000;--bg:#fafafa}
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 "Noto Sans Khmer","Khmer OS","Khmer OS System",system-ui,sans-serif;color:var(--ink);
background:var(--bg)}
a{color:var(--accent)}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
header{background:#fff;border-bottom:1px solid var(--line);padding:8px 12px;display:flex;flex-wrap:wrap;gap:8px 16px;
align-items:center}
header .brand{font-weight:700;margin-right:auto}
header form{display:inline}
main{max-width:960px;margin:0 auto;padding:12px}
h1{font-size:1.35rem;margin:.4rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{font-size:.85rem;color:var(--muted);font-weight:600}
.urgent{color:var(--urgent);font-weight:700}
.notice{background:#e8f0fe;border:1px solid #aac4f0;padding:8px 12px;margin:0 0 12px}
.card{background:#fff;border:1px solid var(--line);padding:12px;margin:0 0 12px}
a.button{display:inline-block;text-decoration:none}
button,.button{font:inherit;min-height:44px;padding:8px 14px;border:1px solid var(--accent);background:var(--accent);
color:#fff;border-radius:4px;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}
select,textarea,input{font:inherit;width:100%;max-width:32rem;padding:6px;border:1px solid #888;border-radius:4px}
input[type=checkbox]{width:auto;min-width:1.4rem;min-height:1.4rem;margin:0 .5rem 0 0;vertical-align:middle}
ol.timeline{padding-left:1.2rem}ol.timeline li{margin:0 0 .6rem}
.meta{color:var(--muted);font-size:.9rem}
.report p{white-space:pre-line;background:#fff;border-bottom:1px solid var(--line);margin:0;padding:8px 12px}
@media (max-width:600px){
 table.queue thead{display:none}
 table.queue tr{display:block;border-bottom:2px solid var(--line);padding:6px 0}
 table.queue td{display:block;border:0;padding:2px 8px}
 table.queue td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:.85rem}
}`;

/** The stylesheet, served at /console/style.css (a file, so that the CSP needs no inline styles). */
export const CONSOLE_CSS = STYLE;

/** The page around `body`: header with who is signed in, language switch and log-out buttons. */
export function layout(ctx: PageContext, title: string, body: Html): string {
  const member = ctx.member;
  return html`<!doctype html>
    <html lang="${ctx.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} · ${t(ctx, "title")}</title>
        <link rel="stylesheet" href="/console/style.css" />
      </head>
      <body>
        <a class="skip" href="#main">${t(ctx, "skip")}</a>
        <header>
          <span class="brand">${t(ctx, "title")}</span>
          ${member ? html`<a href="/console">${t(ctx, "nav_queue")}</a>` : ""}
          ${ctx.showAppointments ? html`<a href="/console/appointments">${t(ctx, "nav_appointments")}</a>` : ""}
          ${ctx.showHours ? html`<a href="/console/hours">${t(ctx, "nav_hours")}</a>` : ""}
          ${ctx.showStaff ? html`<a href="/console/staff">${t(ctx, "nav_staff")}</a>` : ""}
          ${member ? html`<a href="/console/services">${t(ctx, "nav_services")}</a>` : ""}
          ${member ? html`<a href="/console/questions">${t(ctx, "nav_questions")}</a>` : ""}
          <a
            href="/console/language?to=${ctx.locale === "km" ? "en" : "km"}"
            lang="${ctx.locale === "km" ? "en" : "km"}"
            >${t(ctx, "language")}</a
          >
          ${
            member && ctx.csrf
              ? html`<span
                    >${t(ctx, "signed_in_as", {
                      name: member.displayName,
                      role: { key: `casework.role_${member.role}` },
                    })}</span
                  >
                  <form method="post" action="/console/logout">
                    <input type="hidden" name="_csrf" value="${ctx.csrf}" />
                    <button class="secondary">${t(ctx, "nav_logout")}</button>
                  </form>
                  <form method="post" action="/console/logout-all">
                    <input type="hidden" name="_csrf" value="${ctx.csrf}" />
                    <button class="secondary">${t(ctx, "nav_logout_all")}</button>
                  </form>`
              : ""
          }
        </header>
        <main id="main">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`.value;
}

/**
 * A page with one message (login states, refusals, errors), and optionally a link onwards. The login's waiting page
 * uses the link rather than refreshing itself: a page that reloads on a timer is hard to use with a screen reader
 * (axe-core's meta-refresh rule), and the console runs no script.
 */
export function messagePage(
  ctx: PageContext,
  title: string,
  message: string,
  next?: { href: string; label: string },
): string {
  return layout(
    ctx,
    title,
    html`<p class="notice" role="status">${message}</p>
      ${next ? html`<p><a class="button" href="${next.href}">${next.label}</a></p>` : ""}`,
  );
}

/** How long ago, in minutes, hours or days, with the page's digits. */
function waited(ctx: PageContext, since: number): string {
  const minutes = Math.max(0, Math.floor((ctx.now - since) / 60_000));
  const n = (v: number) => localDigits(ctx.locale, v);
  if (minutes < 60) return t(ctx, "minutes", { n: n(minutes) });
  if (minutes < 48 * 60) return t(ctx, "hours", { n: n(Math.floor(minutes / 60)), m: n(minutes % 60) });
  return t(ctx, "days", { n: n(Math.floor(minutes / 1440)) });
}

/** A date and time in the programme's time zone, with the page's digits. */
export function when(ctx: PageContext, at: number): string {
  const formatted = new Intl.DateTimeFormat(ctx.locale === "km" ? "km-KH" : "en-GB", {
    timeZone: ctx.timeZone,
    day: "numeric",
    month: "numeric",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(at));
  return localDigits(ctx.locale, formatted);
}

function district(ctx: PageContext, r: Referral): string {
  return r.district ? t(ctx, `help.district_${r.district}`) : t(ctx, "casework.district_unknown");
}

function queueTable(ctx: PageContext, rows: Referral[], contactOf: (id: number) => string): Html {
  if (rows.length === 0) return html`<p>${t(ctx, "queue_empty")}</p>`;
  return html`<table class="queue">
    <thead>
      <tr>
        <th scope="col">${t(ctx, "col_case")}</th>
        <th scope="col">${t(ctx, "col_waited")}</th>
        <th scope="col">${t(ctx, "col_urgency")}</th>
        <th scope="col">${t(ctx, "col_category")}</th>
        <th scope="col">${t(ctx, "col_district")}</th>
        <th scope="col">${t(ctx, "col_contact")}</th>
        <th scope="col">${t(ctx, "col_status")}</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            <td data-label="${t(ctx, "col_case")}"><a href="/console/cases/${r.id}">${caseNumber(r.id)}</a></td>
            <td data-label="${t(ctx, "col_waited")}">${waited(ctx, r.createdAt)}</td>
            <td data-label="${t(ctx, "col_urgency")}" class="${r.urgency === "urgent" ? "urgent" : ""}">
              ${t(ctx, `casework.urgency_${r.urgency}`)}
            </td>
            <td data-label="${t(ctx, "col_category")}">${t(ctx, `help.category_${r.category}`)}</td>
            <td data-label="${t(ctx, "col_district")}">${district(ctx, r)}</td>
            <td data-label="${t(ctx, "col_contact")}">${contactOf(r.id)}</td>
            <td data-label="${t(ctx, "col_status")}">${t(ctx, `status_${r.status}`)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The referrals queue: waiting (oldest first), in progress, closed lately. */
export function queuePage(
  ctx: PageContext,
  queue: { open: Referral[]; active: Referral[]; closed: Referral[] },
  contactOf: (id: number) => string,
  notice?: string,
): string {
  return layout(
    ctx,
    t(ctx, "nav_queue"),
    html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
      <h2>${t(ctx, "queue_open")}</h2>
      ${queueTable(ctx, queue.open, contactOf)}
      <h2>${t(ctx, "queue_active")}</h2>
      ${queueTable(ctx, queue.active, contactOf)}
      <h2>${t(ctx, "queue_closed")}</h2>
      ${queueTable(ctx, queue.closed, contactOf)}`,
  );
}

function timelineItem(ctx: PageContext, entry: TimelineEntry): Html {
  const at = html`<span class="meta">${when(ctx, entry.at)}</span>`;
  switch (entry.kind) {
    case "status":
      return html`<li>
        ${at} —
        ${t(ctx, `status_${entry.status}`)}${
          entry.by ? html` <span class="meta">(${t(ctx, "timeline_by", { name: entry.by })})</span>` : ""
        }
      </li>`;
    case "note":
      return html`<li>
        ${at} —
        ${t(ctx, "timeline_note", { name: entry.by ?? t(ctx, "someone") })}${
          entry.text !== null ? html`<br />${entry.text}` : ""
        }
      </li>`;
    case "message":
      return html`<li>
        ${at} —
        ${t(ctx, entry.direction === "to_resident" ? "timeline_to_resident" : "timeline_from_resident", {
          what: entry.what,
        })}${entry.text !== null ? html`<br />${entry.text}` : ""}
      </li>`;
  }
}

/** A card with a heading and one form POSTed to `action`: its fields, the CSRF token and a submit button. */
function actionCard(
  ctx: PageContext,
  id: string,
  action: string,
  title: string,
  button: string,
  fields: Html,
  titleParams?: Record<string, TextParam>,
): Html {
  return html`<section class="card" aria-labelledby="${id}">
    <h2 id="${id}">${t(ctx, title, titleParams)}</h2>
    <form method="post" action="${action}">
      ${hidden(ctx)} ${fields}
      <p><button>${t(ctx, button)}</button></p>
    </form>
  </section>`;
}

function hidden(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf ?? ""}" />`;
}

/** One case: facts, contact (behind an audited button), actions the member may take, and the timeline. */
export function casePage(
  ctx: PageContext,
  view: CaseView,
  extras: {
    contactSummary: string;
    contact?: ContactPreference | "gone";
    notice?: string;
    services: { id: string; name: string }[];
    caseworkers: StaffMember[];
  },
): string {
  const r = view.referral;
  const action = (verb: string) => `/console/cases/${r.id}/${verb}`;
  const contact =
    extras.contact === undefined
      ? view.may.reveal
        ? html`<p>${t(ctx, "case_contact_hidden")}</p>
            <form method="post" action="${action("contact")}">
              ${hidden(ctx)}<button>${t(ctx, "case_reveal")}</button>
            </form>`
        : html`<p>${t(ctx, "case_contact_hidden")}</p>`
      : extras.contact === "gone"
        ? html`<p>${t(ctx, "case_contact_gone")}</p>`
        : html`<p>
            ${
              extras.contact.phone
                ? t(ctx, "case_contact_phone", { how: extras.contactSummary, phone: extras.contact.phone })
                : t(ctx, "case_contact_chat", { how: extras.contactSummary })
            }
          </p>`;
  const outcomeOptions = OUTCOMES.filter((o) => o !== "closed_by_resident").map(
    (o) => html`<option value="${o}">${t(ctx, `outcome_${o}`)}</option>`,
  );
  return layout(
    ctx,
    t(ctx, "case_title", { case: caseNumber(r.id) }),
    html`${extras.notice ? html`<p class="notice" role="status">${extras.notice}</p>` : ""}
      <p><a href="/console">${t(ctx, "case_back")}</a></p>
      <section class="card" aria-labelledby="facts">
        <h2 id="facts">${t(ctx, "case_facts")}</h2>
        <p>
          <span class="${r.urgency === "urgent" ? "urgent" : ""}">${t(ctx, `casework.urgency_${r.urgency}`)}</span> ·
          ${t(ctx, `help.category_${r.category}`)} · ${district(ctx, r)} · ${t(ctx, `status_${r.status}`)}
        </p>
        <p>${t(ctx, "case_opened", { at: when(ctx, r.createdAt) })}</p>
        <p>${view.assignedName ? t(ctx, "case_caseworker", { name: view.assignedName }) : t(ctx, "case_nobody")}</p>
        ${
          view.outcome
            ? html`<p>
                ${t(ctx, "case_outcome_recorded", { outcome: { key: `console.outcome_${view.outcome.outcome}` } })}${
                  view.outcome.serviceId ? ` (${view.outcome.serviceId})` : ""
                }
              </p>`
            : ""
        }
      </section>
      <section class="card" aria-labelledby="contact">
        <h2 id="contact">${t(ctx, "case_contact")}</h2>
        <p>${extras.contactSummary}</p>
        ${contact}
      </section>
      ${
        view.may.claim
          ? html`<form method="post" action="${action("claim")}">
              ${hidden(ctx)}<button>${t(ctx, "case_claim")}</button>
            </form>`
          : ""
      }
      ${
        view.may.close
          ? actionCard(
              ctx,
              "close",
              action("close"),
              "case_close",
              "case_close_button",
              html` <label for="outcome">${t(ctx, "case_outcome")}</label>
                <select id="outcome" name="outcome" required>
                  <option value=""></option>
                  ${outcomeOptions}
                </select>
                <label for="service">${t(ctx, "case_outcome_service")}</label>
                <select id="service" name="service">
                  <option value=""></option>
                  ${extras.services.map((s) => html`<option value="${s.id}">${s.name}</option>`)}
                </select>`,
            )
          : ""
      }
      ${
        view.may.reassign
          ? actionCard(
              ctx,
              "reassign",
              action("reassign"),
              "case_reassign",
              "case_reassign_button",
              html` <label for="to">${t(ctx, "case_reassign")}</label>
                <select id="to" name="to">
                  ${extras.caseworkers.map((m) => html`<option value="${m.telegramUserId}">${m.displayName}</option>`)}
                </select>`,
            )
          : ""
      }
      ${
        view.may.note
          ? actionCard(
              ctx,
              "note",
              action("note"),
              "case_note",
              "case_note_button",
              html` <label for="note-text">${t(ctx, "case_note")}</label>
                <p class="meta" id="note-hint">${t(ctx, "case_note_hint")}</p>
                <textarea
                  id="note-text"
                  name="note"
                  rows="3"
                  maxlength="2000"
                  aria-describedby="note-hint"
                  required
                ></textarea>`,
            )
          : ""
      }
      <section aria-labelledby="timeline">
        <h2 id="timeline">${t(ctx, "case_timeline")}</h2>
        ${view.contentHidden ? html`<p class="meta">${t(ctx, "case_content_hidden")}</p>` : ""}
        ${
          view.timeline.length === 0
            ? html`<p>${t(ctx, "case_timeline_empty")}</p>`
            : html`<ol class="timeline">
                ${view.timeline.map((e) => timelineItem(ctx, e))}
              </ol>`
        }
      </section>`,
  );
}

/**
 * Counsellors' weekly hours, one form each. `failed` re-shows what was typed for one counsellor, with the error.
 */
export function hoursPage(
  ctx: PageContext,
  counsellors: CounsellorHours[],
  notice?: string,
  failed?: { counsellorId: number; typed: string },
): string {
  const forms = counsellors.map((c) => {
    const id = c.member.telegramUserId;
    const typed = failed?.counsellorId === id ? failed.typed : c.hours;
    return html`${actionCard(
      ctx,
      `hours-${id}`,
      `/console/hours/${id}`,
      "hours_of",
      "hours_save",
      html`<label for="spec-${id}">${t(ctx, "hours_of", { name: c.member.displayName })}</label>
        <input id="spec-${id}" name="hours" value="${typed}" aria-describedby="hours-help" required />
        <label
          ><input type="checkbox" name="takes_bookings" value="yes" ${c.takesBookings ? html`checked` : ""} />
          ${t(ctx, "hours_takes_bookings")}</label
        >`,
      { name: c.member.displayName },
    )}
    ${timeOffCard(ctx, c)}`;
  });
  return layout(
    ctx,
    t(ctx, "nav_hours"),
    html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
      <p class="meta" id="hours-help">${t(ctx, "hours_help")}</p>
      ${forms.length > 0 ? forms : html`<p>${t(ctx, "hours_none")}</p>`}`,
  );
}

/** The roster (admins change roles and remove people), invites (admins), and the audit log. */
export function staffPage(
  ctx: PageContext,
  page: { members: StaffMember[]; audit: AuditLine[] },
  manage: boolean,
  shown?: { notice?: string; code?: { role: string; code: string } },
): string {
  const roleOptions = (selected?: string) =>
    ROLES.map(
      (r) =>
        html`<option value="${r}" ${r === selected ? html`selected` : ""}>${t(ctx, `casework.role_${r}`)}</option>`,
    );
  const memberRow = (m: StaffMember) =>
    html`<tr>
      <td data-label="${t(ctx, "col_name")}">${m.displayName}</td>
      <td data-label="${t(ctx, "col_role")}">${t(ctx, `casework.role_${m.role}`)}</td>
      ${
        manage && m.telegramUserId !== ctx.member?.telegramUserId
          ? html`<td>
              <form method="post" action="/console/staff/${m.telegramUserId}">
                ${hidden(ctx)}
                <label for="change-${m.telegramUserId}">${t(ctx, "staff_change")} (${m.displayName})</label>
                <select id="change-${m.telegramUserId}" name="change">
                  ${roleOptions(m.role)}
                  <option value="remove">${t(ctx, "staff_remove")}</option>
                </select>
                <button class="secondary">${t(ctx, "staff_apply")}</button>
              </form>
            </td>`
          : manage
            ? html`<td></td>`
            : ""
      }
    </tr>`;
  const auditRow = (a: AuditLine) =>
    html`<tr>
      <td data-label="${t(ctx, "col_when")}">${when(ctx, a.at)}</td>
      <td data-label="${t(ctx, "col_who")}">${a.who ?? t(ctx, "not_on_roster")}</td>
      <td data-label="${t(ctx, "col_action")}">
        ${
          ctx.translator.has(ctx.locale, `console.audit_${a.action}`)
            ? t(ctx, `audit_${a.action}`)
            : html`<code>${a.action}</code>`
        }
      </td>
      <td data-label="${t(ctx, "col_case")}">${a.referralId === null ? "" : caseNumber(a.referralId)}</td>
      <td data-label="${t(ctx, "col_result")}">${t(ctx, a.allowed ? "audit_allowed" : "audit_refused")}</td>
    </tr>`;
  return layout(
    ctx,
    t(ctx, "nav_staff"),
    html`${shown?.notice ? html`<p class="notice" role="status">${shown.notice}</p>` : ""}
      ${
        shown?.code
          ? html`<p class="notice" role="status">
              ${t(ctx, "staff_invite_code", {
                role: { key: `casework.role_${shown.code.role}` },
                code: shown.code.code,
              })}
            </p>`
          : ""
      }
      <h2>${t(ctx, "staff_members")}</h2>
      <table class="queue">
        <thead>
          <tr>
            <th scope="col">${t(ctx, "col_name")}</th>
            <th scope="col">${t(ctx, "col_role")}</th>
            ${manage ? html`<th scope="col">${t(ctx, "staff_change")}</th>` : ""}
          </tr>
        </thead>
        <tbody>
          ${page.members.map(memberRow)}
        </tbody>
      </table>
      ${
        manage
          ? actionCard(
              ctx,
              "invite",
              "/console/staff/invite",
              "staff_invite",
              "staff_invite_button",
              html`<label for="invite-role">${t(ctx, "col_role")}</label>
                <select id="invite-role" name="role">
                  ${roleOptions()}
                </select>`,
            )
          : ""
      }
      <h2>${t(ctx, "staff_audit")}</h2>
      <table class="queue">
        <thead>
          <tr>
            <th scope="col">${t(ctx, "col_when")}</th>
            <th scope="col">${t(ctx, "col_who")}</th>
            <th scope="col">${t(ctx, "col_action")}</th>
            <th scope="col">${t(ctx, "col_case")}</th>
            <th scope="col">${t(ctx, "col_result")}</th>
          </tr>
        </thead>
        <tbody>
          ${page.audit.map(auditRow)}
        </tbody>
      </table>`,
  );
}

/** The service directory: numbers, sources, checks, a stale flag, and "Checked today" for those who may. */
export function servicesPage(ctx: PageContext, services: ServiceLine[], mayCheck: boolean, notice?: string): string {
  const day = (iso: string) => localDigits(ctx.locale, iso.split("-").reverse().join("/"));
  const row = (s: ServiceLine) =>
    html`<tr>
      <td data-label="${t(ctx, "col_service")}">${t(ctx, `directory.${s.id}.name`)}</td>
      <td data-label="${t(ctx, "col_phones")}">${s.phones.join(", ")}</td>
      <td data-label="${t(ctx, "col_source")}">
        <a href="${s.source.url}" rel="noopener noreferrer">${s.source.title}</a>
        (${s.source.year === null ? t(ctx, "source_year_unknown") : localDigits(ctx.locale, s.source.year)})
      </td>
      <td data-label="${t(ctx, "col_checked")}">${day(s.lastChecked)}</td>
      <td data-label="${t(ctx, "col_confirmed")}">
        ${
          s.confirmed
            ? s.confirmed.by
              ? t(ctx, "service_confirmed_by", { at: day(s.confirmed.at), name: s.confirmed.by })
              : day(s.confirmed.at)
            : t(ctx, "service_never")
        }
      </td>
      <td data-label="${t(ctx, "col_state")}" class="${s.stale ? "urgent" : ""}">
        ${t(ctx, s.stale ? "service_stale" : "service_fresh")}
        ${
          mayCheck
            ? html`<form method="post" action="/console/services/${s.id}/checked">
                ${hidden(ctx)}
                <button class="secondary" aria-label="${t(ctx, "service_check")}: ${t(ctx, `directory.${s.id}.name`)}">
                  ${t(ctx, "service_check")}
                </button>
              </form>`
            : ""
        }
      </td>
    </tr>`;
  return layout(
    ctx,
    t(ctx, "nav_services"),
    html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
      <p class="meta">${t(ctx, "services_intro")}</p>
      <table class="queue">
        <thead>
          <tr>
            <th scope="col">${t(ctx, "col_service")}</th>
            <th scope="col">${t(ctx, "col_phones")}</th>
            <th scope="col">${t(ctx, "col_source")}</th>
            <th scope="col">${t(ctx, "col_checked")}</th>
            <th scope="col">${t(ctx, "col_confirmed")}</th>
            <th scope="col">${t(ctx, "col_state")}</th>
          </tr>
        </thead>
        <tbody>
          ${services.map(row)}
        </tbody>
      </table>`,
  );
}

/** The questions report (the same as /questions in the staff chat), one paragraph per part. */
export function questionsPage(ctx: PageContext, report: Reply): string {
  return layout(
    ctx,
    t(ctx, "nav_questions"),
    html`<div class="report">
      ${report.text.map((part) => html`<p>${ctx.translator.render(ctx.locale, part)}</p>`)}
    </div>`,
  );
}

/** Monday to Friday of a week: each day's appointments with attendance buttons once a session has begun. */
export function appointmentsPage(
  ctx: PageContext,
  monday: CalendarDate,
  days: AppointmentDay[],
  links: { previous: string; next: string },
  filter: { counsellors: { id: number; name: string }[]; counsellorId?: number; site?: string },
  notice?: string,
): string {
  // A GET form: the filter is in the URL (counsellor ids and place names only), so a view can be bookmarked.
  const filterForm = html`<form method="get" action="/console/appointments">
    <input type="hidden" name="week" value="${toIsoDate(monday)}" />
    <label for="filter-counsellor">${t(ctx, "filter_counsellor")}</label>
    <select id="filter-counsellor" name="counsellor">
      <option value="">${t(ctx, "filter_all")}</option>
      ${filter.counsellors.map(
        (c) => html`<option value="${c.id}" ${c.id === filter.counsellorId ? html`selected` : ""}>${c.name}</option>`,
      )}
    </select>
    <label for="filter-site">${t(ctx, "filter_site")}</label>
    <select id="filter-site" name="site">
      <option value="">${t(ctx, "filter_all")}</option>
      ${SITES.map(
        (site) =>
          html`<option value="${site}" ${site === filter.site ? html`selected` : ""}>
            ${t(ctx, `booking.site_${site}`)}
          </option>`,
      )}
    </select>
    <p><button class="secondary">${t(ctx, "filter_show")}</button></p>
  </form>`;
  const dayTitle = (date: CalendarDate) =>
    localDigits(
      ctx.locale,
      new Intl.DateTimeFormat(ctx.locale === "km" ? "km-KH" : "en-GB", {
        timeZone: "UTC",
        weekday: "long",
        day: "numeric",
        month: "numeric",
      }).format(new Date(`${toIsoDate(date)}T12:00:00Z`)),
    );
  const clock = (at: number) => {
    const minute = localTime(at, ctx.timeZone).minute;
    return localDigits(
      ctx.locale,
      `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`,
    );
  };
  const row = (a: AppointmentDay["items"][number]) =>
    html`<tr>
      <td data-label="${t(ctx, "col_time")}">${clock(a.startsAt)}–${clock(a.endsAt)}</td>
      <td data-label="${t(ctx, "col_counsellor")}">${a.counsellorName}</td>
      <td data-label="${t(ctx, "col_place")}">${t(ctx, `booking.site_${a.site}`)}</td>
      <td data-label="${t(ctx, "col_topic")}">${t(ctx, `booking.topic_${a.topic}`)}</td>
      <td data-label="${t(ctx, "col_ref")}">${appointmentRef(a.id)}</td>
      <td data-label="${t(ctx, "col_attendance")}">
        ${t(ctx, `appt_${a.status}`)}
        ${
          a.status === "booked" && a.startsAt <= ctx.now
            ? html`<form method="post" action="/console/appointments/${a.id}/mark">
                ${hidden(ctx)}
                <button name="verb" value="attended" aria-label="${t(ctx, "mark_attended")}: ${appointmentRef(a.id)}">
                  ${t(ctx, "mark_attended")}
                </button>
                <button
                  class="secondary"
                  name="verb"
                  value="no_show"
                  aria-label="${t(ctx, "mark_no_show")}: ${appointmentRef(a.id)}"
                >
                  ${t(ctx, "mark_no_show")}
                </button>
              </form>`
            : ""
        }
      </td>
    </tr>`;
  const day = (d: AppointmentDay) =>
    html`<h2>${dayTitle(d.date)}</h2>
      ${d.holiday ? html`<p class="notice">${t(ctx, "day_holiday")}</p>` : ""}
      ${
        d.items.length === 0
          ? html`<p>${t(ctx, "day_empty")}</p>`
          : html`<table class="queue">
              <thead>
                <tr>
                  <th scope="col">${t(ctx, "col_time")}</th>
                  <th scope="col">${t(ctx, "col_counsellor")}</th>
                  <th scope="col">${t(ctx, "col_place")}</th>
                  <th scope="col">${t(ctx, "col_topic")}</th>
                  <th scope="col">${t(ctx, "col_ref")}</th>
                  <th scope="col">${t(ctx, "col_attendance")}</th>
                </tr>
              </thead>
              <tbody>
                ${d.items.map(row)}
              </tbody>
            </table>`
      }`;
  return layout(
    ctx,
    t(ctx, "week_of", { date: dayTitle(monday) }),
    html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
      <p><a href="${links.previous}">${t(ctx, "prev_week")}</a> · <a href="${links.next}">${t(ctx, "next_week")}</a></p>
      ${filterForm} ${days.map(day)}`,
  );
}

/** A counsellor's coming days off, each with a remove button, and a form to add a period. */
function timeOffCard(ctx: PageContext, c: CounsellorHours): Html {
  const id = c.member.telegramUserId;
  const day = (iso: string) => localDigits(ctx.locale, iso.split("-").reverse().join("/"));
  const periods =
    c.timeOff.length === 0
      ? html`<p>${t(ctx, "time_off_none")}</p>`
      : html`<ul>
          ${c.timeOff.map(
            (off) =>
              html`<li>
                ${day(off.from)} – ${day(off.to)}
                <form method="post" action="/console/hours/${id}/time-off/${off.id}/remove">
                  ${hidden(ctx)}
                  <button
                    class="secondary"
                    aria-label="${t(ctx, "time_off_remove")}: ${day(off.from)} – ${day(off.to)}"
                  >
                    ${t(ctx, "time_off_remove")}
                  </button>
                </form>
              </li>`,
          )}
        </ul>`;
  // Its own section, not actionCard: the remove buttons are forms of their own, and forms cannot nest.
  return html`<section class="card" aria-labelledby="time-off-${id}">
    <h2 id="time-off-${id}">${t(ctx, "time_off_of", { name: c.member.displayName })}</h2>
    ${periods}
    <form method="post" action="/console/hours/${id}/time-off">
      ${hidden(ctx)}
      <label for="off-from-${id}">${t(ctx, "time_off_from")}</label>
      <input id="off-from-${id}" name="from" type="date" required />
      <label for="off-to-${id}">${t(ctx, "time_off_to")}</label>
      <input id="off-to-${id}" name="to" type="date" required />
      <p><button>${t(ctx, "time_off_add")}</button></p>
    </form>
  </section>`;
}
