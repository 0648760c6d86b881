/** The referrals queue and a case's page. */
import { localDigits } from "../../khmer/digits.ts";
import type { CaseView, TimelineEntry } from "../../console/desk.ts";
import { type ContactPreference, OUTCOMES, type Referral, caseNumber } from "../../referrals/store.ts";
import type { StaffMember } from "../../staff/store.ts";
import { type Html, html } from "./html.ts";
import { actionCard, hidden, layout, type PageContext, t, when } from "./layout.ts";

/** How long ago, in minutes, hours or days, with the page's digits. */
function waited(ctx: PageContext, since: number): string {
  const minutes = Math.max(0, Math.floor((ctx.now - since) / 60_000));
  const n = (v: number) => localDigits(ctx.locale, v);
  if (minutes < 60) return t(ctx, "minutes", { n: n(minutes) });
  if (minutes < 48 * 60) return t(ctx, "hours", { n: n(Math.floor(minutes / 60)), m: n(minutes % 60) });
  return t(ctx, "days", { n: n(Math.floor(minutes / 1440)) });
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

/** One case: facts, contact (behind an audited button), actions the member may take, and the timeline. */
export function casePage(
  ctx: PageContext,
  view: CaseView,
  extras: {
    contactSummary: string;
    contact?: ContactPreference | "erased";
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
      : extras.contact === "erased"
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
