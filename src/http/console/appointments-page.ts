/** A week of counselling appointments, with attendance marks. */
import { appointmentRef } from "../../booking/desk.ts";
import { SITES } from "../../booking/model.ts";
import { type CalendarDate, toIsoDate } from "../../base/calendar-date.ts";
import { localTime } from "../../base/local-time.ts";
import { localDigits } from "../../khmer/digits.ts";
import type { AppointmentDay } from "../../console/desk.ts";
import { html } from "./html.ts";
import { hidden, layout, type PageContext, t } from "./layout.ts";

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
