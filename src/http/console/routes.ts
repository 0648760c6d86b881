/**
 * The staff console's web routes under /console (docs: README, "Staff console"). Fastify's own plugins do the
 * plumbing: cookies, form bodies, security headers (a strict CSP: no scripts at all) and a rate limit on logins.
 * Every page sends Cache-Control: no-store; no resident text is ever put in a URL (actions are POSTed forms that
 * redirect to the case's page with a notice key).
 */
import fastifyCookie from "@fastify/cookie";
import type { Awaitable } from "../../base/awaitable.ts";
import fastifyFormbody from "@fastify/formbody";
import fastifyHelmet from "@fastify/helmet";
import fastifyRateLimit from "@fastify/rate-limit";
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Locale } from "../../base/locale.ts";
import { may } from "../../features/roles.ts";
import type { Session } from "../../console/access.ts";
import type { ActionResult } from "../../console/desk.ts";
import type { Directory } from "../../directory/services.ts";
import type { Translator } from "../../i18n/translator.ts";
import { type ContactPreference, caseNumber } from "../../referrals/store.ts";
import type { ConsoleParts } from "../../console/parts.ts";
import { browserName } from "./browser-name.ts";
import { SITES } from "../../booking/model.ts";
import { type CalendarDate, isRealDate, toIsoDate } from "../../base/calendar-date.ts";
import { addDays, todayIn, weekdayOf } from "../../base/local-time.ts";
import { appointmentsPage } from "./appointments-page.ts";
import { casePage, queuePage } from "./case-pages.ts";
import { hoursPage } from "./hours-page.ts";
import { CONSOLE_CSS, messagePage, type PageContext, t } from "./layout.ts";
import { questionsPage, servicesPage } from "./reference-pages.ts";
import { recordingsRoutes } from "./recordings-routes.ts";
import { type ConsoleHelpers, resultsRoutes } from "./results-routes.ts";
import { staffPage } from "./staff-page.ts";

export interface ConsoleRoutesOptions {
  console: ConsoleParts;
  translator: Translator;
  directory: Directory;
  defaultLocale: Locale;
  timeZone: string;
  now: () => number;
  /** Runs database work in the next group commit (core.commits.run). */
  commit: <T>(work: () => T) => Promise<T>;
  /** Sends queued messages now (the approval question, a claim's group edit). */
  sendNow: (outboxIds: readonly number[]) => Promise<void>;
  /** Mark cookies Secure (the console is served over TLS, as behind the reverse proxy). */
  secureCookies: boolean;
  /** Login attempts per minute from one address (default 20). */
  loginsPerMinute?: number;
}

const SESSION_COOKIE = "spean_console";
const BROWSER_COOKIE = "spean_login";
const LANGUAGE_COOKIE = "spean_lang";

