/** Counsellors' weekly hours and time off. */
import { localDigits } from "../../khmer/digits.ts";
import type { CounsellorHours } from "../../console/desk.ts";
import { type Html, html } from "./html.ts";
import { actionCard, hidden, layout, type PageContext, t } from "./layout.ts";

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
