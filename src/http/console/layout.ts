/**
 * The console's page frame and shared pieces: the page context, text lookup, the stylesheet, the header with who is
 * signed in, one-message pages, dates and times, and the card-with-a-form every action uses. Pages are rendered on
 * the server, work without JavaScript, and read well on a 360 px phone.
 */
import type { Locale } from "../../base/locale.ts";
import type { TextParam } from "../../base/reply.ts";
import { localDigits } from "../../khmer/digits.ts";
import type { Translator } from "../../i18n/translator.ts";
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
  /** Whether the header links programme results and the CIP report (supervisors and admins). */
  showResults?: boolean;
  /** Whether the header links the group-activities form (anyone who runs sessions). */
  showActivities?: boolean;
  /** The Recordings page (content members, supervisors, admins). */
  showRecordings?: boolean;
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
.scroll{overflow-x:auto;max-width:100%;margin:0 0 .8rem}
table.figures{width:auto;min-width:100%;font-size:.9rem}
table.figures th[scope=row]{font-weight:600;color:var(--ink);white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total th,tr.total td,td.total{font-weight:700}
caption{text-align:left;font-weight:700;padding:4px 0}
svg.chart{max-width:36rem;display:block;margin:.4rem 0 .8rem}
.progress{font-size:1.05rem;font-weight:600}
dl.definition{font-size:.9rem;color:var(--muted)}dl.definition dt{font-weight:700}dl.definition dd{margin:0 0 .4rem}
.counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:0 12px}
.counts input{max-width:8rem}
fieldset{border:1px solid var(--line);margin:.8rem 0;padding:8px}
.period{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:end}.period input{max-width:11rem}
.two{display:grid;grid-template-columns:1fr;gap:0 16px}
@media (min-width:700px){.two{grid-template-columns:1fr 1fr}}
@page{size:A4;margin:14mm}
@media print{
 header,.skip,.no-print{display:none}
 body{background:#fff;font-size:11pt}
 main{max-width:none;padding:0}
 .card{border:0;padding:0;break-inside:avoid}
 .scroll{overflow:visible}
 body{font-size:10pt;line-height:1.35}h1{font-size:14pt;margin:0 0 .3rem}
 .cip p{margin:.2rem 0}.cip h2{font-size:11pt;margin:.4rem 0 .15rem}
 .cip table{font-size:8.5pt;line-height:1.25}.cip th,.cip td{padding:1px 5px}
 .cip svg.chart{max-width:80mm;margin:0}
 .two{grid-template-columns:1fr 1fr}
 a{color:inherit;text-decoration:none}
}
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
          ${ctx.showResults ? html`<a href="/console/results">${t(ctx, "results.nav_results")}</a>` : ""}
          ${ctx.showActivities ? html`<a href="/console/activities">${t(ctx, "results.nav_activities")}</a>` : ""}
          ${ctx.showResults ? html`<a href="/console/cip">${t(ctx, "results.nav_cip")}</a>` : ""}
          ${ctx.showRecordings ? html`<a href="/console/recordings">${t(ctx, "recordings.nav")}</a>` : ""}
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

/** A card with a heading and one form POSTed to `action`: its fields, the CSRF token and a submit button. */
export function actionCard(
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

/** The session's CSRF token as a hidden form field. */
export function hidden(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf ?? ""}" />`;
}
