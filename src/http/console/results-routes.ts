/**
 * The console's programme pages: results (indicators against targets) and their CSV / XLSX exports, group
 * activities, and the CIP needs report. Registered by consoleRoutes, whose session, CSRF and page helpers they use.
 * Exports are files a spreadsheet opens: CSV in UTF-8 with a byte-order mark, XLSX; both are audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Session } from "../../console/access.ts";
import { tablesToCsv } from "../../programme/csv.ts";
import type { ResultsDesk } from "../../programme/results.ts";
import { tablesToXlsx } from "../../programme/xlsx.ts";
import { cipOverviewPage, cipSangkatPage } from "./cip-pages.ts";
import type { PageContext } from "./layout.ts";
import { t } from "./layout.ts";
import { type ActivityFormValues, activitiesPage, resultsPage } from "./results-pages.ts";

/** What the results routes borrow from consoleRoutes. */
export interface ConsoleHelpers {
  sessionOf: (request: FastifyRequest, reply: FastifyReply) => Promise<Session | undefined>;
  postSession: (request: FastifyRequest, reply: FastifyReply) => Promise<Session | undefined>;
  context: (request: FastifyRequest, session: Session) => PageContext;
  page: (reply: FastifyReply, status: number, body: string) => FastifyReply;
  message: (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    key: string,
    session?: Session,
  ) => FastifyReply | Promise<FastifyReply>;
  commit: <T>(work: () => T) => Promise<T>;
  notice: (ctx: PageContext, request: FastifyRequest) => string | undefined;
}

type PeriodQuery = { from?: unknown; to?: unknown; indicator?: unknown };

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export function resultsRoutes(app: FastifyInstance, results: ResultsDesk, h: ConsoleHelpers): void {
  const { places } = results;

  /** A GET's session, its page context and the period its query asks for; undefined after a "log in" page. */
  async function periodRequest(request: FastifyRequest, reply: FastifyReply) {
    const session = await h.sessionOf(request, reply);
    if (!session) return undefined;
    const query = request.query as PeriodQuery;
    return { session, ctx: h.context(request, session), query, period: results.period(query.from, query.to) };
  }

  app.get("/console/results", async (request, reply) => {
    const asked = await periodRequest(request, reply);
    if (!asked) return reply;
    const { session, ctx, period } = asked;
    const views = await h.commit(() => results.indicators(session.member, ctx.locale, period));
    if (!views) return h.message(request, reply, 403, "not_allowed", session);
    return h.page(reply, 200, resultsPage(ctx, period, views, results.threshold, results.definitions.version));
  });

  for (const format of ["csv", "xlsx"] as const) {
    app.get(`/console/results/export.${format}`, async (request, reply) => {
      const asked = await periodRequest(request, reply);
      if (!asked) return reply;
      const { session, ctx, query, period } = asked;
      const indicator = typeof query.indicator === "string" ? query.indicator : undefined;
      const made = await h.commit(() => results.exportTables(session.member, ctx.locale, period, format, indicator));
      if (!made)
        return h.message(request, reply, indicator ? 404 : 403, indicator ? "results.no_such" : "not_allowed", session);
      const body =
        format === "csv"
          ? tablesToCsv(made.tables, made.labels)
          : Buffer.from(tablesToXlsx(made.tables, made.labels, t(ctx, "results.sheet_name")));
      return reply
        .type(format === "csv" ? "text/csv; charset=utf-8" : XLSX_TYPE)
        .header("content-disposition", `attachment; filename="${made.name}.${format}"`)
        .send(body);
    });
  }

  app.get("/console/activities", async (request, reply) => {
    const session = await h.sessionOf(request, reply);
    if (!session) return reply;
    const ctx = h.context(request, session);
    const records = await results.latestActivities(session.member);
    if (!records) return h.message(request, reply, 403, "not_allowed", session);
    return h.page(reply, 200, activitiesPage(ctx, places, records, undefined, h.notice(ctx, request)));
  });

  app.post("/console/activities", async (request, reply) => {
    const session = await h.postSession(request, reply);
    if (!session) return reply;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const result = await h.commit(() => results.recordActivity(session.member, form));
    if (!result) return h.message(request, reply, 403, "not_allowed", session);
    if (result.ok) return reply.redirect("/console/activities?m=results.recorded", 303);
    const ctx = h.context(request, session);
    const values = Object.fromEntries(
      Object.entries(form).filter((e): e is [string, string] => typeof e[1] === "string" && e[0] !== "_csrf"),
    ) as ActivityFormValues;
    const records = (await results.latestActivities(session.member)) ?? [];
    return h.page(reply, 400, activitiesPage(ctx, places, records, { values, problems: result.problems }, undefined));
  });

  app.post("/console/activities/:id/withdraw", async (request, reply) => {
    const session = await h.postSession(request, reply);
    if (!session) return reply;
    const id = Number((request.params as { id?: string }).id);
    const done = Number.isSafeInteger(id) && (await h.commit(() => results.withdrawActivity(session.member, id)));
    if (!done) return h.message(request, reply, 403, "not_allowed", session);
    return reply.redirect("/console/activities?m=results.withdrawn", 303);
  });

  app.get("/console/cip", async (request, reply) => {
    const asked = await periodRequest(request, reply);
    if (!asked) return reply;
    const { session, ctx, period } = asked;
    const report = await h.commit(() => results.cip(session.member, ctx.locale, period));
    if (!report) return h.message(request, reply, 403, "not_allowed", session);
    return h.page(reply, 200, cipOverviewPage(ctx, period, report.sangkats, report.byKhan, results.threshold, places));
  });

  app.get("/console/cip/export.csv", async (request, reply) => {
    const asked = await periodRequest(request, reply);
    if (!asked) return reply;
    const { session, ctx, period } = asked;
    const report = await h.commit(() => results.cip(session.member, ctx.locale, period, "csv"));
    if (!report) return h.message(request, reply, 403, "not_allowed", session);
    const tables = [
      report.byKhan,
      ...report.sangkats.flatMap((s) => [
        { ...s.needs, title: `${s.khanName} · ${s.name} · ${s.needs.title}` },
        { ...s.meeting, title: `${s.khanName} · ${s.name} · ${s.meeting.title}` },
      ]),
    ];
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="spean-cip-needs.csv"`)
      .send(tablesToCsv(tables, report.labels));
  });

  app.get("/console/cip/:sangkat", async (request, reply) => {
    const asked = await periodRequest(request, reply);
    if (!asked) return reply;
    const { session, ctx, period } = asked;
    const sangkat = (request.params as { sangkat: string }).sangkat;
    if (!places.sangkat(sangkat)) return h.message(request, reply, 404, "results.no_such", session);
    const report = await h.commit(() => results.cip(session.member, ctx.locale, period, "page", sangkat));
    if (!report) return h.message(request, reply, 403, "not_allowed", session);
    const [one] = report.sangkats;
    if (!one) return h.message(request, reply, 404, "results.no_such", session);
    return h.page(reply, 200, cipSangkatPage(ctx, period, one, results.threshold, places));
  });
}
