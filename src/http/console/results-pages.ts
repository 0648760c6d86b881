/**
 * The programme results page (each indicator: progress against its target, a chart by month, the table and its
 * definition) and the group-activities page (the short form staff fill in after a session in a room, and the latest
 * records). Every count on them has been through small-cell suppression already (programme/results.ts).
 */
import { localDigits } from "../../khmer/digits.ts";
import {
  ACTIVITY_KINDS,
  AGE_BANDS,
  type ActivityProblems,
  type ActivityRecord,
  participantTotal,
  SEXES,
} from "../../programme/activities.ts";
import { type Places, placeName } from "../../programme/definitions.ts";
import { type Month, monthKey, type ResultsPeriod } from "../../programme/indicators.ts";
import type { IndicatorView } from "../../programme/results.ts";
import type { ShownTable, ShownValue } from "../../programme/table.ts";
import { barChart } from "./charts.ts";
import { type Html, html } from "./html.ts";
import { hidden, layout, type PageContext, t } from "./layout.ts";

/** A shown value as text: the count in the page's digits, or the suppression mark. */
export function showValue(ctx: PageContext, threshold: number, value: ShownValue): string {
  if (value.kind === "count") return localDigits(ctx.locale, value.value.toLocaleString("en-US"));
  return value.reason === "small" ? `<${localDigits(ctx.locale, threshold)}` : "×";
}

/**
 * A suppressed table with its totals; wide tables scroll sideways on a phone instead of squeezing. A table of one
 * column has no totals column (each row's total is its one cell).
 */
export function shownTable(ctx: PageContext, table: ShownTable, caption?: string): Html {
  const show = (v: ShownValue) => showValue(ctx, table.threshold, v);
  const withTotals = table.columnLabels.length > 1;
  return html`<div class="scroll" role="region" aria-label="${table.title}" tabindex="0">
    <table class="figures">
      ${
        caption
          ? html`<caption>
              ${caption}
            </caption>`
          : ""
      }
      <thead>
        <tr>
          <th scope="col">${table.rowHeading}</th>
          ${table.columnLabels.map((c) => html`<th scope="col" class="num">${c}</th>`)}
          ${withTotals ? html`<th scope="col" class="num">${t(ctx, "results.total")}</th>` : ""}
        </tr>
      </thead>
      <tbody>
        ${table.rowLabels.map(
          (label, r) =>
            html`<tr>
              <th scope="row">${label}</th>
              ${(table.cells[r] ?? []).map((v) => html`<td class="num">${show(v)}</td>`)}
              ${withTotals ? html`<td class="num total">${show(table.rowTotals[r] as ShownValue)}</td>` : ""}
            </tr>`,
        )}
        <tr class="total">
          <th scope="row">${t(ctx, "results.total")}</th>
          ${table.columnTotals.map((v) => html`<td class="num">${show(v)}</td>`)}
          ${withTotals ? html`<td class="num">${show(table.grandTotal)}</td>` : ""}
        </tr>
      </tbody>
    </table>
  </div>`;
}

/** The GET form that chooses the period (months as YYYY-MM; <input type=month> where the browser has it). */
export function periodForm(ctx: PageContext, action: string, period: ResultsPeriod): Html {
  const first = monthKey(period.months[0] as Month);
  const last = monthKey(period.months.at(-1) as Month);
  return html`<form method="get" action="${action}" class="period no-print">
    <label for="from">${t(ctx, "results.from")}</label>
    <input id="from" name="from" type="month" value="${first}" pattern="\\d{4}-\\d{2}" />
    <label for="to">${t(ctx, "results.to")}</label>
    <input id="to" name="to" type="month" value="${last}" pattern="\\d{4}-\\d{2}" />
    <p><button>${t(ctx, "results.show")}</button></p>
  </form>`;
}

/** "?from=2026-01&to=2026-11" for links that keep the period. */
export function periodQuery(period: ResultsPeriod): string {
  return `from=${monthKey(period.months[0] as Month)}&to=${monthKey(period.months.at(-1) as Month)}`;
}

