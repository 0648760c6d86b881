/** The roster, invites and the audit log. */
import { ROLES } from "../../features/roles.ts";
import type { AuditLine } from "../../console/desk.ts";
import { caseNumber } from "../../referrals/store.ts";
import type { StaffMember } from "../../staff/store.ts";
import { html } from "./html.ts";
import { actionCard, hidden, layout, type PageContext, t, when } from "./layout.ts";

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
