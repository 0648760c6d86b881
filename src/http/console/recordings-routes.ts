/**
 * The console's Recordings page (content members, supervisors, admins): every page and its recording, one's own
 * voice notes sent to the bot to attach to a page, and removing a staff recording. Registered by consoleRoutes.
 */
import type { FastifyInstance } from "fastify";
import type { RecordingsDesk } from "../../recordings/desk.ts";
import { recordingsPage } from "./recordings-page.ts";
import type { ConsoleHelpers } from "./results-routes.ts";

export function recordingsRoutes(app: FastifyInstance, desk: RecordingsDesk, h: ConsoleHelpers): void {
  app.get("/console/recordings", async (request, reply) => {
    const session = await h.sessionOf(request, reply);
    if (!session) return reply;
    const userId = session.member.telegramUserId;
    if (!(await desk.mayManage(userId))) return h.message(request, reply, 403, "not_allowed", session);
    const ctx = h.context(request, session);
    const view = await h.commit(async () => ({
      pages: await desk.coverage(),
      drafts: await desk.drafts(userId),
      otherBots: await desk.otherBots(),
    }));
    return h.page(reply, 200, recordingsPage(ctx, view, h.notice(ctx, request)));
  });

  app.post("/console/recordings/attach", async (request, reply) => {
    const session = await h.postSession(request, reply);
    if (!session) return reply;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const target = typeof form.page === "string" ? desk.target(form.page) : undefined;
    const draft = Number(form.draft);
    if (!target || !Number.isSafeInteger(draft)) return h.message(request, reply, 400, "recordings.bad_form", session);
    const speaker = typeof form.speaker === "string" ? form.speaker : "";
    const userId = session.member.telegramUserId;
    const done = await h.commit(() => desk.attachDraft(userId, draft, target, speaker));
    if (!done?.ok)
      return h.message(request, reply, (await desk.mayManage(userId)) ? 404 : 403, "recordings.bad_form", session);
    return reply.redirect("/console/recordings?m=recordings.attached_notice", 303);
  });

  app.post("/console/recordings/remove", async (request, reply) => {
    const session = await h.postSession(request, reply);
    if (!session) return reply;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const target = typeof form.page === "string" ? desk.target(form.page) : undefined;
    if (!target) return h.message(request, reply, 400, "recordings.bad_form", session);
    const removed = await h.commit(() => desk.remove(session.member.telegramUserId, target));
    if (removed === undefined) return h.message(request, reply, 403, "not_allowed", session);
    return reply.redirect("/console/recordings?m=recordings.removed_notice", 303);
  });
}