/** The results page: the period, exports, and one card per indicator. */
export function resultsPage(
  ctx: PageContext,
  period: ResultsPeriod,
  views: readonly IndicatorView[],
  threshold: number,
  version: number,
): string {
  const query = periodQuery(period);
  const show = (v: ShownValue) => showValue(ctx, threshold, v);
  const card = (view: IndicatorView) => {
    const id = `ind-${view.definition.id}`;
    const monthly = view.table.columnLabels.map((label, i) => ({
      label,
      value: view.table.columnTotals[i] as ShownValue,
    }));
    return html`<section class="card indicator" aria-labelledby="${id}">
      <h2 id="${id}">${view.wording.title}</h2>
      ${
        view.target === undefined
          ? html`<p class="progress">${t(ctx, "results.period_total", { count: show(view.progress) })}</p>`
          : html`<p class="progress">
                ${t(
                  ctx,
                  view.definition.target_counts === "communities" ? "results.progress_communities" : "results.progress",
                  {
                    count: show(view.progress),
                    target: localDigits(ctx.locale, view.target.toLocaleString("en-US")),
                    percent: view.percent === undefined ? "—" : localDigits(ctx.locale, view.percent),
                  },
                )}
              </p>
              ${barChart(
                view.wording.title,
                [{ label: t(ctx, "results.progress_bar"), value: view.progress }],
                show,
                view.target,
              )}`
      }
      <h3>${t(ctx, "results.by_month")}</h3>
      ${barChart(`${view.wording.title}: ${t(ctx, "results.by_month")}`, monthly, show)} ${shownTable(ctx, view.table)}
      <dl class="definition">
        <dt>${t(ctx, "results.def_counts")}</dt>
        <dd>${view.wording.counts}</dd>
        <dt>${t(ctx, "results.def_unique")}</dt>
        <dd>${view.wording.unique}</dd>
        <dt>${t(ctx, "results.def_period")}</dt>
        <dd>${view.wording.period}</dd>
      </dl>
      <p class="no-print">
        <a href="/console/results/export.csv?${query}&amp;indicator=${view.definition.id}"
          >${t(ctx, "results.export_csv")}</a
        >
        ·
        <a href="/console/results/export.xlsx?${query}&amp;indicator=${view.definition.id}"
          >${t(ctx, "results.export_xlsx")}</a
        >
      </p>
    </section>`;
  };
  return layout(
    ctx,
    t(ctx, "results.title"),
    html`${periodForm(ctx, "/console/results", period)}
      <p class="notice">${t(ctx, "results.suppression_note", { below: localDigits(ctx.locale, threshold) })}</p>
      <p class="no-print">
        <a class="button" href="/console/results/export.csv?${query}">${t(ctx, "results.export_all_csv")}</a>
        <a class="button" href="/console/results/export.xlsx?${query}">${t(ctx, "results.export_all_xlsx")}</a>
        <a href="/console/activities">${t(ctx, "results.nav_activities")}</a> ·
        <a href="/console/cip?${query}">${t(ctx, "results.nav_cip")}</a>
      </p>
      ${views.map(card)}
      <p class="meta">${t(ctx, "results.definitions_version", { version: localDigits(ctx.locale, version) })}</p>`,
  );
}

/** Values typed into the form, given back when it has problems. */
export type ActivityFormValues = Record<string, string>;

