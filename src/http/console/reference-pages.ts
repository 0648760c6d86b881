/** The service directory and the questions report. */
import type { Reply } from "../../base/reply.ts";
import { localDigits } from "../../khmer/digits.ts";
import type { ServiceLine } from "../../console/desk.ts";
import { html } from "./html.ts";
import { hidden, layout, type PageContext, t } from "./layout.ts";

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