/** The console as a Fastify plugin (register it without a prefix: its routes carry /console). */
export async function consoleRoutes(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  const { access, desk } = options.console;
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 16_384 });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: "no-referrer" },
  });
  await app.register(fastifyRateLimit, { global: false });
  app.addHook("onSend", async (_request, reply) => {
    reply.header("cache-control", "no-store");
  });

  const cookieBase = { path: "/console", httpOnly: true, secure: options.secureCookies } as const;
  const localeOf = (request: FastifyRequest): Locale => {
    const chosen = request.cookies[LANGUAGE_COOKIE];
    return chosen === "km" || chosen === "en" ? chosen : options.defaultLocale;
  };
  const context = (request: FastifyRequest, session?: Session): PageContext => ({
    locale: localeOf(request),
    translator: options.translator,
    timeZone: options.timeZone,
    now: options.now(),
    ...(session
      ? {
          member: session.member,
          csrf: session.csrf,
          showHours: desk.mayUseHours(session.member),
          showStaff: desk.mayUseStaff(session.member),
          showAppointments: desk.mayUseAppointments(session.member),
          showResults: options.console.results.mayView(session.member),
          showActivities: options.console.results.mayRecord(session.member),
          // The session has just read the member from the roster: their role is current.
          showRecordings: may(session.member.role, "manage_recordings"),
        }
      : {}),
  });
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type("text/html; charset=utf-8").send(body);
  const message = (request: FastifyRequest, reply: FastifyReply, status: number, key: string, session?: Session) => {
    const ctx = context(request, session);
    return page(reply, status, messagePage(ctx, t(ctx, "title"), t(ctx, key)));
  };

  /** The signed-in session, or a "please log in" page (and undefined). */
  async function sessionOf(request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
    const session = await options.commit(() => access.session(request.cookies[SESSION_COOKIE]));
    if (!session) {
      reply.clearCookie(SESSION_COOKIE, cookieBase);
      await message(request, reply, 401, "login_needed");
    }
    return session;
  }

  /** A POST's session, after checking its CSRF token; refuses with a page otherwise. */
  async function postSession(request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
    const session = await sessionOf(request, reply);
    if (!session) return undefined;
    const token = request.cookies[SESSION_COOKIE] as string;
    if (!access.csrfMatches(token, (request.body as Record<string, unknown> | undefined)?._csrf)) {
      await message(request, reply, 403, "csrf_refused", session);
      return undefined;
    }
    return session;
  }

  const helpers: ConsoleHelpers = {
    sessionOf,
    postSession,
    context,
    page,
    message,
    commit: options.commit,
    notice: (ctx, request) => noticeOf(ctx, request, {}).notice,
  };
  resultsRoutes(app, options.console.results, helpers);
  recordingsRoutes(app, options.console.recordings, helpers);

  const contactSummary = (ctx: PageContext, contact: Pick<ContactPreference, "method" | "time"> | undefined) =>
    contact
      ? t(ctx, "casework.contact", {
          method: { key: `help.contact_${contact.method}` },
          time: { key: `help.time_${contact.time}` },
        })
      : t(ctx, "casework.contact_erased");

  app.get("/console/style.css", async (_request, reply) => reply.type("text/css; charset=utf-8").send(CONSOLE_CSS));

  app.get("/console/language", async (request, reply) => {
    const to = (request.query as { to?: string }).to;
    if (to === "km" || to === "en")
      reply.setCookie(LANGUAGE_COOKIE, to, { ...cookieBase, sameSite: "lax", maxAge: 365 * 86_400 });
    return reply.redirect("/console", 303);
  });

  // The link from the bot. Rate limited per address: a token is 32 random bytes, but a login is worth guarding.
  app.get(
    "/console/login/:token",
    { config: { rateLimit: { max: options.loginsPerMinute ?? 20, timeWindow: 60_000 } } },
    async (request, reply) => {
      const token = (request.params as { token: string }).token;
      let nonce = request.cookies[BROWSER_COOKIE];
      if (!nonce || !/^[A-Za-z0-9_-]{43}$/.test(nonce)) {
        nonce = randomBytes(32).toString("base64url");
        // Lax, not Strict: the link is opened from Telegram (another site), and the nonce must come back next time.
        reply.setCookie(BROWSER_COOKIE, nonce, { ...cookieBase, path: "/console/login", sameSite: "lax" });
      }
      const browser = browserName(request.headers["user-agent"]);
      const state = await options.commit(async () => {
        const opened = await access.open(token, nonce, browser);
        const ids = opened.kind === "ask" ? await desk.askApproval(opened.loginId, opened.staffId, browser) : [];
        return { opened, ids };
      });
      await options.sendNow(state.ids);
      const ctx = context(request);
      switch (state.opened.kind) {
        case "ask":
        case "waiting":
          return page(
            reply,
            200,
            messagePage(ctx, t(ctx, "login_wait_title"), t(ctx, "login_wait"), {
              href: `/console/login/${token}`,
              label: t(ctx, "login_continue"),
            }),
          );
        case "session":
          reply.clearCookie(BROWSER_COOKIE, { ...cookieBase, path: "/console/login" });
          reply.setCookie(SESSION_COOKIE, state.opened.token, { ...cookieBase, sameSite: "strict" });
          return reply.redirect("/console", 303);
        case "refused":
          return message(request, reply, 403, "login_refused");
        case "invalid":
          return message(request, reply, 410, "login_invalid");
      }
    },
  );

  app.post("/console/logout", async (request, reply) => {
    const session = await postSession(request, reply);
    if (!session) return reply;
    await options.commit(() => access.end(session.id));
    reply.clearCookie(SESSION_COOKIE, cookieBase);
    return message(request, reply, 200, "logged_out");
  });

  app.post("/console/logout-all", async (request, reply) => {
    const session = await postSession(request, reply);
    if (!session) return reply;
    await options.commit(() => access.endAll(session.member.telegramUserId));
    reply.clearCookie(SESSION_COOKIE, cookieBase);
    return message(request, reply, 200, "logged_out");
  });

  app.get("/console", async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const queue = await options.commit(() => desk.queue(session.member));
    if (!queue) return message(request, reply, 403, "not_allowed", session);
    const ctx = context(request, session);
    const contacts = new Map<number, string | undefined>();
    for (const r of [...queue.open, ...queue.active, ...queue.closed])
      contacts.set(r.id, (await desk.contactOf(r.id))?.method);
    const contactOf = (id: number) => {
      const method = contacts.get(id);
      return method ? t(ctx, `help.contact_${method}`) : "—";
    };
    return page(reply, 200, queuePage(ctx, queue, contactOf));
  });

  app.get("/console/hours", async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    if (!desk.mayUseHours(session.member)) return message(request, reply, 403, "not_allowed", session);
    const ctx = context(request, session);
    const notice = noticeOf(ctx, request, {}).notice;
    return page(reply, 200, hoursPage(ctx, await desk.counsellorHours(session.member), notice));
  });

  app.post("/console/hours/:id", async (request, reply) => {
    const session = await postSession(request, reply);
    if (!session) return reply;
    const counsellorId = idParamOf(request) ?? 0;
    const body = stringFields(request.body);
    const typed = body.hours ?? "";
    const result = await options.commit(() =>
      desk.setHours(session.member, counsellorId, typed, body.takes_bookings === "yes"),
    );
    if (result.ok) return reply.redirect(`/console/hours?m=${result.notice.key}`, 303);
    if (result.reason !== "console.hours_invalid") return message(request, reply, 403, "not_allowed", session);
    // What was typed is shown again with the error, not carried in a URL.
    const ctx = context(request, session);
    const counsellors = await desk.counsellorHours(session.member);
    return page(reply, 400, hoursPage(ctx, counsellors, t(ctx, result.reason), { counsellorId, typed }));
  });

  /** The staff page, with a notice or a new invite code shown once (never put in a URL). */
  async function showStaff(
    request: FastifyRequest,
    reply: FastifyReply,
    session: Session,
    shown?: { notice?: string; code?: { role: string; code: string } },
  ) {
    const staffView = await options.commit(() => desk.staffPage(session.member));
    if (!staffView) return message(request, reply, 403, "not_allowed", session);
    const ctx = context(request, session);
    const notice = shown?.notice ?? noticeOf(ctx, request, {}).notice;
    return page(
      reply,
      200,
      staffPage(ctx, staffView, desk.mayManageStaff(session.member), { ...shown, ...(notice ? { notice } : {}) }),
    );
  }

  app.get("/console/staff", async (request, reply) => {
    const session = await sessionOf(request, reply);
    return session ? showStaff(request, reply, session) : reply;
  });

  app.post("/console/staff/invite", async (request, reply) => {
    const session = await postSession(request, reply);
    if (!session) return reply;
    const role = stringFields(request.body).role ?? "";
    const made = await options.commit(() => desk.invite(session.member, role));
    if (!made.ok) return message(request, reply, 403, "not_allowed", session);
    return showStaff(request, reply, session, { code: { role, code: made.code } });
  });

  app.post("/console/staff/:id", async (request, reply) => {
    const session = await postSession(request, reply);
    if (!session) return reply;
    const targetId = idParamOf(request) ?? 0;
    const change = stringFields(request.body).change ?? "";
    const result = await options.commit(() => desk.changeMember(session.member, targetId, change));
    if (!result.ok) return message(request, reply, 403, "not_allowed", session);
    return reply.redirect(`/console/staff?m=${result.notice.key}`, 303);
  });

  app.get("/console/services", async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const ctx = context(request, session);
    const services = await desk.services();
    return page(
      reply,
      200,
      servicesPage(ctx, services, desk.mayCheckServices(session.member), noticeOf(ctx, request, {}).notice),
    );
  });

  app.post("/console/services/:serviceId/checked", async (request, reply) => {
    const session = await postSession(request, reply);
    if (!session) return reply;
    const serviceId = (request.params as { serviceId: string }).serviceId;
    const result = await options.commit(() => desk.checkService(session.member, serviceId));
    if (!result.ok) return message(request, reply, 403, "not_allowed", session);
    return reply.redirect(`/console/services?m=${result.notice.key}`, 303);
  });

  app.get("/console/questions", async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const ctx = context(request, session);
    const report = await options.commit(() => desk.questions(session.member, ctx.locale));
    if (!report) return message(request, reply, 403, "not_allowed", session);
    return page(reply, 200, questionsPage(ctx, report));
  });

  app.get("/console/appointments", async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const query = request.query as { week?: string; counsellor?: string; site?: string };
    const monday = mondayOf(query.week, options.now(), options.timeZone);
    const counsellors = await desk.appointmentCounsellors(session.member);
    const counsellorId = counsellors.find((c) => String(c.id) === query.counsellor)?.id;
    const site = (SITES as readonly string[]).includes(query.site ?? "") ? query.site : undefined;
    const filter = { ...(counsellorId ? { counsellorId } : {}), ...(site ? { site } : {}) };
    const days = await options.commit(() => desk.appointmentsWeek(session.member, monday, filter));
    if (!days) return message(request, reply, 403, "not_allowed", session);
    const ctx = context(request, session);
    const week = (offset: number) => {
      const params = new URLSearchParams({ week: toIsoDate(addDays(monday, offset)) });
      if (counsellorId) params.set("counsellor", String(counsellorId));
      if (site) params.set("site", site);
      return `/console/appointments?${params}`;
    };
    const links = { previous: week(-7), next: week(7) };
    const notice = noticeOf(ctx, request, {}).notice;
    return page(reply, 200, appointmentsPage(ctx, monday, days, links, { counsellors, ...filter }, notice));
  });

  app.post("/console/appointments/:id/mark", async (request, reply) => {
    const session = await postSession(request, reply);
    if (!session) return reply;
    const id = idParamOf(request) ?? 0;
    const verb = stringFields(request.body).verb ?? "";
    const result = await options.commit(() => desk.markAppointment(session.member, id, verb));
    if (!result.ok && result.reason === "casework.not_allowed")
      return message(request, reply, 403, "not_allowed", session);
    const key = result.ok ? result.notice.key : result.reason;
    return reply.redirect(`/console/appointments?m=${key}`, 303);
  });

  /** A time-off change on the hours page: run it and go back with its notice. */
  function timeOffAction(
    run: (session: Session, counsellorId: number, body: Record<string, string>, offId: number) => Promise<ActionResult>,
  ) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const session = await postSession(request, reply);
      if (!session) return reply;
      const offId = Number((request.params as { offId?: string }).offId ?? 0);
      const body = stringFields(request.body);
      const result = await options.commit(() => run(session, idParamOf(request) ?? 0, body, offId));
      if (!result.ok && result.reason === "casework.not_allowed")
        return message(request, reply, 403, "not_allowed", session);
      return reply.redirect(`/console/hours?m=${result.ok ? result.notice.key : result.reason}`, 303);
    };
  }

  app.post(
    "/console/hours/:id/time-off",
    timeOffAction((s, id, body) => desk.addTimeOff(s.member, id, body.from ?? "", body.to ?? "")),
  );
  app.post(
    "/console/hours/:id/time-off/:offId/remove",
    timeOffAction((s, id, _body, offId) => desk.removeTimeOff(s.member, id, offId)),
  );

  /** Renders a case for the session, optionally with its contact revealed. */
  async function showCase(
    request: FastifyRequest,
    reply: FastifyReply,
    session: Session,
    revealed?: ContactPreference | "erased",
  ) {
    const id = idParamOf(request);
    const view = id === undefined ? undefined : await options.commit(() => desk.view(session.member, id));
    if (!view) return message(request, reply, 404, "not_found", session);
    const ctx = context(request, session);
    return page(
      reply,
      200,
      casePage(ctx, view, {
        contactSummary: contactSummary(ctx, await desk.contactOf(view.referral.id)),
        ...(revealed ? { contact: revealed } : {}),
        ...noticeOf(ctx, request, { case: caseNumber(view.referral.id), name: session.member.displayName }),
        services: options.directory.services.map((s) => ({ id: s.id, name: t(ctx, `directory.${s.id}.name`) })),
        caseworkers: await desk.caseworkers(),
      }),
    );
  }

  app.get("/console/cases/:id", async (request, reply) => {
    const session = await sessionOf(request, reply);
    return session ? showCase(request, reply, session) : reply;
  });

  app.post("/console/cases/:id/contact", async (request, reply) => {
    const session = await postSession(request, reply);
    if (!session) return reply;
    const id = idParamOf(request);
    const contact = id === undefined ? undefined : await options.commit(() => desk.revealContact(session.member, id));
    if (!contact) return message(request, reply, 403, "not_allowed", session);
    return showCase(request, reply, session, contact);
  });

  /** A case action: run it, send what it queued, and go back to the case with its notice (Post/Redirect/Get). */
  function caseAction(run: (session: Session, id: number, body: Record<string, string>) => Awaitable<ActionResult>) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const session = await postSession(request, reply);
      if (!session) return reply;
      const id = idParamOf(request);
      if (id === undefined) return message(request, reply, 404, "not_found", session);
      const body = stringFields(request.body);
      const result = await options.commit(() => run(session, id, body));
      if (result.ok) await options.sendNow(result.outboxIds);
      const notice = result.ok ? result.notice.key : result.reason;
      return reply.redirect(`/console/cases/${id}?m=${encodeURIComponent(notice)}`, 303);
    };
  }

  app.post(
    "/console/cases/:id/claim",
    caseAction((s, id) => desk.claim(s.member, id)),
  );
  app.post(
    "/console/cases/:id/close",
    caseAction((s, id, body) => desk.close(s.member, id, body.outcome ?? "", body.service || undefined)),
  );
  app.post(
    "/console/cases/:id/note",
    caseAction((s, id, body) => desk.note(s.member, id, body.note ?? "")),
  );
  app.post(
    "/console/cases/:id/reassign",
    caseAction((s, id, body) => desk.reassign(s.member, id, Number(body.to))),
  );
}

/** The notice after an action: a text key carried in the URL (never text), shown when it is a known key. */
function noticeOf(ctx: PageContext, request: FastifyRequest, params: Record<string, string>): { notice?: string } {
  const key = (request.query as { m?: string }).m;
  if (!key || !/^[a-z_]+\.[a-z_]+$/.test(key) || !ctx.translator.has(ctx.locale, key)) return {};
  return { notice: t(ctx, key, params) };
}

/** The numeric :id of a route (a case, or a staff member on the staff pages). */
function idParamOf(request: FastifyRequest): number | undefined {
  const id = Number((request.params as { id?: string }).id);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** A form body's string fields (anything else is dropped). */
function stringFields(body: unknown): Record<string, string> {
  if (!body || typeof body !== "object") return {};
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** The Monday of the week holding `week` (YYYY-MM-DD), or of this week in `timeZone` when it is missing or wrong. */
function mondayOf(week: string | undefined, now: number, timeZone: string): CalendarDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(week ?? "");
  const asked = match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : undefined;
  const date = asked && isRealDate(asked) ? asked : todayIn(now, timeZone);
  const weekday = weekdayOf(date); // 0 is Sunday
  return addDays(date, weekday === 0 ? -6 : 1 - weekday);
}
