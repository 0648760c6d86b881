/**
 * buildApp: the Fastify instance with every route registered, not listening. main.ts listens; tests use inject().
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Awaitable } from "../base/awaitable.ts";
import { type WebhookRouteOptions, webhookRoute } from "./webhook.ts";
import { type SandboxRoutesOptions, sandboxRoutes } from "../sandbox/routes.ts";
import { type ConsoleRoutesOptions, consoleRoutes } from "./console/routes.ts";

export interface AppDeps {
  logger: Logger;
  /** What GET /healthz reports (counts only, nothing personal). */
  health: () => Awaitable<Record<string, unknown>>;
  /** GET /readyz: whether the service can do its work now, and why not (200 when ready, else 503). */
  ready?: () => Promise<{ ready: boolean; checks: Record<string, unknown> }>;
  webhook?: WebhookRouteOptions;
  sandbox?: SandboxRoutesOptions;
  /** The staff console under /console. */
  console?: ConsoleRoutesOptions;
}

/** Builds the HTTP app. Request logs carry method, route and status, never bodies or the bot token. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
  });
  app.get("/healthz", async () => ({ ok: true, ...(await deps.health()) }));
  if (deps.ready) {
    const ready = deps.ready;
    app.get("/readyz", async (_request, reply) => {
      const state = await ready();
      return reply.code(state.ready ? 200 : 503).send(state);
    });
  }
  if (deps.webhook) await app.register(webhookRoute, deps.webhook);
  // Request logs would name staff members' Telegram ids in URLs (/console/staff/<id>); the audit table records who
  // did what instead, so the console logs only warnings and errors.
  if (deps.console) await app.register(consoleRoutes, { ...deps.console, logLevel: "warn" });
  // The sandbox page polls several times a second; logging each request would drown everything else.
  if (deps.sandbox) await app.register(sandboxRoutes, { ...deps.sandbox, logLevel: "warn" });
  return app;
}
