/**
 * The Commune Investment Plan (CIP) needs report: an overview of every sangkat of the three khans, and one page per
 * sangkat in Khmer that prints on one A4 sheet for the sangkat council's planning round. Counts only, suppressed.
 */
import { localDigits } from "../../khmer/digits.ts";
import type { Places } from "../../programme/definitions.ts";
import { type Month, monthKey, type ResultsPeriod } from "../../programme/indicators.ts";
import type { CipSangkat } from "../../programme/results.ts";
import type { ShownTable, ShownValue } from "../../programme/table.ts";
import { barChart } from "./charts.ts";
import { html } from "./html.ts";
import { layout, type PageContext, t } from "./layout.ts";
import { periodForm, periodQuery, shownTable, showValue } from "./results-pages.ts";

/** Every sangkat with its respondents, linking to its printable page. */
export function cipOverviewPage(
  ctx: PageContext,
  period: ResultsPeriod,
  sangkats: readonly CipSangkat[],
  byKhan: ShownTable,
  threshold: number,
  places: Places,
): string {
  const query = periodQuery(period);
  return layout(
    ctx,
    t(ctx, "results.cip_title"),
    html`${periodForm(ctx, "/console/cip", period)}
      <p>${t(ctx, "results.cip_intro")}</p>
      <p class="notice">${t(ctx, "results.suppression_note", { below: localDigits(ctx.locale, threshold) })}</p>
      <p class="no-print">
        <a class="button" href="/console/cip/export.csv?${query}">${t(ctx, "results.export_all_csv")}</a>
      </p>
      <h2>${byKhan.title}</h2>
      ${shownTable(ctx, byKhan)}
      <h2>${t(ctx, "results.cip_sangkats_heading")}</h2>
      <table class="queue">
        <thead>
          <tr>
            <th scope="col">${t(ctx, "results.col_khan")}</th>
            <th scope="col">${t(ctx, "results.col_sangkat")}</th>
            <th scope="col">${t(ctx, "results.col_respondents")}</th>
          </tr>
        </thead>
        <tbody>
          ${sangkats.map(
            (s) =>
              html`<tr>
                <td data-label="${t(ctx, "results.col_khan")}">${s.khanName}</td>
                <td data-label="${t(ctx, "results.col_sangkat")}">
                  <a href="/console/cip/${s.id}?${query}">${s.name}</a>
                </td>
                <td data-label="${t(ctx, "results.col_respondents")}">${showValue(ctx, threshold, s.respondents)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${sourcesLine(ctx, places)}`,
  );
}

/** One sangkat on one A4 page: needs (chart and table), meeting, women's share, the khan's referrals and questions. */
export function cipSangkatPage(
  ctx: PageContext,
  period: ResultsPeriod,
  s: CipSangkat,
  threshold: number,
  places: Places,
): string {
  const show = (v: ShownValue) => showValue(ctx, threshold, v);
  const from = localDigits(ctx.locale, monthKey(period.months[0] as Month));
  const to = localDigits(ctx.locale, monthKey(period.months.at(-1) as Month));
  const needs = s.needs.rowLabels.map((label, i) => ({ label, value: s.needs.rowTotals[i] as ShownValue }));
  return layout(
    ctx,
    t(ctx, "results.cip_sangkat_title", { sangkat: s.name, khan: s.khanName }),
    html`<div class="cip">
      <p class="no-print"><a href="/console/cip?${periodQuery(period)}">${t(ctx, "results.cip_back")}</a></p>
      <p>${t(ctx, "results.cip_period", { from, to })}</p>
      <p><strong>${t(ctx, "results.cip_respondents", { count: show(s.respondents) })}</strong></p>
      <h2>${s.needs.title}</h2>
      <div class="two">
        <div>${shownTable(ctx, s.needs)}</div>
        <div>${barChart(s.needs.title, needs, show)}</div>
      </div>
      <div class="two">
        <div>
          <h2>${s.meeting.title}</h2>
          ${shownTable(ctx, s.meeting)}
        </div>
        <div>
          <h2>${t(ctx, "results.cip_women_title")}</h2>
          <p>
            ${
              s.womenPercent === undefined
                ? t(ctx, "results.cip_women_unknown")
                : t(ctx, "results.cip_women", {
                    percent: localDigits(ctx.locale, s.womenPercent),
                    participants: show(s.participants),
                  })
            }
          </p>
        </div>
      </div>
      <h2>${t(ctx, "results.cip_khan_heading", { khan: s.khanName })}</h2>
      <div class="two">
        <div>${shownTable(ctx, s.referrals, s.referrals.title)}</div>
        <div>${shownTable(ctx, s.questions, s.questions.title)}</div>
      </div>
      <p class="meta">${t(ctx, "results.suppression_note", { below: localDigits(ctx.locale, threshold) })}</p>
      ${sourcesLine(ctx, places)}
    </div>`,
  );
}

function sourcesLine(ctx: PageContext, places: Places) {
  return html`<p class="meta">
    ${t(ctx, "results.sangkat_source", { checked: localDigits(ctx.locale, places.checked) })}
    ${places.sources.slice(0, 1).map((s) => html`<a href="${s.url}" rel="noopener noreferrer">${s.about}</a>`)}
  </p>`;
}