/** The group-activities page: the form and the latest records (with "withdraw" for a mistake). */
export function activitiesPage(
  ctx: PageContext,
  places: Places,
  records: readonly ActivityRecord[],
  form: { values: ActivityFormValues; problems: ActivityProblems } | undefined,
  notice: string | undefined,
): string {
  const values = form?.values ?? {};
  const problem = (name: string) => {
    const key = form?.problems[name as keyof ActivityProblems];
    return key ? html`<p class="urgent" id="${name}-problem">${t(ctx, key)}</p>` : "";
  };
  /** Ties a field to its problem for screen readers (no attribute when there is none). */
  const described = (name: string) =>
    form?.problems[name as keyof ActivityProblems] ? html`aria-describedby="${name}-problem"` : "";
  const count = (name: string, label: string) =>
    html`<div class="count">
      <label for="${name}">${label}</label>
      <input id="${name}" name="${name}" inputmode="numeric" value="${values[name] ?? ""}" ${described(name)} />
      ${problem(name)}
    </div>`;
  const list = html`<table class="queue">
    <thead>
      <tr>
        <th scope="col">${t(ctx, "results.col_date")}</th>
        <th scope="col">${t(ctx, "results.col_kind")}</th>
        <th scope="col">${t(ctx, "results.col_place")}</th>
        <th scope="col">${t(ctx, "results.col_participants")}</th>
        <th scope="col">${t(ctx, "results.col_first_time")}</th>
        <th scope="col">${t(ctx, "results.col_withdraw")}</th>
      </tr>
    </thead>
    <tbody>
      ${records.map((r) => {
        const sangkat = r.sangkat ? places.sangkat(r.sangkat) : undefined;
        const khan = places.khan(r.khan);
        return html`<tr>
          <td data-label="${t(ctx, "results.col_date")}">${localDigits(ctx.locale, r.date)}</td>
          <td data-label="${t(ctx, "results.col_kind")}">${t(ctx, `results.activity_${r.kind}`)}</td>
          <td data-label="${t(ctx, "results.col_place")}">
            ${sangkat ? placeName(sangkat, ctx.locale) : khan ? placeName(khan, ctx.locale) : r.khan} · ${r.place}
            <span class="meta">(${r.organisation})</span>
          </td>
          <td data-label="${t(ctx, "results.col_participants")}">
            ${localDigits(ctx.locale, participantTotal(r.participants))}
          </td>
          <td data-label="${t(ctx, "results.col_first_time")}">${localDigits(ctx.locale, r.firstTime)}</td>
          <td data-label="${t(ctx, "results.col_withdraw")}">
            <form method="post" action="/console/activities/${r.id}/withdraw">
              ${hidden(ctx)}
              <button class="secondary">${t(ctx, "results.withdraw")}</button>
            </form>
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
  return layout(
    ctx,
    t(ctx, "results.activities_title"),
    html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
      <section class="card" aria-labelledby="record">
        <h2 id="record">${t(ctx, "results.record_title")}</h2>
        <p class="meta">${t(ctx, "results.record_intro")}</p>
        <form method="post" action="/console/activities">
          ${hidden(ctx)}
          <label for="date">${t(ctx, "results.field_date")}</label>
          <input id="date" name="date" type="date" required value="${values.date ?? ""}" ${described("date")} />
          ${problem("date")}
          <label for="kind">${t(ctx, "results.field_kind")}</label>
          <select id="kind" name="kind" required ${described("kind")}>
            ${ACTIVITY_KINDS.map(
              (k) =>
                html`<option value="${k}" ${values.kind === k ? "selected" : ""}>
                  ${t(ctx, `results.activity_${k}`)}
                </option>`,
            )}
          </select>
          ${problem("kind")}
          <label for="khan">${t(ctx, "results.field_khan")}</label>
          <select id="khan" name="khan" required>
            ${places.khans.map(
              (k) =>
                html`<option value="${k.id}" ${values.khan === k.id ? "selected" : ""}>
                  ${placeName(k, ctx.locale)}
                </option>`,
            )}
          </select>
          ${problem("khan")}
          <label for="sangkat">${t(ctx, "results.field_sangkat")}</label>
          <select id="sangkat" name="sangkat" ${described("sangkat")}>
            <option value="">${t(ctx, "results.whole_khan")}</option>
            ${places.khans.map(
              (k) =>
                html`<optgroup label="${placeName(k, ctx.locale)}">
                  ${k.sangkats.map(
                    (s) =>
                      html`<option value="${s.id}" ${values.sangkat === s.id ? "selected" : ""}>
                        ${placeName(s, ctx.locale)}
                      </option>`,
                  )}
                </optgroup>`,
            )}
          </select>
          ${problem("sangkat")}
          <label for="place">${t(ctx, "results.field_place")}</label>
          <input id="place" name="place" maxlength="120" required value="${values.place ?? ""}" />
          ${problem("place")}
          <label for="organisation">${t(ctx, "results.field_organisation")}</label>
          <input id="organisation" name="organisation" maxlength="120" required value="${values.organisation ?? ""}" />
          ${problem("organisation")}
          <fieldset>
            <legend>${t(ctx, "results.field_participants")}</legend>
            <p class="meta">${t(ctx, "results.participants_hint")}</p>
            <div class="counts">
              ${SEXES.flatMap((sex) =>
                AGE_BANDS.map((band) =>
                  count(
                    `${sex}_${band}`,
                    t(ctx, "results.count_label", {
                      sex: { key: `results.sex_${sex}` },
                      band: { key: `results.band_${band}` },
                    }),
                  ),
                ),
              )}
            </div>
            ${problem("total")}
          </fieldset>
          ${count("first_time", t(ctx, "results.field_first_time"))}
          <p><button>${t(ctx, "results.record_button")}</button></p>
        </form>
      </section>
      <h2>${t(ctx, "results.latest_title")}</h2>
      ${records.length === 0 ? html`<p>${t(ctx, "results.no_activities")}</p>` : list}`,
  );
}
